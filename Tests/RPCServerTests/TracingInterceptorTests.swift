import InMemoryTracing
import JSONRPC
import Logging
import RPCServer
import RPCTestSupport
import Synchronization
import Testing
import Tracing

/// The tracing interceptor on its own: the W3C header's parsing, a span per call continuing the
/// caller's trace, and the trace id in the call's log lines, with and without a tracer.
@Suite("Tracing interceptor")
struct TracingInterceptorTests {
    static let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test("traceparent: W3C's version 00 form only; anything else starts a new trace")
    func parsing() throws {
        let parsed = try #require(TraceParent(Self.header))
        #expect(parsed.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && parsed.parentID == "00f067aa0ba902b7" && parsed.flags == "01")
        #expect(TraceParent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later") != nil, "a later version may add fields")
        let refused = [
            "", "00", Self.header.uppercased(), Self.header + "-extra",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        ]
        for header in refused { #expect(TraceParent(header) == nil, "\(header)") }
    }

    @Test("without a tracer: no span, and the call's log lines carry the caller's trace id")
    func noTracer() async throws {
        let lines = RecordedLines()
        let dispatcher = Self.dispatcher(tracer: NoOpTracer(), lines: lines)
        _ = try await Self.call(dispatcher, traceparent: Self.header)
        _ = try await Self.call(dispatcher, traceparent: "not a trace")
        let traceIDs = lines.all.map { $0["trace_id"].map { "\($0)" } }
        #expect(traceIDs == ["4bf92f3577b34da6a3ce929d0e0e4736", nil])
    }

    @Test("with a tracer: a server span per call, the caller's child, with method, caller and outcome; its trace id in the log line")
    func spans() async throws {
        let tracer = W3CTestTracer()
        let lines = RecordedLines()
        let dispatcher = Self.dispatcher(tracer: tracer, lines: lines)
        _ = try await Self.call(dispatcher, traceparent: Self.header)
        _ = try await Self.call(dispatcher, method: "math.missing", traceparent: nil)
        let spans = tracer.finishedSpans
        try #require(spans.count == 2)
        let ok = spans[0]
        #expect(ok.operationName == "math.double" && ok.kind == .server)
        #expect(ok.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && ok.parentSpanID == "00f067aa0ba902b7")
        #expect(ok.attributes["rpc.caller"]?.toSpanAttribute() == .string("t"))
        #expect(ok.attributes["rpc.outcome"]?.toSpanAttribute() == .string("ok"))
        let failed = spans[1]
        #expect(failed.parentSpanID == nil && failed.traceID != ok.traceID, "no header: a new trace")
        #expect(failed.attributes["rpc.outcome"]?.toSpanAttribute() == .string("error"))
        #expect(failed.attributes["rpc.status"]?.toSpanAttribute() == .string("UNIMPLEMENTED"))
        #expect(failed.status?.code == .error)
        let traceIDs = lines.all.map { $0["trace_id"].map { "\($0)" } }
        #expect(traceIDs == [ok.traceID, failed.traceID])
    }

    static func dispatcher(tracer: any Tracer, lines: RecordedLines) -> Dispatcher {
        var registry = MethodRegistry()
        registry.register(DispatcherTests.Double.self) { params, _ in params.n * 2 }
        var logger = Logger(label: "test") { _ in RecordingHandler(lines: lines) }
        logger.logLevel = .info
        return Dispatcher(
            registry: registry,
            interceptors: [TracingInterceptor(tracer: tracer), LoggingInterceptor(), AuthInterceptor()],
            callers: CallerDirectory().adding(Caller(name: "t", allowedMethods: [MethodPattern("math.*")]), token: "t"),
            logger: logger
        )
    }

    static func call(_ dispatcher: Dispatcher, method: String = "math.double", traceparent: String?) async throws -> [UInt8]? {
        let body = Array(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":{"n":2}}"#.utf8)
        let metadata = CallMetadata(bearerToken: "t", traceparent: traceparent)
        guard case .dispatch(let message) = dispatcher.prepare(body, metadata: metadata, calls: ConnectionCalls()) else { return nil }
        return await dispatcher.run(message, metadata: metadata, calls: ConnectionCalls())
    }
}

/// The metadata of every log line, in order.
final class RecordedLines: Sendable {
    private let lines = Mutex<[Logger.Metadata]>([])
    var all: [Logger.Metadata] { lines.withLock { $0 } }
    func append(_ metadata: Logger.Metadata) { lines.withLock { $0.append(metadata) } }
}

struct RecordingHandler: LogHandler {
    let lines: RecordedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append(metadata.merging(event.metadata ?? [:]) { $1 })
    }
}
