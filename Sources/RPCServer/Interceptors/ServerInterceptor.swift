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

    /// The same for a call answered from memory (`MethodRegistry.Handler.immediate`), answered on the
    /// connection's event loop where it was read: it must do what `intercept` does, without suspending.
    func interceptImmediately(
        _ request: Request,
        context: CallContext,
        next: (Request, CallContext) throws -> RawJSON
    ) throws -> RawJSON
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

/// Runs an interceptor's `next` and tells `finished` how it ended (nil: a result), for interceptors that
/// look at the outcome; the result or the error goes on unchanged.
func observing(_ next: () async throws -> RawJSON, finished: ((any Error)?) -> Void) async throws -> RawJSON {
    do {
        let result = try await next()
        finished(nil)
        return result
    } catch {
        finished(error)
        throw error
    }
}

/// `observing` for an immediate method's call.
func observing(_ next: () throws -> RawJSON, finished: ((any Error)?) -> Void) throws -> RawJSON {
    do {
        let result = try next()
        finished(nil)
        return result
    } catch {
        finished(error)
        throw error
    }
}
