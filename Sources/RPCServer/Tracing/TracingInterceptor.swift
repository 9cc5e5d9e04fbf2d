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
        var context = context
        // The caller's trace from the header; in process (no header), the calling task's.
        var parent = ServiceContext.current ?? .topLevel
        if let header = context.metadata.traceparent {
            parent = .topLevel
            tracer.extract(["traceparent": header], into: &parent, using: HeaderCarrier())
        }
        let span: any Span = tracer.startSpan(request.method, context: parent, ofKind: .server)
        defer { span.end() }
        span.attributes["rpc.system"] = "jsonrpc"
        span.attributes["rpc.method"] = request.method
        if let caller = context.caller { span.attributes["rpc.caller"] = caller.name }
        var carrier: [String: String] = [:]
        tracer.inject(span.context, into: &carrier, using: HeaderCarrier())
        if let header = carrier["traceparent"], let current = TraceParent(header) {
            context.logger[metadataKey: "trace_id"] = "\(current.traceID)"
        }
        do {
            let result = try await ServiceContext.$current.withValue(span.context) { [context] in
                try await next(request, context)
            }
            span.attributes["rpc.outcome"] = "ok"
            return result
        } catch {
            let rpcError = RPCError(serving: error)
            span.attributes["rpc.outcome"] = "error"
            span.attributes["rpc.jsonrpc.error_code"] = rpcError.code.rawValue
            span.attributes["rpc.status"] = rpcError.code.status
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}
