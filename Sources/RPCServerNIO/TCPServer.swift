import JSONRPC
import JSONRPCNIO
public import Logging
public import NIOCore
public import NIOPosix
import NIOSSL
public import RPCServer
public import ServiceLifecycle

/// The JSON-RPC server on TCP: LSP framing, many calls in flight per connection answered as they finish,
/// back-pressure, connection cap, idle timeout, and graceful drain as a swift-service-lifecycle `Service`.
public struct TCPServer: Service {
    public let configuration: TCPServerConfiguration
    public let dispatcher: Dispatcher
    private let eventLoopGroup: any EventLoopGroup
    private let onListening: @Sendable (SocketAddress) async -> Void
    private let logger: Logger

    public init(
        configuration: TCPServerConfiguration,
        dispatcher: Dispatcher,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        onListening: @escaping @Sendable (SocketAddress) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.dispatcher = dispatcher
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.onListening = onListening
    }

    /// The child channel's output: the async channel and the state the pipeline shares with it.
    private struct Accepted: Sendable {
        let channel: NIOAsyncChannel<Incoming, Frame>
        let state: ConnectionState
    }

    /// Serves until graceful shutdown, then drains: stops accepting, answers new calls UNAVAILABLE
    /// (`processed: false`) until each peer closes, lets calls in flight finish within the grace period,
    /// then stops reading, answers what it has read, closes, and returns.
    public func run() async throws {
        let configuration = self.configuration
        let dispatcher = self.dispatcher
        let serverChannel = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            // The end of the read side (the peer's half-close, or ours when a drain's grace period ends) ends
            // the session's reading only: the answers to calls already read are still written, then it closes.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let state = ConnectionState(channel: channel)
                    let limits = configuration.frameLimits
                    let decoder = FrameDecoder(limits: limits)
                    let pipeline = channel.pipeline.syncOperations
                    if let tls = configuration.tls {
                        // The context of the moment: a reload (SIGHUP) changes it for later connections only.
                        try pipeline.addHandler(NIOSSLServerHandler(context: tls.context))
                        try pipeline.addHandler(PeerIdentityHandler(connection: state))
                    }
                    try pipeline.addHandler(IdleStateHandler(allTimeout: TimeAmount(configuration.idleTimeout)))
                    try pipeline.addHandler(IdleConnectionCloser(connection: state))
                    try pipeline.addHandler(
                        ByteToMessageHandler(
                            decoder,
                            maximumBufferSize: limits.maximumHeaderBytes + limits.maximumBodyBytes + 64 * 1024
                        )
                    )
                    try pipeline.addHandler(MessageToByteHandler(FrameEncoder()))
                    try pipeline.addHandler(
                        CallReader(
                            dispatcher: dispatcher, connection: state, limits: limits,
                            compressionThreshold: configuration.compressionThreshold
                        )
                    )
                    let asyncChannel = try NIOAsyncChannel<Incoming, Frame>(wrappingChannelSynchronously: channel)
                    return Accepted(channel: asyncChannel, state: state)
                }
            }
        guard let address = serverChannel.channel.localAddress else {
            throw IOError(errnoCode: 99, reason: "the listening socket has no address")
        }
        logger.info("listening", metadata: ["address": "\(address)"])
        await onListening(address)

        let connections = ConnectionRegistry(limit: configuration.maximumConnections)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await serverChannel.executeThenClose { inbound in
                    for try await accepted in inbound {
                        group.addTask { await serve(accepted, connections: connections) }
                    }
                }
            }
        } onGracefulShutdown: {
            logger.info("draining", metadata: ["grace_ms": "\(configuration.gracePeriod.components.seconds * 1000)"])
            // New calls are answered UNAVAILABLE (`processed: false`) from now on, on every open connection,
            // until its peer closes it or the grace period ends; calls in flight run on meanwhile.
            dispatcher.state.startDraining()
            serverChannel.channel.close(promise: nil)
            let loop = serverChannel.channel.eventLoop
            loop.scheduleTask(in: TimeAmount(configuration.gracePeriod)) {
                connections.endGrace()
                loop.scheduleTask(in: TimeAmount(TCPServerConfiguration.closeLinger)) { connections.closeAll() }
            }
        }
        logger.info("stopped")
    }

    private func serve(_ accepted: Accepted, connections: ConnectionRegistry) async {
        guard connections.add(accepted.state) else {
            await reject(accepted.channel, RPCError(.resourceExhausted, "too many connections; retry later", retryable: true))
            return
        }
        defer { connections.remove(accepted.state) }
        do {
            try await accepted.channel.executeThenClose { inbound, outbound in
                let session = Session(server: self, outbound: outbound, state: accepted.state)
                await session.run(inbound)
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func reject(_ channel: NIOAsyncChannel<Incoming, Frame>, _ error: RPCError) async {
        do {
            try await channel.executeThenClose { _, outbound in
                try await outbound.write(Frame(body: ByteBuffer(bytes: Response.error(id: .null, error).bytes)))
            }
        } catch {
            logger.debug("rejecting a connection failed", metadata: ["error": "\(error)"])
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
