public import JSONRPC
public import Logging

/// Turns message bodies into answers, independent of any transport: parses the envelope, resolves the
/// caller, runs each call through the interceptors to its handler with its deadline and cancellation,
/// and writes the answer (batch answers in request order; notifications never answered).
public struct Dispatcher: Sendable {
    /// What to do with one frame's body.
    public enum Step: Sendable {
        /// Answer at once (or not at all), without spending an in-flight slot.
        case answer([UInt8]?)
        /// Run the calls; the answer comes from `run(_:metadata:calls:)`.
        case dispatch(IncomingMessage)
    }

    public let registry: MethodRegistry
    public let interceptors: [any ServerInterceptor]
    public let callers: CallerDirectory
    public let state: ServingState
    public let maximumBatchSize: Int
    public let logger: Logger

    public init(
        registry: MethodRegistry,
        interceptors: [any ServerInterceptor],
        callers: CallerDirectory,
        state: ServingState = ServingState(),
        maximumBatchSize: Int = MessageParser.defaultMaximumBatchSize,
        logger: Logger
    ) {
        self.registry = registry
        self.interceptors = interceptors
        self.callers = callers
        self.state = state
        self.maximumBatchSize = maximumBatchSize
        self.logger = logger
    }

    /// Every method this dispatcher answers: the registered ones and the built-in `rpc.cancel`.
    public var methodNames: [String] { (registry.methodNames + [CancelMethod.name]).sorted() }

    /// Parses a body. A parse error or a bad batch is answered at once; so is `rpc.cancel`, which must
    /// work even while every in-flight slot of the connection is taken, and a call its method can answer
    /// from memory now (`MethodRegistry.Handler.immediate`), through the interceptors'
    /// `interceptImmediately`. Never
    /// suspends: a transport may call it on an event loop.
    public func prepare(_ body: [UInt8], metadata: CallMetadata, calls: ConnectionCalls) -> Step {
        switch MessageParser.parse(body, maximumBatchSize: maximumBatchSize) {
        case .failure(let error):
            return .answer(Response.error(id: .null, error).bytes)
        case .success(.single(.request(let request))) where request.method == CancelMethod.name:
            let answer = cancel(request, calls: calls)
            return .answer(request.id.map { Response(id: $0, outcome: answer).bytes })
        case .success(let message):
            if case .single(.request(let request)) = message, let attempt = registry[request.method]?.immediate, let call = attempt(request.params) {
                let outcome = answerImmediately(request, call: call, frame: FrameContext(metadata: metadata, dispatcher: self))
                return .answer(request.id.map { Response(id: $0, outcome: outcome).bytes })
            }
            return .dispatch(message)
        }
    }

    /// Runs the calls of a message; returns the answer's JSON text, or nil when nothing is to be sent.
    public func run(_ message: IncomingMessage, metadata: CallMetadata, calls: ConnectionCalls) async -> [UInt8]? {
        let frame = FrameContext(metadata: metadata, dispatcher: self)
        switch message {
        case .single(let item):
            return await run(item, frame: frame, calls: calls)?.bytes
        case .batch(let items):
            let responses = await withTaskGroup(of: (Int, Response?).self) { group in
                for (index, item) in items.enumerated() {
                    group.addTask { (index, await run(item, frame: frame, calls: calls)) }
                }
                var responses = [Response?](repeating: nil, count: items.count)
                for await (index, response) in group { responses[index] = response }
                return responses.compactMap { $0 }
            }
            return responses.isEmpty ? nil : Response.batchBytes(responses)
        }
    }

    /// What a frame's calls share: the caller and the deadline, resolved once.
    private struct FrameContext: Sendable {
        let metadata: CallMetadata
        let caller: Caller?
        let deadline: Result<ContinuousClock.Instant?, RPCError>

        init(metadata: CallMetadata, dispatcher: Dispatcher) {
            self.metadata = metadata
            // A token names the caller when one is sent; otherwise the client certificate may (mTLS).
            if let token = metadata.bearerToken, !token.isEmpty {
                self.caller = dispatcher.callers.authenticate(token: token)
            } else {
                self.caller = dispatcher.callers.authenticate(certificateSubjects: metadata.certificateSubjects)
            }
            if let timeout = metadata.timeout {
                self.deadline = Result { () throws(RPCError) in ContinuousClock.now + (try Timeout.parse(timeout)) }
            } else {
                self.deadline = .success(nil)
            }
        }
    }

    private func run(_ item: RequestItem, frame: FrameContext, calls: ConnectionCalls) async -> Response? {
        let request: Request
        switch item {
        case .invalid(let id, let error): return .error(id: id, error)
        case .request(let valid): request = valid
        }
        let outcome: Response.Outcome
        if request.method == CancelMethod.name {
            outcome = cancel(request, calls: calls)
        } else {
            switch admit(request, frame: frame) {
            case .failure(let error): outcome = .error(error)
            case .success(let deadline): outcome = await invoke(request, frame: frame, deadline: deadline, calls: calls)
            }
        }
        return request.id.map { Response(id: $0, outcome: outcome) }
    }

    /// The call's deadline, or why it is answered without running: the server drains (all but health),
    /// or the `Timeout` header is malformed.
    private func admit(_ request: Request, frame: FrameContext) -> Result<ContinuousClock.Instant?, RPCError> {
        if state.isDraining && request.method != HealthCheckMethod.name {
            return .failure(RPCError(.unavailable, "the server is shutting down; retry elsewhere", processed: false))
        }
        return frame.deadline
    }

    /// An immediate method's call, run where it was read: the same admission, context and interceptors
    /// as `invoke`, without a task; its deadline can only have passed before it starts.
    private func answerImmediately(
        _ request: Request,
        call: MethodRegistry.ImmediateCall,
        frame: FrameContext
    ) -> Response.Outcome {
        let deadline: ContinuousClock.Instant?
        switch admit(request, frame: frame) {
        case .failure(let error): return .error(error)
        case .success(let admitted): deadline = admitted
        }
        if let deadline, deadline <= .now { return .error(CallRace.deadlineExceeded) }
        func chain(_ index: Int, _ request: Request, _ context: CallContext) throws -> RawJSON {
            guard index < interceptors.count else { return try call(context) }
            return try interceptors[index].interceptImmediately(request, context: context) { request, context in
                try chain(index + 1, request, context)
            }
        }
        do {
            return .result(try chain(0, request, callContext(request, frame: frame, deadline: deadline)))
        } catch {
            return .error(RPCError(serving: error))
        }
    }

    private func invoke(
        _ request: Request,
        frame: FrameContext,
        deadline: ContinuousClock.Instant?,
        calls: ConnectionCalls
    ) async -> Response.Outcome {
        let context = callContext(request, frame: frame, deadline: deadline)
        let call: @Sendable () async -> Response.Outcome = { [self] in
            do {
                return .result(try await chain(0, request, context))
            } catch {
                return .error(RPCError(serving: error))
            }
        }
        guard let id = request.id else { return await CallRace.run(deadline: deadline, call) }
        let cancellation = CallCancellation()
        calls.register(id, cancellation)
        defer { calls.unregister(id, cancellation) }
        return await cancellation.run { await CallRace.run(deadline: deadline, call) }
    }

    private func callContext(_ request: Request, frame: FrameContext, deadline: ContinuousClock.Instant?) -> CallContext {
        var logger = self.logger
        // Metadata costs a few allocations per call: attach it only when something will be logged.
        if logger.logLevel <= .info {
            logger[metadataKey: "rpc.method"] = "\(request.method)"
            if let id = request.id { logger[metadataKey: "rpc.request_id"] = "\(id)" }
            if let caller = frame.caller { logger[metadataKey: "rpc.caller"] = "\(caller.name)" }
        }
        // The caller's trace id, tracer or not (a tracer's span may replace it: `TracingInterceptor`).
        if let header = frame.metadata.traceparent, let parent = TraceParent(header) {
            logger[metadataKey: "trace_id"] = "\(parent.traceID)"
        }
        return CallContext(
            method: request.method,
            requestID: request.id,
            metadata: frame.metadata,
            caller: frame.caller,
            deadline: deadline,
            logger: logger
        )
    }

    /// Runs interceptor `index`, or the handler after the last one.
    private func chain(_ index: Int, _ request: Request, _ context: CallContext) async throws -> RawJSON {
        if index < interceptors.count {
            return try await interceptors[index].intercept(request, context: context) { request, context in
                try await chain(index + 1, request, context)
            }
        }
        guard let handler = registry[request.method] else { throw RPCError.methodNotFound(request.method) }
        return try await handler.run(request.params, context)
    }

    private func cancel(_ request: Request, calls: ConnectionCalls) -> Response.Outcome {
        do {
            let params = try JSONRPCCoding.decodeParams(
                CancelMethod.Params.self,
                from: request.params,
                names: CancelMethod.parameterNames
            )
            let cancelled = calls.cancel(params.id) > 0
            return .result(try JSONRPCCoding.encode(CancelMethod.Result(cancelled: cancelled)))
        } catch {
            return .error(RPCError(serving: error))
        }
    }
}
