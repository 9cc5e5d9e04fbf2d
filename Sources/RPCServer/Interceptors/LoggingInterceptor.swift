public import JSONRPC
public import Logging

/// One log line per call: method, caller, duration, outcome and error code. Never params or results,
/// which may hold personal data; an INTERNAL error's full detail is logged, as it never reaches the wire.
public struct LoggingInterceptor: ServerInterceptor {
    public let level: Logger.Level

    public init(level: Logger.Level = .info) { self.level = level }

    public func intercept(
        _ request: Request,
        context: CallContext,
        next: @Sendable (Request, CallContext) async throws -> RawJSON
    ) async throws -> RawJSON {
        guard context.logger.logLevel <= level else { return try await next(request, context) }
        let start = ContinuousClock.now
        return try await observing({ try await next(request, context) }) { log(context, since: start, error: $0) }
    }

    public func interceptImmediately(
        _ request: Request,
        context: CallContext,
        next: (Request, CallContext) throws -> RawJSON
    ) throws -> RawJSON {
        guard context.logger.logLevel <= level else { return try next(request, context) }
        let start = ContinuousClock.now
        return try observing({ try next(request, context) }) { log(context, since: start, error: $0) }
    }

    private func log(_ context: CallContext, since start: ContinuousClock.Instant, error: (any Error)?) {
        let elapsed = ContinuousClock.now - start
        var metadata: Logger.Metadata = [
            "rpc.outcome": error == nil ? "ok" : "error",
            "rpc.duration_ms": "\(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000)",
        ]
        if let error {
            let rpcError = RPCError(serving: error)
            metadata["rpc.code"] = "\(rpcError.code.rawValue)"
            metadata["rpc.status"] = "\(rpcError.code.status)"
            if rpcError.code == .internal, !(error is any RPCErrorConvertible) {
                metadata["error"] = "\(String(reflecting: error))"
            }
        }
        context.logger.log(level: level, "rpc call", metadata: metadata)
    }
}
