#!/usr/bin/env bash
# What exporting spans costs: health.check and deletion.status at 50 connections (rpc-load) against two
# release deletiond started alike on the demo store, one with --otlp-endpoint (OTLP/HTTP protobuf, swift-otel's
# default batching: a batch of up to 512 spans every 5 s from a queue of 2,048; the rest are dropped)
# sending to a receiver on loopback, one without (no tracer: no span is made). Alternating rounds; prints a
# Markdown table for RESULTS.md.
#   Benchmarks/run-tracing.sh            (ROUNDS=3 CALLS=200000)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
calls=${CALLS:-200000}
plain_port=17720
traced_port=17721

swift build -c release --product deletiond >&2
deletiond=$(swift build -c release --show-bin-path)/deletiond
mkdir -p .build
cc -O2 -o .build/rpc-load Benchmarks/rpc-load/rpc-load.c
load=.build/rpc-load

work=$(mktemp -d)
trap 'kill $plain_pid $traced_pid $receiver_pid 2>/dev/null || true; rm -rf "$work"' EXIT
# The receiver answers every export with success and counts the bytes it was sent.
python3 -c '
import http.server, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(sys.argv[1], "a") as log: log.write("%d\n" % len(body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *arguments): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
print(server.server_address[1], flush=True)
server.serve_forever()
' "$work/exports" > "$work/receiver" &
receiver_pid=$!
until [ -s "$work/receiver" ]; do sleep 0.1; done

serve() { # port db [flags…]
    local port=$1 db=$2
    shift 2
    "$deletiond" seed --db "$db" --profile demo >/dev/null
    "$deletiond" serve --dev --port "$port" --db "$db" --log-level warning "$@" >/dev/null 2>&1 &
}
serve "$plain_port" "$work/plain.sqlite"
plain_pid=$!
serve "$traced_port" "$work/traced.sqlite" --otlp-endpoint "http://127.0.0.1:$(cat "$work/receiver")"
traced_pid=$!
sleep 2
for port in $plain_port $traced_port; do "$load" --port "$port" -c 50 -n 20000 >/dev/null; done

field() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
echo "| round | method | no tracer calls/s | exporting calls/s | ratio | p99 ms no tracer | p99 ms exporting |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for round in $(seq "$rounds"); do
    for method in health.check deletion.status; do
        args=(-c 50 -n "$calls" --json)
        [ "$method" = deletion.status ] && args+=(--method deletion.status --params '{"requestId":"req_demo_ig"}' --token dev)
        # Alternate which goes first.
        if (( round % 2 )); then order=("$plain_port" "$traced_port"); else order=("$traced_port" "$plain_port"); fi
        for port in "${order[@]}"; do "$load" --port "$port" "${args[@]}" > "$work/$port.json"; done
        plain_rate=$(field rps < "$work/$plain_port.json")
        traced_rate=$(field rps < "$work/$traced_port.json")
        printf '| %d | %s | %.0f | %.0f | %.2f | %s | %s |\n' "$round" "$method" "$plain_rate" "$traced_rate" \
            "$(echo "$traced_rate / $plain_rate" | bc -l)" "$(field p99_ms < "$work/$plain_port.json")" "$(field p99_ms < "$work/$traced_port.json")"
    done
done
echo
echo "exports received: $(wc -l < "$work/exports"), $(( $(paste -sd+ "$work/exports" | bc) / 1024 )) KiB"
