public import JSONRPC

/// The methods a server answers, each a typed Swift function: params are decoded from the call (by
/// name or by position) and the result encoded, so handlers never touch JSON.
public struct MethodRegistry: Sendable {
    public struct Handler: Sendable {
        public let name: String
        let run: @Sendable (RawJSON?, CallContext) async throws -> RawJSON
        /// Set for an immediate method: one that answers from memory and never waits (no I/O, no lock a
        /// suspended task may hold). A transport answers its calls on the connection's event loop, where
        /// it read them: no task, no race against the deadline, no entry for `rpc.cancel` (none could act
        /// before it has answered).
        let runImmediately: (@Sendable (RawJSON?, CallContext) throws -> RawJSON)?

        public var isImmediate: Bool { runImmediately != nil }
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
        handlers[M.name] = Handler(
            name: M.name,
            run: { params, context in
                let decoded = try JSONRPCCoding.decodeParams(M.Params.self, from: params, names: M.parameterNames)
                let result = try await handler(decoded, context)
                return try JSONRPCCoding.encode(result)
            },
            runImmediately: nil
        )
    }

    /// Registers the handler of an immediate method (`Handler.runImmediately`): it must not wait.
    public mutating func registerImmediate<M: RPCMethod>(
        _ method: M.Type,
        handler: @escaping @Sendable (M.Params, CallContext) throws -> M.Result
    ) {
        precondition(handlers[M.name] == nil, "method \(M.name) registered twice")
        let run: @Sendable (RawJSON?, CallContext) throws -> RawJSON = { params, context in
            let decoded = try JSONRPCCoding.decodeParams(M.Params.self, from: params, names: M.parameterNames)
            return try JSONRPCCoding.encode(try handler(decoded, context))
        }
        handlers[M.name] = Handler(name: M.name, run: { try run($0, $1) }, runImmediately: run)
    }

    /// Registers a handler that works on JSON text directly, for results that already are JSON
    /// (the OpenRPC document).
    public mutating func registerRaw(
        _ name: String,
        parameterNames: [String],
        handler: @escaping @Sendable (RawJSON?, CallContext) async throws -> RawJSON
    ) {
        precondition(handlers[name] == nil, "method \(name) registered twice")
        handlers[name] = Handler(name: name, run: handler, runImmediately: nil)
    }

    /// `registerRaw` for an immediate method.
    public mutating func registerRawImmediate(
        _ name: String,
        parameterNames: [String],
        handler: @escaping @Sendable (RawJSON?, CallContext) throws -> RawJSON
    ) {
        precondition(handlers[name] == nil, "method \(name) registered twice")
        handlers[name] = Handler(name: name, run: { try handler($0, $1) }, runImmediately: handler)
    }
}
