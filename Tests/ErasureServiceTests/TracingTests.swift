import ALTErasureClient
import ErasureService
import InMemoryTracing
import RPCServer
import RPCTestSupport
import ServiceTestSupport
import Testing
import Tracing

/// Tracing end to end over a real socket: the generated client sends the caller's context as
/// `Traceparent`, the server's call span continues it, and the erasure it starts, its batches, the outbox
/// and backups are spans below it. Spans carry names, ids and outcomes; never params, emails or codes.
@Suite("Tracing", .serialized, .timeLimit(.minutes(2)))
struct TracingTests {
    @Test("a call continues the caller's trace; its erasure run and batches are its children; no personal data in any span")
    func callsAndTheirWork() async throws {
        let tracer = W3CTestTracer()
        try await DemoServer.run(worker: nil, tracer: tracer) { port, server in
            let configuration = ALTErasureClient.Configuration(port: port, token: DemoServer.devToken, connections: 1, instrument: tracer)
            try await ALTErasureClient.run(configuration) { client in
                // Outside any span: the server starts a trace of its own.
                _ = try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: "123456")
                try await withTracedSpan("caller.work", tracer: tracer) { _ in
                    _ = try await client.deletionExecute(requestId: "req_demo_ig")
                    await server.requests.runner.waitUntilIdle()
                    _ = try await client.outboxClaim(limit: 100)
                    _ = try await client.backupsCreate()
                    _ = await rpcError { try await client.deletionStatus(requestId: "req_nobody") }
                }
            }
        }
        let spans = tracer.finishedSpans
        let caller = try Self.span("caller.work", in: spans)
        let execute = try Self.span("deletion.execute", in: spans)
        #expect(execute.traceID == caller.traceID && execute.parentSpanID == caller.spanID, "the call continues the caller's trace")
        #expect(execute.kind == .server)
        #expect(execute.attributes["rpc.method"]?.toSpanAttribute() == .string("deletion.execute"))
        #expect(execute.attributes["rpc.caller"]?.toSpanAttribute() == .string("dev"))
        #expect(execute.attributes["rpc.outcome"]?.toSpanAttribute() == .string("ok"))

        let verify = try Self.span("deletion.verifyIdentity", in: spans)
        #expect(verify.parentSpanID == nil && verify.traceID != caller.traceID, "a call without Traceparent starts a trace")

        let run = try Self.span("erasure.run", in: spans)
        #expect(run.traceID == caller.traceID && run.parentSpanID == execute.spanID, "the run is the call's child, though it outlives it")
        #expect(run.attributes["erasure.request_id"]?.toSpanAttribute() == .string("req_demo_ig"))
        let batches = spans.filter { $0.operationName == "erasure.batch" }
        #expect(!batches.isEmpty)
        #expect(batches.allSatisfy { $0.parentSpanID == run.spanID })
        let rows = batches.compactMap { batch -> Int64? in
            guard case .int64(let rows)? = batch.attributes["erasure.rows"]?.toSpanAttribute() else { return nil }
            return rows
        }
        #expect(rows.count == batches.count && rows.reduce(0, +) > 0)

        let claimCall = try Self.span("outbox.claim", kind: .server, in: spans)
        let claim = try Self.span("outbox.claim", kind: .internal, in: spans)
        #expect(claim.parentSpanID == claimCall.spanID)
        let backupCall = try Self.span("backups.create", in: spans)
        let backup = try Self.span("backup.create", in: spans)
        #expect(backup.parentSpanID == backupCall.spanID)

        let missing = try Self.span("deletion.status", in: spans)
        #expect(missing.attributes["rpc.outcome"]?.toSpanAttribute() == .string("error"))
        #expect(missing.attributes["rpc.status"]?.toSpanAttribute() == .string("NOT_FOUND"))
        #expect(missing.status?.code == .error)

        let values = spans.flatMap { span in Self.attributeTexts(span) }
        let personal = values.filter { $0.contains("@") || $0.contains("123456") || $0.contains("Demo") }
        #expect(personal.isEmpty, "spans carry no personal data: \(personal)")
    }

    @Test("without a tracer the server has no tracing interceptor at all")
    func noTracerNoInterceptor() async throws {
        try await DemoServer.withClient { _, server in
            let dispatcher = try ErasureServer.makeDispatcher(callers: DemoServer.callers, requests: server.requests, logger: LiveTCPServer.quietLogger)
            #expect(!dispatcher.interceptors.contains { $0 is TracingInterceptor })
            var traced = server.requests.environment
            traced.tracer = W3CTestTracer()
            let withTracer = DeletionRequests(store: server.requests.store, environment: traced, logger: LiveTCPServer.quietLogger)
            let tracing = try ErasureServer.makeDispatcher(callers: DemoServer.callers, requests: withTracer, logger: LiveTCPServer.quietLogger)
            #expect(tracing.interceptors.first is TracingInterceptor)
        }
    }

    static func span(_ name: String, kind: SpanKind? = nil, in spans: [FinishedInMemorySpan]) throws -> FinishedInMemorySpan {
        let matching = spans.filter { $0.operationName == name && (kind == nil || $0.kind == kind) }
        return try #require(matching.first, "no span \(name) among \(spans.map(\.operationName))")
    }

    static func attributeTexts(_ span: FinishedInMemorySpan) -> [String] {
        var texts: [String] = []
        span.attributes.forEach { key, attribute in texts.append("\(key)=\(attribute)") }
        return texts
    }
}
