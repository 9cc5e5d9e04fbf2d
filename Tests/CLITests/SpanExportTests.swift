import Foundation
import RPCTestSupport
import Testing

/// `deletiond serve --otlp-endpoint`: the spans of real calls reach an OTLP/HTTP receiver, continuing the
/// caller's W3C trace, with method, caller and outcome and never a parameter; a receiver that is down
/// costs no call.
@Suite("Spans exported over OTLP/HTTP by deletiond")
struct SpanExportTests {
    @Test("calls sent with a traceparent arrive as server spans of that trace, children of the caller's span, flushed at shutdown")
    func spansReachTheCollector() throws {
        let collector = try OTLPReceiver()
        defer { collector.stop() }
        let daemon = try DaemonProcess(arguments: ["--otlp-endpoint", "http://127.0.0.1:\(collector.port)", "--otlp-protocol", "http/json"])
        defer { daemon.stop() }
        let port = "\(daemon.port)"
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736", parentID = "00f067aa0ba902b7"
        let traceparent = "00-\(traceID)-\(parentID)-01"

        let health = try runCommand("rpc-cli", ["health", "--port", port, "--token", "dev", "--traceparent", traceparent])
        #expect(health.status == 0, "\(health.stderr)")
        let missing = try runCommand(
            "rpc-cli", ["call", "deletion.status", "requestId=req_marker_not_in_spans", "--port", port, "--token", "dev", "--traceparent", traceparent]
        )
        #expect(missing.status == 1 && missing.stderr.contains("NOT_FOUND"), "\(missing.stderr)")
        #expect(daemon.stop() == 0, "drained; the batch of spans is sent on the way out")

        let requests = collector.requests()
        #expect(requests.allSatisfy { $0.path == "/v1/traces" && $0.contentType == "application/json" }, "\(requests.map(\.path))")
        #expect(!requests.contains { $0.body.contains("req_marker_not_in_spans") }, "params never reach a span")
        let spans = try requests.flatMap { try OTLPSpan.all(in: $0.body) }
        #expect(spans.allSatisfy { $0.service == "deletiond" })

        let probe = try #require(spans.first { $0.name == "health.check" }, "\(spans.map(\.name))")
        #expect(probe.traceID == traceID && probe.parentSpanID == parentID, "the caller's trace continues")
        #expect(probe.kind == 2, "a server span")
        #expect(probe.attributes["rpc.method"] == "health.check" && probe.attributes["rpc.caller"] == "dev" && probe.attributes["rpc.outcome"] == "ok")

        let failed = try #require(spans.first { $0.name == "deletion.status" })
        #expect(failed.traceID == traceID && failed.parentSpanID == parentID)
        #expect(failed.attributes["rpc.outcome"] == "error" && failed.attributes["rpc.status"] == "NOT_FOUND")
        #expect(failed.statusCode == 2, "an error status")
    }

    @Test("a collector that is down: every call is answered, and deletiond still drains and exits 0")
    func collectorDown() throws {
        let closed = try OTLPReceiver()
        closed.stop()
        let daemon = try DaemonProcess(arguments: ["--otlp-endpoint", "http://127.0.0.1:\(closed.port)", "--log-level", "error"])
        defer { daemon.stop() }
        for _ in 0..<3 {
            let health = try runCommand("rpc-cli", ["health", "--port", "\(daemon.port)", "--traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
            #expect(health.status == 0 && health.stdout.contains("SERVING"), "\(health.stderr)")
        }
        #expect(daemon.stop() == 0)
    }

    @Test("an endpoint that is not an http(s) URL is refused at start-up in one line")
    func badEndpoint() throws {
        let database = ["--db", NSTemporaryDirectory() + "/otlp-\(UUID().uuidString).sqlite"]
        let refused = try runCommand("deletiond", ["serve", "--dev", "--port", "0", "--otlp-endpoint", "collector:4318"] + database)
        #expect(refused.status == 64 && refused.stderr.contains("--otlp-endpoint must be an http:// or https:// URL"), "\(refused.stderr)")
        let protocolRefused = try runCommand("deletiond", ["serve", "--dev", "--port", "0", "--otlp-endpoint", "http://127.0.0.1:4318", "--otlp-protocol", "grpc"] + database)
        #expect(protocolRefused.status != 0 && protocolRefused.stderr.contains("tracing.otlpProtocol"), "\(protocolRefused.stderr)")
    }
}

/// One span of an OTLP/JSON export request (`ExportTraceServiceRequest`), as a collector reads it.
struct OTLPSpan {
    let service: String?
    let name: String
    let traceID: String
    let parentSpanID: String
    let kind: Int
    let statusCode: Int
    let attributes: [String: String]

    static func all(in body: String) throws -> [OTLPSpan] {
        let request = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        var spans: [OTLPSpan] = []
        for resourceSpans in request["resourceSpans"] as? [[String: Any]] ?? [] {
            let resource = attributes((resourceSpans["resource"] as? [String: Any])?["attributes"])
            for scope in resourceSpans["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    spans.append(
                        OTLPSpan(
                            service: resource["service.name"],
                            name: span["name"] as? String ?? "",
                            traceID: hex(span["traceId"]),
                            parentSpanID: hex(span["parentSpanId"]),
                            kind: span["kind"] as? Int ?? 0,
                            statusCode: (span["status"] as? [String: Any])?["code"] as? Int ?? 0,
                            attributes: attributes(span["attributes"])
                        )
                    )
                }
            }
        }
        return spans
    }

    /// OTLP/JSON's string, integer and boolean values, as text.
    private static func attributes(_ list: Any?) -> [String: String] {
        var result: [String: String] = [:]
        for attribute in list as? [[String: Any]] ?? [] {
            guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any], let first = value.first else { continue }
            result[key] = "\(first.value)"
        }
        return result
    }

    /// An id as lower-case hex: OTLP/JSON writes ids in hex; protobuf's own JSON mapping in base64.
    private static func hex(_ value: Any?) -> String {
        guard let text = value as? String else { return "" }
        if text.count == 32 || text.count == 16, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text) else { return text }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// An OTLP/HTTP receiver on a free loopback port (Python's http.server, which every CI machine has): it
/// answers each export with success and keeps what it was sent, a JSON line per request.
final class OTLPReceiver {
    struct Received: Decodable {
        let path: String
        let contentType: String
        let body: String
    }

    let port: Int
    private let process = Process()
    private let log = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-\(UUID().uuidString).jsonl")

    init() throws {
        let script = """
            import http.server, json, sys
            class Receiver(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    kind = self.headers.get("Content-Type", "")
                    with open(sys.argv[1], "a") as log:
                        log.write(json.dumps({"path": self.path, "contentType": kind, "body": body.decode("utf-8", "replace")}) + "\\n")
                    answer = b"{}" if kind == "application/json" else b""
                    self.send_response(200)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                def log_message(self, *arguments):
                    pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, log.path]
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw ReceiverError(output: line)
        }
        self.port = port
    }

    /// What it was sent so far, in order.
    func requests() -> [Received] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Received.self, from: Data($0.utf8)) }
    }

    /// SIGKILL: a child of the test process starts with most signals blocked (SIGTERM among them).
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    struct ReceiverError: Error, CustomStringConvertible {
        let output: String
        var description: String { "the OTLP receiver did not start: \(output)" }
    }
}
