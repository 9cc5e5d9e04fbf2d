#!/usr/bin/env bash
# Erasure through the service (issue 5): `deletion.execute` on acc_large of the bench store at three
# sizes (≈10k, ≈100k, ≈750k rows), beside the same deletes run by the sqlite3 command-line tool on a
# copy of the same file, in the same run. During the largest erasure, two load generators call
# deletion.status and health.check; their p99 is reported. Peak RSS of deletiond per size.
#   Benchmarks/run-service-erasure.sh     (SIZES="1-loaded" or SIZES="1-paced" runs one ≈750k row with load)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3; }

swift build -c release --product deletiond >&2
swift build -c release --product rpc-cli >&2
swift build -c release --package-path Benchmarks --product rpc-bench >&2
bin=$(swift build -c release --show-bin-path)
rpcbench=$(swift build -c release --package-path Benchmarks --show-bin-path)/rpc-bench
work=$(mktemp -d)
port=17801
trap 'for job in $(jobs -p); do pkill -P "$job"; kill "$job"; done 2>/dev/null || true; rm -rf "$work"' EXIT
export ALT_RPC_TOKEN=dev
cli() { "$bin/rpc-cli" call --port "$port" --timeout 600s "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

source Benchmarks/erase-plan.sh
write_erase_script "$work/erase.sql" acc_large

echo "| acc_large rows | load | sqlite3 CLI | deletion.execute | ratio | rows/s (service) | deletiond peak RSS |"
echo "|---:|---|---:|---:|---:|---:|---:|"
# The largest size runs twice: alone (for the ratio), then again with the load generators running.
for run in ${SIZES:-0.0135 0.135 1 1-loaded}; do
    scale=${run%-*}
    source_db="$work/source-$scale.sqlite"
    if [ ! -f "$source_db" ]; then
        "$bin/deletiond" seed --db "$source_db" --profile bench --accounts 1000 --large-scale "$scale" >&2
        sqlite3 "$source_db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    fi
    rows=$(account_rows "$source_db" acc_large)

    cp "$source_db" "$work/cli.sqlite"
    start=$(date +%s.%N)
    sqlite3 "$work/cli.sqlite" < "$work/erase.sql" >/dev/null
    cli_seconds=$(echo "$(date +%s.%N) - $start" | bc)

    cp "$source_db" "$work/service.sqlite"
    cp "$source_db.secrets.json" "$work/service.sqlite.secrets.json"  # the keys the seed sealed tokens with
    rm -f "$work/service.sqlite-wal" "$work/service.sqlite-shm"
    # The worker waits an hour between rounds, so the erasure runs exactly when deletion.execute asks.
    /usr/bin/time -f "%M" -o "$work/rss" "$bin/deletiond" serve --dev --port "$port" --db "$work/service.sqlite" \
        --grace-period-days 0 --worker-interval 3600 --log-level warning >/dev/null 2>"$work/server.log" &
    server=$!
    until "$bin/rpc-cli" health --port "$port" >/dev/null 2>&1; do sleep 0.2; done
    request=$(verified_request acc_large)

    # 1-loaded: closed loop, as fast as answers come (saturation); 1-paced: 20 calls/s per connection,
    # 200/s per method, on a fixed schedule (a dashboard's and a health checker's steady traffic).
    if [ "$run" = 1-loaded ] || [ "$run" = 1-paced ]; then
        load_seconds=$(echo "$cli_seconds * 0.8" | bc -l)
        rate=(); [ "$run" = 1-paced ] && rate=(--rate 20)
        "$rpcbench" --port "$port" -c 10 "${rate[@]}" --duration "$load_seconds" --method deletion.status \
            --params "{\"requestId\":\"$request\"}" --token dev --json > "$work/status.json" &
        status_load=$!
        "$rpcbench" --port "$port" -c 10 "${rate[@]}" --duration "$load_seconds" --json > "$work/health.json" &
        health_load=$!
    fi
    # deletion.execute answers once the erasure has started; the status is polled until it is erased.
    service_seconds=$(erase_until_done "$request") || exit 1
    verdict=$(cli deletion.verifyErasure requestId="$request" | field '["verdict"]')
    [ "$verdict" = clean ] || { echo "verifyErasure: $verdict" >&2; exit 1; }
    pkill -TERM -P "$server"; wait "$server" || true  # $server is /usr/bin/time; its child is deletiond
    case "$run" in
        1-loaded) load="status + health, 10 conns each, closed loop" ;;
        1-paced) load="status + health, 200 calls/s each" ;;
        *) load="none" ;;
    esac
    printf '| %d | %s | %.2f s | %.2f s | %.2f | %.0f | %d MiB |\n' "$rows" "$load" "$cli_seconds" "$service_seconds" \
        "$(echo "$service_seconds / $cli_seconds" | bc -l)" "$(echo "$rows / $service_seconds" | bc -l)" "$(( $(cat "$work/rss") / 1024 ))"
done

[ -n "${status_load:-}" ] || exit 0
wait "$status_load" "$health_load"
echo
echo "Load during the ≈750k-row erasure (10 connections each, same run; the last loaded size's):"
echo
echo "| method | calls/s | p50 ms | p99 ms | max ms | errors |"
echo "|---|---:|---:|---:|---:|---:|"
for file in status health; do
    python3 - "$work/$file.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"| {r['method']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.2f} | {r['errors']} |")
PY
done
