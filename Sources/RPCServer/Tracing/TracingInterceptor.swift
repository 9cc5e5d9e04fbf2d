public import JSONRPC
import Logging
public import Tracing

/// A server span per call (W3C `Traceparent` continues the caller's trace), named for the method, with
/// the caller and the outcome; never params or results. The call's log lines carry the span's `trace_id`
/// (without a tracer the dispatcher logs the caller's). Install it only with a recording tracer
/// (`Tracer.isRecording`): the server then pays nothing for tracing while none is bootstrapped; with the
/// no-op tracer it passes the call on.
public struct TracingInterceptor: ServerInterceptor {
    public let tracer: any Tracer

    public init(tracer: any Tracer = InstrumentationSystem.tracer) { self.tracer = tracer }

    public func intercept(
        _ request: Request,
        context: CallContext,
        next: @Sendable (Request, CallContext) async throws -> RawJSON
    ) async throws -> RawJSON {
        guard tracer.isRecording else { return try await next(request, context) }
        let (span, context) = start(request, context)
        defer { span.end() }
        return try await observing({ [context] in
            try await ServiceContext.$current.withValue(span.context) { try await next(request, context) }
        }) { finish(span, error: $0) }
    }

    public func interceptImmediately(
        _ request: Request,
        context: CallContext,
        next: (Request, CallContext) throws -> RawJSON
    ) throws -> RawJSON {
        guard tracer.isRecording else { return try next(request, context) }
        let (span, context) = start(request, context)
        defer { span.end() }
        return try observing({ try ServiceContext.$current.withValue(span.context) { try next(request, context) } }) {
            finish(span, error: $0)
        }
    }

    /// The call's span, and its context with the span's trace id on the log lines.
    private func start(_ request: Request, _ context: CallContext) -> (any Span, CallContext) {
        var context = context
        // The caller's trace from the header; in process (no header), the calling task's.
        var parent = ServiceContext.current ?? .topLevel
        if let header = context.metadata.traceparent {
            parent = .topLevel
            tracer.extract(["traceparent": header], into: &parent, using: HeaderCarrier())
        }
        let span: any Span = tracer.startSpan(request.method, context: parent, ofKind: .server)
        span.attributes["rpc.system"] = "jsonrpc"
        span.attributes["rpc.method"] = request.method
        if let caller = context.caller { span.attributes["rpc.caller"] = caller.name }
        var carrier: [String: String] = [:]
        tracer.inject(span.context, into: &carrier, using: HeaderCarrier())
        if let header = carrier["traceparent"], let current = TraceParent(header) {
            context.logger[metadataKey: "trace_id"] = "\(current.traceID)"
        }
        return (span, context)
    }

    private func finish(_ span: any Span, error: (any Error)?) {
        guard let error else {
            span.attributes["rpc.outcome"] = "ok"
            return
        }
        let rpcError = RPCError(serving: error)
        span.attributes["rpc.outcome"] = "error"
        span.attributes["rpc.jsonrpc.error_code"] = rpcError.code.rawValue
        span.attributes["rpc.status"] = rpcError.code.status
        span.setStatus(SpanStatus(code: .error))
    }
}
