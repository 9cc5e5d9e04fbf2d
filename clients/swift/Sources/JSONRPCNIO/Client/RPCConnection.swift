public import Instrumentation
public import JSONRPC
public import NIOCore
public import NIOPosix
import NIOSSL
import Synchronization

/// One TCP connection to a JSON-RPC server, multiplexing many calls in flight, matched by id.
///
/// Use it inside `RPCConnection.connect(host:port:_:)`, which runs the reader for the body's
/// lifetime and closes the connection afterwards (structured: no task outlives the call).
public final class RPCConnection: Sendable {
    /// Headers sent with every frame of this connection (a call may override the timeout).
    public struct Options: Sendable {
        public var bearerToken: String?
        /// Compress request bodies of at least `compressionThreshold` bytes, and accept compressed answers.
        public var compression: Bool
        public var compressionThreshold: Int
        public var limits: FrameLimits
        /// TLS (and, with a client certificate, mTLS); nil: plaintext.
        public var tls: ClientTLS?
        /// A fixed W3C `traceparent` sent with every frame (`rpc-cli --traceparent`). Without it, each call
        /// carries the calling task's trace context (`ServiceContext.current`), injected by `instrument`.
        public var traceparent: String?
        /// What injects the calling task's trace context into the `Traceparent` header; nil: the
        /// process's (`InstrumentationSystem.instrument`, a no-op until a tracer is bootstrapped).
        public var instrument: (any Instrument)?

        public init(
            bearerToken: String? = nil,
            compression: Bool = false,
            compressionThreshold: Int = BodyCompression.defaultThreshold,
            limits: FrameLimits = FrameLimits(),
            tls: ClientTLS? = nil,
            traceparent: String? = nil,
            instrument: (any Instrument)? = nil
        ) {
            self.bearerToken = bearerToken
            self.compression = compression
            self.compressionThreshold = compressionThreshold
            self.limits = limits
            self.tls = tls
            self.traceparent = traceparent
            self.instrument = instrument
        }
    }

    /// A frame as it crossed the wire, for tracing (`rpc-cli --raw`).
    public struct Trace: Sendable {
        public enum Direction: Sendable { case sent, received }
        public let direction: Direction
        public let headers: FrameHeaders
        /// The body as JSON text (after decompression for received frames, before compression for sent).
        public let body: [UInt8]
    }

    public enum ConnectionError: Error, Sendable, CustomStringConvertible {
        case closed
        case undecodableAnswer(String)
        /// The TLS handshake was refused or failed (the reason as TLS tells it).
        case tlsHandshake(String)

        public var description: String {
            switch self {
            case .closed: "the connection closed before the answer arrived"
            case .undecodableAnswer(let reason): "the server's answer could not be read: \(reason)"
            case .tlsHandshake(let reason): "the TLS handshake failed: \(reason)"
            }
        }
    }

    /// A call waiting for its answer. The slot exists before the request is written, so an answer
    /// that arrives before the caller suspends is kept, not lost.
    private enum Slot {
        case waiting(CheckedContinuation<Response, any Error>?)
        case answered(Response)
        case failed(any Error)
    }

    private struct State {
        var nextID = 1
        var pending: [RequestID: Slot] = [:]
        var closed = false
        var closeWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var nextWaiterKey = 0

        /// Forgets the call `id`; once no call awaits an answer, wakes whoever waits for that.
        @discardableResult
        mutating func removePending(_ id: RequestID) -> Slot? {
            let slot = pending.removeValue(forKey: id)
            wakeIdleWaitersIfIdle()
            return slot
        }

        mutating func wakeIdleWaitersIfIdle() {
            guard pending.isEmpty || closed, !idleWaiters.isEmpty else { return }
            // Resuming a continuation only schedules its task: safe under the lock.
            idleWaiters.forEach { $0.resume() }
            idleWaiters = []
        }
    }

    public let options: Options
    private let outbound: NIOAsyncChannelOutboundWriter<Frame>
    private let state = Mutex(State())
    private let trace: (@Sendable (Trace) -> Void)?

    private init(outbound: NIOAsyncChannelOutboundWriter<Frame>, options: Options, trace: (@Sendable (Trace) -> Void)?) {
        self.outbound = outbound
        self.options = options
        self.trace = trace
    }

    /// The connected channel, and with TLS the end of its handshake.
    private struct Connected: Sendable {
        let channel: NIOAsyncChannel<Frame, Frame>
        let handshake: EventLoopFuture<Void>?
    }

    /// Connects, runs `body` with the connection, and closes it when `body` returns.
    public static func connect<Result: Sendable>(
        host: String,
        port: Int,
        options: Options = Options(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        trace: (@Sendable (Trace) -> Void)? = nil,
        _ body: (RPCConnection) async throws -> Result
    ) async throws -> Result {
        let connected = try await ClientBootstrap(group: eventLoopGroup)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let limits = options.limits
                    var handshake: EventLoopFuture<Void>?
                    if let tls = options.tls {
                        // SNI and the name checked: the host, unless it is an address (then its IP SAN is checked).
                        let name = tls.serverHostname ?? ((try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil)
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls.context, serverHostname: name))
                        let promise = channel.eventLoop.makePromise(of: Void.self)
                        try channel.pipeline.syncOperations.addHandler(TLSHandshakeWaiter(promise: promise))
                        handshake = promise.futureResult
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(
                            FrameDecoder(limits: limits),
                            maximumBufferSize: limits.maximumHeaderBytes + limits.maximumBodyBytes + 64 * 1024
                        )
                    )
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
                    return Connected(channel: try NIOAsyncChannel<Frame, Frame>(wrappingChannelSynchronously: channel), handshake: handshake)
                }
            }
        let channel = connected.channel
        if let handshake = connected.handshake {
            // A refused handshake (unknown CA, a name that does not match, no client certificate under mTLS)
            // is this connect's error, not a closed connection later.
            do {
                try await handshake.get()
            } catch {
                try? await channel.channel.close()
                throw ConnectionError.tlsHandshake(error is ChannelError ? "the server closed the connection" : "\(error)")
            }
        }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = RPCConnection(outbound: outbound, options: options, trace: trace)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { connection.failAll(ConnectionError.closed) }
                    for try await frame in inbound { connection.receive(frame) }
                }
                defer { group.cancelAll() }
                return try await body(connection)
            }
        }
    }

    /// Whether the connection has closed; calls on it fail at once.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Returns once the connection has closed, or once the waiting task is cancelled.
    public func waitUntilClosed() async {
        let key = state.withLock { state in
            defer { state.nextWaiterKey += 1 }
            return state.nextWaiterKey
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || Task.isCancelled { return true }
                    state.closeWaiters[key] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            // Wake this waiter only; the connection stays open for the others.
            state.withLock { $0.closeWaiters.removeValue(forKey: key) }?.resume()
        }
    }

    /// Returns once no call on this connection awaits its answer (at once if none does), or once it
    /// has closed. A client retiring a connection waits for this before closing it, so that calls the
    /// server has already read still get their answers.
    public func waitUntilIdle() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state -> Bool in
                if state.pending.isEmpty || state.closed { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// A fresh id for a call on this connection.
    public func makeID() -> RequestID {
        state.withLock { state in
            defer { state.nextID += 1 }
            return RequestID(state.nextID)
        }
    }

    /// Sends one call and waits for its answer. A `timeout` is sent as the `Timeout` header and also
    /// enforced here: when it passes, `rpc.cancel` is sent and the call fails with DEADLINE_EXCEEDED.
    public func call(
        _ method: String,
        params: RawJSON? = nil,
        id: RequestID? = nil,
        timeout: Duration? = nil
    ) async throws -> Response {
        let id = id ?? makeID()
        let request = Request(id: id, method: method, params: params)
        return try await send([request], batch: false, timeout: timeout)[0]
    }

    /// Sends a batch; answers come back in request order (notifications have none).
    public func batch(_ requests: [Request], timeout: Duration? = nil) async throws -> [Response] {
        try await send(requests, batch: true, timeout: timeout)
    }

    /// Sends a notification: no id, no answer.
    public func notify(_ method: String, params: RawJSON? = nil) async throws {
        try await write(Request.body([Request(id: nil, method: method, params: params)], batch: false), timeout: nil)
    }

    /// Sends a body exactly as given (for tests and `rpc-cli batch`), and waits for answers to `expecting` ids.
    public func sendRaw(_ body: [UInt8], expecting ids: [RequestID], timeout: Duration? = nil) async throws -> [Response] {
        try await exchange(body, ids: ids, timeout: timeout)
    }

    private func send(_ requests: [Request], batch: Bool, timeout: Duration?) async throws -> [Response] {
        try await exchange(Request.body(requests, batch: batch), ids: requests.compactMap(\.id), timeout: timeout)
    }

    private func exchange(_ body: [UInt8], ids: [RequestID], timeout: Duration?) async throws -> [Response] {
        try state.withLock { state in
            if state.closed { throw ConnectionError.closed }
            for id in ids { state.pending[id] = .waiting(nil) }
        }
        do {
            try await write(body, timeout: timeout)
        } catch {
            state.withLock { state in ids.forEach { state.removePending($0) } }
            throw error
        }
        guard !ids.isEmpty else { return [] }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        return try await withThrowingTaskGroup(of: (Int, Response).self) { group in
            for (index, id) in ids.enumerated() {
                group.addTask { (index, try await self.answer(to: id, deadline: deadline)) }
            }
            var responses = [Response?](repeating: nil, count: ids.count)
            for try await (index, response) in group { responses[index] = response }
            return responses.map { $0! }
        }
    }

    private func answer(to id: RequestID, deadline: ContinuousClock.Instant?) async throws -> Response {
        guard let deadline else { return try await waitForAnswer(to: id) }
        let answer = try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask { try await self.waitForAnswer(to: id) }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        if let answer { return answer }
        // The deadline passed first: tell the server (best effort: the connection may be gone) and fail here.
        _ = state.withLock { $0.removePending(id) }
        try? await notify("rpc.cancel", params: try RawJSON(#"{"id":\#(id.json)}"#))
        return .error(id: id, RPCError(.deadlineExceeded, "no answer within the deadline"))
    }

    private func waitForAnswer(to id: RequestID) async throws -> Response {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome: Result<Response, any Error>? = state.withLock { state in
                    switch state.pending[id] {
                    case .answered(let response):
                        state.removePending(id)
                        return .success(response)
                    case .failed(let error):
                        state.removePending(id)
                        return .failure(error)
                    case .waiting:
                        if Task.isCancelled {
                            state.removePending(id)
                            return .failure(CancellationError())
                        }
                        state.pending[id] = .waiting(continuation)
                        return nil
                    case nil:
                        return .failure(state.closed ? ConnectionError.closed : CancellationError())
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let slot = state.withLock { $0.removePending(id) }
            if case .waiting(let continuation?) = slot { continuation.resume(throwing: CancellationError()) }
        }
    }

    private func write(_ body: [UInt8], timeout: Duration?) async throws {
        var headers = FrameHeaders(acceptsDeflate: options.compression, bearerToken: options.bearerToken)
        headers.timeout = timeout.map(Timeout.format)
        headers.traceparent = options.traceparent ?? Self.traceparent(of: ServiceContext.current, instrument: options.instrument)
        trace?(Trace(direction: .sent, headers: headers, body: body))
        var buffer = ByteBuffer(bytes: body)
        if options.compression, body.count >= options.compressionThreshold, let compressed = BodyCompression.compress(buffer) {
            headers.contentEncoding = .deflate
            buffer = compressed
        }
        do {
            try await outbound.write(Frame(headers: headers, body: buffer))
        } catch let error as ChannelError where error == .ioOnClosedChannel || error == .outputClosed || error == .alreadyClosed {
            // The peer closed before the reader noticed: the same end as a close seen by the reader.
            throw ConnectionError.closed
        }
    }

    /// The `traceparent` of the calling task's trace context, as the instrument propagates it; nil outside a trace.
    private static func traceparent(of context: ServiceContext?, instrument: (any Instrument)?) -> String? {
        guard let context else { return nil }
        var carrier = TraceHeaders()
        (instrument ?? InstrumentationSystem.instrument).inject(context, into: &carrier, using: TraceHeaders.Injector())
        return carrier.traceparent
    }

    private func receive(_ frame: Frame) {
        var body = frame.body
        if frame.headers.contentEncoding == .deflate {
            guard let inflated = try? BodyCompression.decompress(body, limit: options.limits.maximumBodyBytes) else {
                failAll(ConnectionError.undecodableAnswer("corrupt deflate body"))
                return
            }
            body = inflated
        }
        let bytes = Array(body.readableBytesView)
        trace?(Trace(direction: .received, headers: frame.headers, body: bytes))
        let responses: [Response]
        do {
            responses = try ResponseParser.parse(bytes)
        } catch {
            failAll(ConnectionError.undecodableAnswer(error.message))
            return
        }
        for response in responses {
            let delivered = state.withLock { state -> Bool? in
                switch state.pending[response.id] {
                case .waiting(let continuation?):
                    state.removePending(response.id)
                    continuation.resume(returning: response)
                    return true
                case .waiting(nil):
                    state.pending[response.id] = .answered(response)
                    return true
                case .answered, .failed, nil:
                    return nil
                }
            }
            if delivered == nil, response.id == .null, let error = response.error {
                // The server could not read a frame at all (id unknown): every waiting call hears why.
                failAll(error)
            }
        }
    }

    private func failAll(_ error: any Error) {
        let (waiting, closeWaiters) = state.withLock { state in
            state.closed = state.closed || error is ConnectionError
            let closeWaiters = state.closed ? Array(state.closeWaiters.values) : []
            if state.closed { state.closeWaiters = [:] }
            var waiting: [CheckedContinuation<Response, any Error>] = []
            for (id, slot) in state.pending {
                switch slot {
                case .waiting(let continuation?):
                    waiting.append(continuation)
                    state.pending[id] = nil
                case .waiting(nil): state.pending[id] = .failed(error)
                case .answered, .failed: continue
                }
            }
            state.wakeIdleWaitersIfIdle()
            return (waiting, closeWaiters)
        }
        waiting.forEach { $0.resume(throwing: error) }
        closeWaiters.forEach { $0.resume() }
    }
}
