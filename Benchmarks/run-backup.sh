#!/usr/bin/env bash
# Backup benchmark (issue 7): `backups.create` on the `bench` store through the service, beside
# `sqlite3 .backup` + `gzip` + `openssl enc -aes-256-ctr` on the same file in the same run; MB/s of
# database, and the peak RSS of deletiond while it backs up (and of the whole server process).
#   Benchmarks/run-backup.sh [bench.sqlite]     (seeds one if none is given)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3; }
command -v openssl >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y openssl; }

swift build -c release --product deletiond >&2
swift build -c release --product rpc-cli >&2
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
port=17811
trap 'for job in $(jobs -p); do pkill -P "$job"; kill "$job"; done 2>/dev/null || true; rm -rf "$work"' EXIT
export ALT_RPC_TOKEN=dev

source_db=${1:-}
if [ -z "$source_db" ]; then
    source_db="$work/source.sqlite"
    "$bin/deletiond" seed --db "$source_db" --profile bench >&2
fi
sqlite3 "$source_db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
bytes=$(stat -c %s "$source_db")
mb=$(echo "$bytes / 1048576" | bc -l)

echo "| run | database | sqlite3 .backup + gzip + openssl | MB/s | backups.create | MB/s | ratio | backup file | deletiond peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for run in 1 2; do
    rm -f "$work/copy.sqlite" "$work/copy.gz" "$work/copy.enc"
    start=$(date +%s.%N)
    sqlite3 "$source_db" ".backup '$work/copy.sqlite'"
    gzip -c "$work/copy.sqlite" > "$work/copy.gz"
    openssl enc -aes-256-ctr -pbkdf2 -pass pass:benchmark -in "$work/copy.gz" -out "$work/copy.enc"
    tools=$(echo "$(date +%s.%N) - $start" | bc)

    cp "$source_db" "$work/service.sqlite"
    cp "$source_db.secrets.json" "$work/service.sqlite.secrets.json" 2>/dev/null || true
    rm -rf "$work/backups"
    /usr/bin/time -f "%M" -o "$work/rss" "$bin/deletiond" serve --dev --port "$port" --db "$work/service.sqlite" \
        --backup-folder "$work/backups" --worker-interval 3600 --log-level warning >/dev/null 2>&1 &
    server=$!
    until "$bin/rpc-cli" health --port "$port" >/dev/null 2>&1; do sleep 0.2; done
    start=$(date +%s.%N)
    size=$("$bin/rpc-cli" call --port "$port" --timeout 600s backups.create | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')
    service=$(echo "$(date +%s.%N) - $start" | bc)
    pkill -TERM -P "$server"; wait "$server" || true
    printf '| %d | %.0f MB | %.2f s | %.1f | %.2f s | %.1f | %.2f | %.1f MB | %d MiB |\n' "$run" "$mb" "$tools" "$(echo "$mb / $tools" | bc -l)" \
        "$service" "$(echo "$mb / $service" | bc -l)" "$(echo "$service / $tools" | bc -l)" "$(echo "$size / 1048576" | bc -l)" "$(( $(cat "$work/rss") / 1024 ))"
done
