import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// Sends mutated frames to a running server over many connections and checks it survives: every
/// connection must be closed by the server after the fuzzer half-closes it (no hang), and afterwards a
/// plain `health.check` must still be answered. One event-loop thread, so it leaves the server's cores alone.
@main
struct WireFuzz: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wire-fuzz", abstract: "Live fuzzing of a deletiond over TCP.")

    @Option var host = "127.0.0.1"
    @Option var port: Int
    @Option(help: "Frames to send in all.") var frames = 1_000_000
    @Option(help: "Frames per connection at most (a broken header ends one sooner).") var perConnection = 400
    @Option(help: "Connections open at once.") var concurrency = 32
    @Option(help: "The random seed (the same seed sends the same bytes).") var seed: UInt64 = 1
    @Option(help: "A bearer token to put on most frames.") var token: String?
    @Option(help: "Seconds a connection may stay open after the fuzzer half-closed it before it counts as a hang.") var hangTimeout = 30

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let start = ContinuousClock.now
        var mutator = Mutator(seed: seed)
        var sent = 0
        var connections = 0
        var hangs = 0
        var refused = 0
        var received = 0
        try await withThrowingTaskGroup(of: Outcome.self) { tasks in
            var open = 0
            while sent < frames || open > 0 {
                if sent < frames, open < concurrency {
                    var payload: [UInt8] = []
                    var count = 0
                    while count < perConnection, sent + count < frames {
                        let (bytes, final) = mutator.frame(token: token)
                        payload += bytes
                        count += 1
                        if final { break }
                    }
                    sent += count
                    connections += 1
                    open += 1
                    let (host, port, timeout) = (host, port, hangTimeout)
                    tasks.addTask { await Self.fuzzConnection(host: host, port: port, payload: payload, group: group, hangTimeout: timeout) }
                    continue
                }
                guard let outcome = try await tasks.next() else { break }
                open -= 1
                switch outcome {
                case .closedByServer(let bytes): received += bytes
                case .hang: hangs += 1
                case .refused: refused += 1
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        let answers = try await Self.healthCheck(host: host, port: port, group: group)
        try await group.shutdownGracefully()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            #"{"frames":\#(sent),"connections":\#(connections),"hangs":\#(hangs),"refused":\#(refused),"bytesReceived":\#(received),"#
                + #""seconds":\#(String(format: "%.1f", seconds)),"framesPerSecond":\#(Int(Double(sent) / seconds)),"healthAfter":\#(answers ? "true" : "false")}"#
        )
        if hangs > 0 || !answers { throw ExitCode(1) }
    }

    enum Outcome: Sendable {
        case closedByServer(bytes: Int)
        case hang
        case refused
    }

    /// Writes the payload, half-closes, and waits for the server to close the connection.
    static func fuzzConnection(host: String, port: Int, payload: [UInt8], group: MultiThreadedEventLoopGroup, hangTimeout: Int) async -> Outcome {
        let counter = ByteCounter()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(counter) } }
                .connect(host: host, port: port).get()
        } catch {
            return .refused
        }
        // The server may close mid-write (a broken header): that is an answer, not a failure.
        try? await channel.writeAndFlush(ByteBuffer(bytes: payload)).get()
        try? await channel.close(mode: .output).get()
        let closed = channel.closeFuture
        let timer = channel.eventLoop.scheduleTask(in: .seconds(Int64(hangTimeout))) {
            counter.timedOut = true
            channel.close(promise: nil)
        }
        try? await closed.get()
        timer.cancel()
        return try! await channel.eventLoop.submit { counter.timedOut ? Outcome.hang : .closedByServer(bytes: counter.bytes) }.get()
    }

    /// A plain `health.check` on a fresh connection: true when the server answers SERVING.
    static func healthCheck(host: String, port: Int, group: MultiThreadedEventLoopGroup) async throws -> Bool {
        let counter = ByteCounter()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(counter) } }
            .connect(host: host, port: port).get()
        try await channel.writeAndFlush(ByteBuffer(bytes: Mutator.frame(headers: [], body: Array(Mutator.templates[0].utf8)))).get()
        for _ in 0..<50 where !counter.text.contains("SERVING") { try await Task.sleep(for: .milliseconds(100)) }
        try? await channel.close()
        return counter.text.contains(#""status":"SERVING""#)
    }
}

/// Counts (and for the health check keeps) what the server sends. Touched on its event loop only.
final class ByteCounter: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private(set) var bytes = 0
    /// Set when the server kept the connection open past the hang timeout.
    var timedOut = false
    private var kept: [UInt8] = []

    var text: String { String(decoding: kept, as: UTF8.self) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        bytes += buffer.readableBytes
        if kept.count < 4_096 { kept += buffer.readableBytesView.prefix(4_096 - kept.count) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The server closed its side: done.
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ECONNRESET: the server closed with unread bytes (after a broken frame). It did close.
        context.close(promise: nil)
    }
}
