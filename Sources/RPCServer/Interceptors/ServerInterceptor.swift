public import JSONRPC

/// Wraps every call, in the order given to the server (the first is outermost): authentication,
/// logging, metrics. An interceptor may answer without calling `next`, change the context for the
/// calls below it, or look at the outcome.
public protocol ServerInterceptor: Sendable {
    func intercept(
        _ request: Request,
        context: CallContext,
        next: @Sendable (Request, CallContext) async throws -> RawJSON
    ) async throws -> RawJSON
}

extension RPCError {
    /// The wire form of any error thrown while serving a call. Errors that do not choose their own
    /// presentation become INTERNAL with a generic message: their detail belongs in the log only.
    public init(serving error: any Error) {
        switch error {
        case let convertible as any RPCErrorConvertible: self = convertible.rpcError
        case is CancellationError: self = RPCError(.cancelled, "the call was cancelled")
        default: self = RPCError(.internal, "internal error")
        }
    }
}
