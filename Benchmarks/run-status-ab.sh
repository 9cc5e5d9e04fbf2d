#!/usr/bin/env bash
# A/B of `deletion.status` (and `health.check`) between an earlier commit and the working tree: both
# release builds serve their own demo store side by side, and rpc-bench loads each in turn, three
# alternating rounds at 10 and 50 connections (noise on this machine is shared by both sides).
#   Benchmarks/run-status-ab.sh BASE_COMMIT [calls, default 20000]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: Benchmarks/run-status-ab.sh BASE_COMMIT [calls]}
calls=${2:-20000}
work=$(mktemp -d)
# The Benchmarks package finds the service package as ../main, so the base checkout is named main too.
git worktree add -f "$work/base/main" "$base" -q
trap 'kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$work/base/main"; rm -rf "$work"' EXIT

(cd "$work/base/main" && swift build -c release --product deletiond >&2)
swift build -c release --product deletiond >&2
swift build -c release --package-path Benchmarks --product rpc-bench >&2
rpcbench=$(swift build -c release --package-path Benchmarks --show-bin-path)/rpc-bench
declare -A binary=([base]="$work/base/main/.build/release/deletiond" [head]="$(swift build -c release --show-bin-path)/deletiond")
declare -A port=([base]=17801 [head]=17802)
for side in base head; do
    mkdir -p "$work/$side"
    "${binary[$side]}" seed --db "$work/$side/alt.sqlite" --profile demo >/dev/null
    "${binary[$side]}" serve --dev --port "${port[$side]}" --db "$work/$side/alt.sqlite" --log-level warning >/dev/null 2>&1 &
done
sleep 2
status=(--method deletion.status --params '{"requestId":"req_demo_ig"}' --token dev)
for side in base head; do "$rpcbench" --port "${port[$side]}" -c 10 -r 5000 "${status[@]}" >/dev/null; done
echo "| round | build | connections | calls/s | p50 ms | p99 ms |"
echo "|---:|---|---:|---:|---:|---:|"
row() {
    python3 -c 'import json, sys; j = json.loads(sys.argv[4]); print("| %s | %s | %s | %s | %.2f | %.2f |" % (sys.argv[1], sys.argv[2], sys.argv[3], format(j["rps"], ",.0f"), j["p50_ms"], j["p99_ms"]))' "$@"
}
for round in 1 2 3; do
    for side in base head; do
        for c in 10 50; do
            row "$round" "$side" "$c" "$("$rpcbench" --port "${port[$side]}" -c "$c" -r "$calls" "${status[@]}" --json)"
        done
    done
done
for side in base head; do
    row "health" "$side" 50 "$("$rpcbench" --port "${port[$side]}" -c 50 -r 100000 --json)"
done
