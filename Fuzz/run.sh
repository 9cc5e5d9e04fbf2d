#!/usr/bin/env bash
# Builds the libFuzzer targets (with AddressSanitizer) and runs each for a bounded time on a copy of the
# committed corpus. Exits non-zero on the first crash, leak, timeout or out-of-memory (libFuzzer saves the
# input as Fuzz/crash-*). Usage: Fuzz/run.sh [SECONDS per target, default 60]; with UPDATE_CORPUS=1 the
# inputs that found new coverage are merged (minimised) into the committed corpus.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
# `--sanitize=fuzzer` alone left the dependencies (JSONRPC, JSONRPCNIO, NIO) without coverage counters in
# some clean builds (446 counters in all; libFuzzer ran blind), so coverage is asked of every module
# explicitly, and kept by the linker.
build=(swift build -c release --sanitize=fuzzer --sanitize=address
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table -Xlinker --no-gc-sections)
"${build[@]}" --product FuzzFrames
"${build[@]}" --product FuzzMessages
bin=$("${build[@]}" --show-bin-path)
for target in frames messages; do
    name=Fuzz${target^}
    work=$(mktemp -d)
    cp corpus/"$target"/* "$work"/
    echo "== $name: $seconds s"
    status=0
    "$bin/$name" "$work" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix=./crash-"$target"- > "$work.log" 2>&1 || status=$?
    grep -E "DONE|stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|Test unit written" "$work.log" || true
    if [ "$status" -eq 0 ] && ! grep -q "cov: " "$work.log"; then
        echo "$name ran without coverage: not instrumented (rm -rf Fuzz/.build and run again)" >&2
        status=1
    fi
    if [ "$status" -eq 0 ] && [ "${UPDATE_CORPUS:-0}" = 1 ]; then
        "$bin/$name" -merge=1 corpus/"$target" "$work" > /dev/null 2>&1
    fi
    rm -rf "$work" "$work.log"
    [ "$status" -eq 0 ] || { echo "$name found a failure (exit $status)" >&2; exit 1; }
done
