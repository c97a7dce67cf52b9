#!/usr/bin/env bash
# Benchmarks a 3-node Quorum cluster with the wrk load of ../shared/guides/figures.md and, in the
# same run, the etcd baseline — so our figures can be quoted as ratios (these machines are noisy).
#
#   usage: bench/agent-vs-etcd.sh [ROUNDS=3] [DURATION=10s] [CONNECTIONS=32] [-- extra agent flags]
#   env:   BENCH_DIR (default ../shared/bench), SKIP_ETCD=1, WARMUP=20s, AGENT_JVM_FLAGS
#
# Needs wrk (and etcd-server, etcd-client for the baseline) from Debian's packages, and a JDK 21+
# (found in JAVA_HOME or /usr/lib/jvm). Prints one WRKJSON line per round and a summary table of
# medians with the range; RSS is sampled on every agent at the end of each round.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
rounds=${1:-3}; dur=${2:-10s}; conns=${3:-32}; shift $(( $# < 3 ? $# : 3 )) || true
[ "${1:-}" = "--" ] && shift
extra_agent_flags=("$@")
bench=${BENCH_DIR:-$top/../shared/bench}
warmup=${WARMUP:-30s}
for c in wrk python3; do command -v "$c" >/dev/null || { echo "needs $c (apt-get install wrk)" >&2; exit 2; }; done

java=$(find_java)
jar=$top/node-agent/target/quorum-agent.jar
[ -f "$jar" ] || (cd "$top" && mvn -B -q -DskipTests package)

setup_work
ports=(); for i in 1 2 3; do ports+=("$(port)"); done
peers="n1=127.0.0.1:${ports[0]},n2=127.0.0.1:${ports[1]},n3=127.0.0.1:${ports[2]}"
# Same JVM flags as AgentLauncher.DEFAULT_JVM_FLAGS (what the console and local-cluster use).
if [ -n "${AGENT_JVM_FLAGS:-}" ]; then read -r -a jvm <<< "$AGENT_JVM_FLAGS"; else jvm=("${agent_jvm[@]}"); fi
for i in 1 2 3; do
  MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} "$java" "${jvm[@]}" -jar "$jar" agent --id "n$i" --port "${ports[i-1]}" --data-dir "$work/n$i" --peers "$peers" \
    --n 3 --r 2 --w 2 "${extra_agent_flags[@]}" > "$work/n$i.out" 2>&1 &
  pids+=("$!")
done
url="http://127.0.0.1:${ports[0]}"
for _ in $(seq 1 100); do curl -sf "$url/health" >/dev/null && curl -sf "http://127.0.0.1:${ports[2]}/health" >/dev/null && break; sleep 0.2; done
export KV_KEYS=${KV_KEYS:-10000} KV_VALUE_SIZE=${KV_VALUE_SIZE:-64}
rss() { local t=0; for p in "${pids[@]}"; do t=$(( t > $(awk '/VmRSS/{print $2}' /proc/$p/status) ? t : $(awk '/VmRSS/{print $2}' /proc/$p/status) )); done; echo $(( t / 1024 )); }

echo "# warm-up: $warmup of PUT then GET (JIT, caches)"
wrk -t2 -c"$conns" -d"$warmup" --timeout 5s -s "$bench/http-put.lua" "$url" >/dev/null
wrk -t2 -c"$conns" -d"$warmup" --timeout 5s -s "$bench/http-get.lua" "$url" >/dev/null
out=$work/results.txt; : > "$out"
for r in $(seq 1 "$rounds"); do
  for s in put get; do
    line=$(wrk -t2 -c"$conns" -d"$dur" --timeout 5s -s "$bench/http-$s.lua" "$url" | grep '^WRKJSON')
    echo "quorum $s round $r: $line rss_max_mb=$(rss)" | tee -a "$out"
  done
done
if [ -z "${SKIP_ETCD:-}" ] && command -v etcd >/dev/null; then
  for r in $(seq 1 "$rounds"); do
    "$bench/etcd-baseline.sh" "$dur" "$conns" | sed "s/^/round $r: /" | tee -a "$out"
  done
fi
python3 - "$out" <<'PY'
import json, re, sys, statistics
rows = {}
for line in open(sys.argv[1]):
    m = re.search(r'WRKJSON (\{.*\})', line)
    if not m: continue
    d = json.loads(m.group(1))
    sysname = 'quorum' if line.startswith('quorum') else 'etcd'
    op = 'put' if ' put ' in line else 'get'
    rss = re.search(r'rss_max_mb=(\d+)', line)
    d['rss'] = int(rss.group(1)) if rss else None
    d['errors'] = d['err_connect'] + d['err_read'] + d['err_write'] + d['err_status'] + d['err_timeout']
    rows.setdefault((sysname, op), []).append(d)
def fmt(vals, f='%.0f'):
    return (f % statistics.median(vals)) + ' (' + (f % min(vals)) + '–' + (f % max(vals)) + ')'
print('\n| system | op | ops/s median (range) | p50 ms | p99 ms | errors | max RSS MB |')
print('|---|---|---|---|---|---|---|')
for (s, op), ds in sorted(rows.items()):
    rss = [d['rss'] for d in ds if d['rss']]
    print(f"| {s} | {op} | {fmt([d['rps'] for d in ds])} | {fmt([d['p50_ms'] for d in ds], '%.2f')} | "
          f"{fmt([d['p99_ms'] for d in ds], '%.2f')} | {sum(d['errors'] for d in ds)} | {max(rss) if rss else '-'} |")
for op in ('put', 'get'):
    q, e = rows.get(('quorum', op)), rows.get(('etcd', op))
    if q and e:
        print(f"{op}: quorum/etcd = {statistics.median(d['rps'] for d in q) / statistics.median(d['rps'] for d in e):.2f}x")
PY
