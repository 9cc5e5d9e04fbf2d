public import JSONRPC

/// The methods a server answers, each a typed Swift function: params are decoded from the call (by
/// name or by position) and the result encoded, so handlers never touch JSON.
public struct MethodRegistry: Sendable {
    public struct Handler: Sendable {
        public let name: String
        let run: @Sendable (RawJSON?, CallContext) async throws -> RawJSON
        /// For a method that can answer from memory without waiting (no I/O, no lock a suspended task may
        /// hold), asked where the call was read: the call, when it can be answered that way now (nil: it
        /// runs as a task, `run`). A transport answers such a call on the connection's event loop: no
        /// task, no race against the deadline, no entry for `rpc.cancel` (none could act before it has
        /// answered).
        let immediate: (@Sendable (RawJSON?) -> ImmediateCall?)?
    }

    /// An immediate answer, run through the interceptors' `interceptImmediately`.
    public typealias ImmediateCall = @Sendable (CallContext) throws -> RawJSON

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
            immediate: nil
        )
    }

    /// Registers a method that can sometimes answer from memory: `immediately` is asked, where the call is
    /// read and without waiting, for its result as JSON (so an answer can be kept and sent again; a call
    /// whose params do not decode is not asked); nil, and `handler` runs as for any method.
    public mutating func register<M: RPCMethod>(
        _ method: M.Type,
        immediately: @escaping @Sendable (M.Params) -> RawJSON?,
        handler: @escaping @Sendable (M.Params, CallContext) async throws -> M.Result
    ) {
        register(method, handler: handler)
        let attempt: @Sendable (RawJSON?) -> ImmediateCall? = { params in
            // Params that do not decode go the usual way, where the handler answers INVALID_PARAMS.
            guard let decoded = try? JSONRPCCoding.decodeParams(M.Params.self, from: params, names: M.parameterNames),
                let result = immediately(decoded)
            else { return nil }
            return { _ in result }
        }
        handlers[M.name] = handlers[M.name].map { Handler(name: $0.name, run: $0.run, immediate: attempt) }
    }

    /// Registers a handler that works on JSON text directly, for results that already are JSON
    /// (the OpenRPC document).
    public mutating func registerRaw(
        _ name: String,
        parameterNames: [String],
        handler: @escaping @Sendable (RawJSON?, CallContext) async throws -> RawJSON
    ) {
        precondition(handlers[name] == nil, "method \(name) registered twice")
        handlers[name] = Handler(name: name, run: handler, immediate: nil)
    }

    /// `registerRaw` for an immediate method: one that always answers from memory and never waits.
    public mutating func registerRawImmediate(
        _ name: String,
        parameterNames: [String],
        handler: @escaping @Sendable (RawJSON?, CallContext) throws -> RawJSON
    ) {
        precondition(handlers[name] == nil, "method \(name) registered twice")
        handlers[name] = Handler(name: name, run: { try handler($0, $1) }, immediate: { params in { try handler(params, $0) } })
    }
}
