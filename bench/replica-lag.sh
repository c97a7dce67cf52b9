#!/usr/bin/env bash
# Replication lag of the primary-replica topology under the figures.md PUT load: 3 agents
# (--topology primary-replica --primary n1), wrk PUTs to the primary, and the primary's
# quorum_replication_lag_entries / _seconds sampled every 200 ms during the load and after it.
#
#   usage: bench/replica-lag.sh [DURATION=10s] [CONNECTIONS=32]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
dur=${1:-10s}; conns=${2:-32}
bench=${BENCH_DIR:-$top/../shared/bench}
for c in wrk python3 curl; do command -v "$c" >/dev/null || { echo "needs $c" >&2; exit 2; }; done
java=$(find_java)
jar=$top/node-agent/target/quorum-agent.jar
[ -f "$jar" ] || (cd "$top" && mvn -B -q -DskipTests package)
setup_work
ports=(); for i in 1 2 3; do ports+=("$(port)"); done
peers="n1=127.0.0.1:${ports[0]},n2=127.0.0.1:${ports[1]},n3=127.0.0.1:${ports[2]}"
jvm=("${agent_jvm[@]}")
for i in 1 2 3; do
  MALLOC_ARENA_MAX=2 "$java" "${jvm[@]}" -jar "$jar" agent --id "n$i" --port "${ports[i-1]}" --data-dir "$work/n$i" \
    --peers "$peers" --topology primary-replica --primary n1 > "$work/n$i.out" 2>&1 &
  pids+=("$!")
done
for p in "${ports[@]}"; do for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.2; done; done
url="http://127.0.0.1:${ports[0]}"
export KV_KEYS=${KV_KEYS:-10000} KV_VALUE_SIZE=${KV_VALUE_SIZE:-64}
wrk -t2 -c"$conns" -d10s --timeout 5s -s "$bench/http-put.lua" "$url" >/dev/null   # warm-up
sample() { while :; do echo "$(date +%s.%N) $(curl -s "$url/metrics" | grep '^quorum_replication_lag' | tr '\n' ' ')"; sleep 0.2; done; }
sample > "$work/lag.txt" & sampler=$!
wrk -t2 -c"$conns" -d"$dur" --timeout 5s -s "$bench/http-put.lua" "$url" | grep '^WRKJSON'
sleep 3
kill "$sampler"
python3 - "$work/lag.txt" "$dur" <<'PY'
import re, sys, statistics
dur = float(sys.argv[2].rstrip('s'))
rows = []
for line in open(sys.argv[1]):
    t = float(line.split()[0])
    e = [float(x) for x in re.findall(r'quorum_replication_lag_entries\{replica="[^"]+"\} (\S+)', line)]
    s = [float(x) for x in re.findall(r'quorum_replication_lag_seconds\{replica="[^"]+"\} (\S+)', line)]
    if e: rows.append((t, max(e), max(s) if s else 0))
t0 = rows[0][0]
load = [r for r in rows if r[0] - t0 <= dur]
after = [r for r in rows if r[0] - t0 > dur]
print(f"samples during load: {len(load)}; lag entries median {statistics.median(r[1] for r in load):.0f}, "
      f"p90 {sorted(r[1] for r in load)[int(len(load)*0.9)]:.0f}, max {max(r[1] for r in load):.0f}; "
      f"lag seconds median {statistics.median(r[2] for r in load):.3f}, max {max(r[2] for r in load):.3f}")
caught = next((r[0] - t0 - dur for r in after if r[1] == 0), None)
print(f"after the load: back to 0 entries {'%.1f s after it ended' % caught if caught is not None else 'not within 3 s'}")
PY
