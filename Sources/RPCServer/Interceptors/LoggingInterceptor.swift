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
        func log(_ outcome: String, _ extra: Logger.Metadata = [:]) {
            let elapsed = ContinuousClock.now - start
            var metadata: Logger.Metadata = [
                "rpc.outcome": "\(outcome)",
                "rpc.duration_ms": "\(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000)",
            ]
            metadata.merge(extra) { $1 }
            context.logger.log(level: level, "rpc call", metadata: metadata)
        }
        do {
            let result = try await next(request, context)
            log("ok")
            return result
        } catch {
            let rpcError = RPCError(serving: error)
            var extra: Logger.Metadata = [
                "rpc.code": "\(rpcError.code.rawValue)", "rpc.status": "\(rpcError.code.status)",
            ]
            if rpcError.code == .internal, !(error is any RPCErrorConvertible) {
                extra["error"] = "\(String(reflecting: error))"
            }
            log("error", extra)
            throw error
        }
    }
}
