public import CoreMetrics
public import JSONRPC

/// Counts calls by method and status (`rpc_calls_total`) and times them (`rpc_call_duration`), through
/// swift-metrics, so whichever backend the process bootstraps (Prometheus, OTel, …) receives them.
/// Methods the server does not know are counted as `unknown`, so random names cannot grow the label set.
public struct MetricsInterceptor: ServerInterceptor {
    public let knownMethods: Set<String>
    private let factory: any MetricsFactory

    public init(knownMethods: Set<String>, factory: any MetricsFactory = MetricsSystem.factory) {
        self.knownMethods = knownMethods
        self.factory = factory
    }

    public func intercept(
        _ request: Request,
        context: CallContext,
        next: @Sendable (Request, CallContext) async throws -> RawJSON
    ) async throws -> RawJSON {
        let method = knownMethods.contains(request.method) ? request.method : "unknown"
        let start = ContinuousClock.now
        func record(_ status: String) {
            let elapsed = ContinuousClock.now - start
            Counter(label: "rpc_calls_total", dimensions: [("method", method), ("status", status)], factory: factory).increment()
            let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
            Timer(label: "rpc_call_duration", dimensions: [("method", method)], factory: factory).recordNanoseconds(nanoseconds)
        }
        do {
            let result = try await next(request, context)
            record("OK")
            return result
        } catch {
            record(RPCError(serving: error).code.status)
            throw error
        }
    }
}
