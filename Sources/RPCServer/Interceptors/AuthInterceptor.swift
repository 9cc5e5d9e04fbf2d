public import JSONRPC

/// Checks that the caller may call the method. The server resolves the caller from the frame's bearer
/// token once per frame (a batch shares it); this interceptor answers UNAUTHENTICATED (-32016) when there
/// is no caller and PERMISSION_DENIED (-32007) for a method outside the caller's grants — checked before
/// the method's existence, so method names cannot be probed.
public struct AuthInterceptor: ServerInterceptor {
    /// Methods anyone may call without a token.
    public let publicMethods: Set<String>
    /// Methods every authenticated caller may call.
    public let everyCallerMethods: Set<String>

    public init(
        publicMethods: Set<String> = ["health.check"],
        everyCallerMethods: Set<String> = ["rpc.discover", "rpc.cancel"]
    ) {
        self.publicMethods = publicMethods
        self.everyCallerMethods = everyCallerMethods
    }

    public func intercept(
        _ request: Request,
        context: CallContext,
        next: @Sendable (Request, CallContext) async throws -> RawJSON
    ) async throws -> RawJSON {
        try check(request, context)
        return try await next(request, context)
    }

    public func interceptImmediately(
        _ request: Request,
        context: CallContext,
        next: (Request, CallContext) throws -> RawJSON
    ) throws -> RawJSON {
        try check(request, context)
        return try next(request, context)
    }

    private func check(_ request: Request, _ context: CallContext) throws(RPCError) {
        if publicMethods.contains(request.method) { return }
        guard let caller = context.caller else {
            if let token = context.metadata.bearerToken, !token.isEmpty {
                throw RPCError(.unauthenticated, "unknown bearer token")
            }
            throw RPCError(.unauthenticated, "missing bearer token: send an Authorization: Bearer <token> header")
        }
        guard everyCallerMethods.contains(request.method) || caller.mayCall(request.method) else {
            throw RPCError(.permissionDenied, "caller \(caller.name) may not call \(request.method)")
        }
    }
}
