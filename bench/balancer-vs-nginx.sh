#!/usr/bin/env bash
# The wrk load of ../shared/guides/figures.md through Quorum's balancer, through nginx (configured by
# `quorum export nginx`) and straight to one agent, interleaved in one run, in front of the same
# 3 agents — so the balancer can be quoted against nginx measured in the same minutes.
#
#   usage: bench/balancer-vs-nginx.sh [ROUNDS=3] [DURATION=10s] [CONNECTIONS=32] [STRATEGY=round-robin] [-- extra agent flags]
#   env:   BENCH_DIR (default ../shared/bench), WARMUP=20s
#
# Needs wrk and nginx (Debian packages) and a JDK 21+ (JAVA_HOME or /usr/lib/jvm). Prints one line per
# round and a table of medians with the range.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
rounds=${1:-3}; dur=${2:-10s}; conns=${3:-32}; strategy=${4:-round-robin}; shift $(( $# < 4 ? $# : 4 )) || true
[ "${1:-}" = "--" ] && shift
extra_agent_flags=("$@")
bench=${BENCH_DIR:-$top/../shared/bench}
warmup=${WARMUP:-20s}
for c in wrk python3; do command -v "$c" >/dev/null || { echo "needs $c (apt-get install wrk)" >&2; exit 2; }; done
nginx=$(command -v nginx || echo /usr/sbin/nginx); [ -x "$nginx" ] || { echo "needs nginx (apt-get install nginx)" >&2; exit 2; }

java=$(find_java)
jar=$top/node-agent/target/quorum-agent.jar
tools=$top/app/target/quorum.jar
[ -f "$jar" ] && [ -f "$tools" ] || (cd "$top" && mvn -B -q -DskipTests package)

setup_work
chmod 755 "$work"
ports=(); for i in 1 2 3; do ports+=("$(port)"); done
lb_port=$(port); nginx_port=$(port)
peers="n1=127.0.0.1:${ports[0]},n2=127.0.0.1:${ports[1]},n3=127.0.0.1:${ports[2]}"
jvm=("${agent_jvm[@]}")
for i in 1 2 3; do
  MALLOC_ARENA_MAX=2 "$java" "${jvm[@]}" -jar "$jar" agent --id "n$i" --port "${ports[i-1]}" --data-dir "$work/n$i" \
    --peers "$peers" "${extra_agent_flags[@]}" > "$work/n$i.out" 2>&1 &
  pids+=("$!")
done
for p in "${ports[@]}"; do
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.2; done
done
MALLOC_ARENA_MAX=2 "$java" "${jvm[@]}" -jar "$jar" balancer --port "$lb_port" --backends "$peers" --strategy "$strategy" \
  --data-dir "$work/lb" > "$work/lb.out" 2>&1 &
pids+=("$!")
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$lb_port/health" >/dev/null && break; sleep 0.2; done
mkdir -p "$work/nginx"; chmod 777 "$work/nginx"
"$java" -jar "$tools" export nginx --nodes "http://127.0.0.1:${ports[0]},http://127.0.0.1:${ports[1]},http://127.0.0.1:${ports[2]}" \
  --strategy "$strategy" --listen "$nginx_port" --out "$work/nginx/nginx.conf" --run-dir "$work/nginx" >/dev/null
"$nginx" -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' > "$work/nginx.out" 2>&1 &
pids+=("$!")
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$nginx_port/health" >/dev/null && break; sleep 0.2; done

export KV_KEYS=${KV_KEYS:-10000} KV_VALUE_SIZE=${KV_VALUE_SIZE:-64}
declare -A target=([direct]="http://127.0.0.1:${ports[0]}" [balancer]="http://127.0.0.1:$lb_port" [nginx]="http://127.0.0.1:$nginx_port")
echo "# warm-up: $warmup of PUT then GET through each"
for t in direct balancer nginx; do
  wrk -t2 -c"$conns" -d"$warmup" --timeout 5s -s "$bench/http-put.lua" "${target[$t]}" >/dev/null
  wrk -t2 -c"$conns" -d"$warmup" --timeout 5s -s "$bench/http-get.lua" "${target[$t]}" >/dev/null
done
out=$work/results.txt; : > "$out"
for r in $(seq 1 "$rounds"); do
  for s in put get; do
    for t in direct balancer nginx; do
      line=$(wrk -t2 -c"$conns" -d"$dur" --timeout 5s -s "$bench/http-$s.lua" "${target[$t]}" | grep '^WRKJSON')
      echo "$t $s round $r: $line" | tee -a "$out"
    done
  done
done
python3 - "$out" <<'PY'
import json, re, sys, statistics
rows = {}
for line in open(sys.argv[1]):
    m = re.search(r'WRKJSON (\{.*\})', line)
    if not m: continue
    d = json.loads(m.group(1))
    t, op = line.split()[0], line.split()[1]
    d['errors'] = d['err_connect'] + d['err_read'] + d['err_write'] + d['err_status'] + d['err_timeout']
    rows.setdefault((t, op), []).append(d)
def fmt(vals, f='%.0f'):
    return (f % statistics.median(vals)) + ' (' + (f % min(vals)) + '–' + (f % max(vals)) + ')'
print('\n| path | op | ops/s median (range) | p50 ms | p99 ms | errors |')
print('|---|---|---|---|---|---|')
for t in ('direct', 'balancer', 'nginx'):
    for op in ('put', 'get'):
        ds = rows.get((t, op))
        if ds:
            print(f"| {t} | {op} | {fmt([d['rps'] for d in ds])} | {fmt([d['p50_ms'] for d in ds], '%.2f')} | "
                  f"{fmt([d['p99_ms'] for d in ds], '%.2f')} | {sum(d['errors'] for d in ds)} |")
for op in ('put', 'get'):
    b, n = rows.get(('balancer', op)), rows.get(('nginx', op))
    if b and n:
        print(f"{op}: balancer/nginx = {statistics.median(d['rps'] for d in b) / statistics.median(d['rps'] for d in n):.2f}x")
PY
