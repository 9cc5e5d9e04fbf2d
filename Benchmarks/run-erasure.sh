#!/usr/bin/env bash
# Erasure benchmark: the service's batched eraser on acc_large of the bench store, beside the same
# deletes run by the sqlite3 command-line tool on a copy of the same file, in the same run.
#   Benchmarks/run-erasure.sh [bench.sqlite]     (seeds one if none is given)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3; }

swift build -c release --product deletiond >&2
swift build -c release --package-path Benchmarks --product erase-bench >&2
bin=$(swift build -c release --show-bin-path)
bench=$(swift build -c release --package-path Benchmarks --show-bin-path)/erase-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source_db=${1:-}
if [ -z "$source_db" ]; then
    source_db="$work/source.sqlite"
    "$bin/deletiond" seed --db "$source_db" --profile bench >&2
fi
sqlite3 "$source_db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
source Benchmarks/erase-plan.sh
rows=$(account_rows "$source_db" acc_large)
script="$work/erase.sql"
write_erase_script "$script" acc_large

for run in 1 2; do
    cp "$source_db" "$work/cli.sqlite"
    cp "$source_db" "$work/service.sqlite"
    start=$(date +%s.%N)
    sqlite3 "$work/cli.sqlite" < "$script" >/dev/null
    cli=$(echo "$(date +%s.%N) - $start" | bc)
    service=$(/usr/bin/time -f "%M" -o "$work/rss" "$bench" "$work/service.sqlite" acc_large | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
    rss=$(cat "$work/rss")
    printf '| %d | %s | %.2f s | %.2f s | %.2f | %d MiB |\n' "$run" "$rows" "$cli" "$service" "$(echo "$service / $cli" | bc -l)" "$((rss / 1024))"
done
