#!/usr/bin/env bash
# The status page over HTTP (issue 14): wrk, one thread, 50 connections, on three pages of one release
# deletiond serving the demo store: a request awaiting its code (DEMO-IG-0001), an account request erased
# (DEMO-AC-0001: verified with the demo code, its grace period skipped, erased), and an unknown code (404).
# The pages alternate, ROUNDS rounds of SECONDS each; the per-client limit is raised so that wrk, one client,
# is not answered 429. Prints a Markdown table for RESULTS.md.
#   Benchmarks/run-status-page.sh            (ROUNDS=2 SECONDS_PER_RUN=8)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-2}
seconds=${SECONDS_PER_RUN:-8}
rpc_port=17893
http_port=17894

command -v wrk >/dev/null || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >&2; }
swift build -c release --product deletiond >&2
swift build -c release --product rpc-cli >&2
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin/deletiond" seed --db "$work/alt.sqlite" --profile demo >&2
/usr/bin/time -f "%M" -o "$work/rss" "$bin/deletiond" serve --dev --port "$rpc_port" --http-port "$http_port" \
    --http-status-burst 100000000 --db "$work/alt.sqlite" --log-level warning >/dev/null 2>"$work/server.log" &
server=$!
cli() { "$bin/rpc-cli" call "$@" --port "$rpc_port" --token dev; }
until "$bin/rpc-cli" health --port "$rpc_port" >/dev/null 2>&1; do sleep 0.2; done

# DEMO-AC-0001 to its most common state: erased (the demo seed's code for it is 654321).
cli deletion.verifyIdentity requestId=req_demo_acct code=654321 >/dev/null
cli admin.advanceClock seconds:=604801 >/dev/null
cli deletion.execute requestId=req_demo_acct >/dev/null 2>&1 || true
until cli deletion.status requestId=req_demo_acct | grep -q '"state":"erased"'; do sleep 0.2; done

page() { echo "http://127.0.0.1:$http_port/deletion-status/$1"; }
for code in DEMO-IG-0001 DEMO-AC-0001; do curl -fsS -o /dev/null "$(page $code)"; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$(page NOPE-NOPE-NOPE-NOPE)")" = 404 ]

echo "| round | page | requests/s | p50 ms | p99 ms | non-2xx |"
echo "|---:|---|---:|---:|---:|---:|"
for round in $(seq "$rounds"); do
    for entry in "DEMO-IG-0001:awaiting its code" "DEMO-AC-0001:erased account request" "NOPE-NOPE-NOPE-NOPE:unknown code (404)"; do
        code=${entry%%:*}
        wrk -t1 -c50 -d"${seconds}s" --latency "$(page "$code")" > "$work/wrk"
        rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk")
        p50=$(awk '$1 == "50%" {print $2}' "$work/wrk")
        p99=$(awk '$1 == "99%" {print $2}' "$work/wrk")
        errors=$(awk '/Non-2xx/ {print $NF}' "$work/wrk")
        ms() { case $1 in *us) echo "scale=3; ${1%us} / 1000" | bc ;; *ms) echo "${1%ms}" ;; *s) echo "${1%s} * 1000" | bc ;; esac; }
        printf '| %d | %s | %.0f | %.2f | %.2f | %s |\n' "$round" "${entry#*:}" "$rate" "$(ms "$p50")" "$(ms "$p99")" "${errors:-0}"
    done
done
kill -TERM "$(pgrep -P "$server")" 2>/dev/null || true
wait "$server" || true
echo
echo "deletiond peak RSS: $(( $(cat "$work/rss") / 1024 )) MiB"
