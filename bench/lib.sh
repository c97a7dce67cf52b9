# Shared by the bench scripts (sourced): find a JDK 21+, pick free loopback ports, clean up.

# Prints a java of JDK 21 or newer: JAVA_HOME's, else the first in /usr/lib/jvm.
find_java() {
  for j in "${JAVA_HOME:-}/bin/java" /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    v=$("$j" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
    [ "${v%%.*}" -ge 21 ] 2>/dev/null && { echo "$j"; return; }
  done
  echo "no JDK 21+ found (set JAVA_HOME)" >&2; exit 2
}

# Prints a free TCP port on 127.0.0.1.
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }

# Sets up $work (a temporary directory) and a trap that kills every pid in $pids and removes $work.
setup_work() {
  work=$(mktemp -d); pids=()
  trap 'for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
}

# The agents' JVM flags: the same as AgentLauncher.DEFAULT_JVM_FLAGS (what local-cluster and the console use).
agent_jvm=(-Xms32m -Xmx160m -XX:+UseSerialGC -Xss512k -XX:MaxDirectMemorySize=64m --enable-native-access=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=false)
