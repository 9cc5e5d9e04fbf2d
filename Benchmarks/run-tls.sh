#!/usr/bin/env bash
# TLS overhead: health.check at 50 connections (one call in flight each) against two deletiond processes
# started alike on loopback, one plaintext and one with TLS (certificates made here by openssl), measured
# alternately in the same run (three rounds of plain then TLS). Prints a Markdown table for RESULTS.md.
#   Benchmarks/run-tls.sh [calls-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-200000}
plain_port=17710
tls_port=17711

swift build -c release --product deletiond >&2
swift build -c release --package-path Benchmarks --product rpc-bench >&2
deletiond=$(swift build -c release --show-bin-path)/deletiond
rpcbench=$(swift build -c release --package-path Benchmarks --show-bin-path)/rpc-bench

work=$(mktemp -d)
trap 'kill $plain_pid $tls_pid 2>/dev/null || true; rm -rf "$work"' EXIT
# A CA and a server certificate for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-ca \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1') -out "$work/server.pem" 2>/dev/null
ALT_META_APP_SECRET=bench "$deletiond" secrets init --out "$work/secrets.json" >/dev/null
# A production start needs callers; health.check needs none, so one that may call only it.
printf '{"secretsFile": "%s", "meta": {"statusPageBase": "https://alt.example/deletion-status"}, "callers": [{"name": "bench", "tokenSHA256": "%s", "methods": ["health.check"]}]}\n' \
    "$work/secrets.json" "$(printf bench | sha256sum | cut -d' ' -f1)" > "$work/deletiond.json"

serve() { # port db [flags…]
    local port=$1 db=$2
    shift 2
    "$deletiond" serve --config "$work/deletiond.json" --port "$port" --db "$db" --log-level warning "$@" >/dev/null &
}
serve "$plain_port" "$work/plain.sqlite"
plain_pid=$!
serve "$tls_port" "$work/tls.sqlite" --tls-cert-file "$work/server.pem" --tls-key-file "$work/server.key"
tls_pid=$!
sleep 2

run() { # port [flags…]
    local port=$1
    shift
    "$rpcbench" --port "$port" -c 50 -r "$calls" --json "$@"
}
"$rpcbench" --port "$plain_port" -c 50 -r 20000 >/dev/null
"$rpcbench" --port "$tls_port" -c 50 -r 20000 --tls-ca-file "$work/ca.pem" >/dev/null
results=()
for round in 1 2 3; do
    results+=("plain $(run "$plain_port")")
    results+=("tls $(run "$tls_port" --tls-ca-file "$work/ca.pem")")
done
python3 - "${results[@]}" <<'PY'
import json, sys
rows = [(arg.split(" ", 1)[0], json.loads(arg.split(" ", 1)[1])) for arg in sys.argv[1:]]
print("| round | transport | calls/s | p50 ms | p99 ms | max ms |")
print("|---:|---|---:|---:|---:|---:|")
for index, (transport, line) in enumerate(rows):
    print(f"| {index // 2 + 1} | {transport} | {line['rps']:,.0f} | {line['p50_ms']:.3f} | {line['p99_ms']:.3f} | {line['max_ms']:.3f} |")
plain = [line['rps'] for transport, line in rows if transport == 'plain']
tls = [line['rps'] for transport, line in rows if transport == 'tls']
print()
print(f"TLS / plaintext throughput: {sum(tls) / sum(plain):.2f} (mean of {len(tls)} runs each)")
PY
