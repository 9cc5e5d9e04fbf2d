public import JSONRPC

/// The methods a server answers, each a typed Swift function: params are decoded from the call (by
/// name or by position) and the result encoded, so handlers never touch JSON.
public struct MethodRegistry: Sendable {
    public struct Handler: Sendable {
        public let name: String
        let run: @Sendable (RawJSON?, CallContext) async throws -> RawJSON
    }

    private var handlers: [String: Handler] = [:]

    public init() {}

    /// Every registered method name, sorted.
    public var methodNames: [String] { handlers.keys.sorted() }

    public subscript(method: String) -> Handler? { handlers[method] }

    /// Registers the handler of `method`. A second registration of one name is a programming error.
    public mutating func register<M: RPCMethod>(
        _ method: M.Type,
        handler: @escaping @Sendable (M.Params, CallContext) async throws -> M.Result
    ) {
        precondition(handlers[M.name] == nil, "method \(M.name) registered twice")
        handlers[M.name] = Handler(name: M.name) { params, context in
            let decoded = try JSONRPCCoding.decodeParams(M.Params.self, from: params, names: M.parameterNames)
            let result = try await handler(decoded, context)
            return try JSONRPCCoding.encode(result)
        }
    }

    /// Registers a handler that works on JSON text directly, for results that already are JSON
    /// (the OpenRPC document).
    public mutating func registerRaw(
        _ name: String,
        parameterNames: [String],
        handler: @escaping @Sendable (RawJSON?, CallContext) async throws -> RawJSON
    ) {
        precondition(handlers[name] == nil, "method \(name) registered twice")
        handlers[name] = Handler(name: name, run: handler)
    }
}
