import JSONRPC
import JSONRPCNIO
import NIOCore
import NIOPosix
import Testing

/// A test client that writes raw bytes (well-formed frames or not) and reads decoded frames.
struct RawClient {
    let channel: NIOAsyncChannel<Frame, ByteBuffer>

    /// Connects, runs `body`, closes.
    static func connect<T: Sendable>(
        port: Int,
        _ body: (inout RawConnection) async throws -> T
    ) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                    return try NIOAsyncChannel<Frame, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = RawConnection(outbound: outbound, iterator: inbound.makeAsyncIterator())
            return try await body(&connection)
        }
    }
}

struct RawConnection {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var iterator: NIOAsyncChannelInboundStream<Frame>.AsyncIterator

    /// Writes bytes exactly as given.
    func writeRaw(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Writes one well-formed frame around `body`, with extra header lines.
    func send(_ body: String, headers: [String] = []) async throws {
        try await sendBytes(Array(body.utf8), headers: headers)
    }

    func sendBytes(_ body: [UInt8], headers: [String] = []) async throws {
        var frame = "Content-Length: \(body.count)\r\n"
        for header in headers { frame += header + "\r\n" }
        frame += "\r\n"
        try await writeRaw(Array(frame.utf8) + body)
    }

    /// The next frame, or nil when the server closed the connection. (Suites carry a time limit, so a
    /// frame that never comes fails the test instead of hanging it.)
    mutating func receive() async throws -> Frame? {
        try await iterator.next()
    }

    /// The next frame's body parsed as JSON.
    mutating func receiveJSON() async throws -> JSONValue? {
        guard let frame = try await receive() else { return nil }
        var body = frame.body
        if frame.headers.contentEncoding == .deflate {
            body = try BodyCompression.decompress(body, limit: 1 << 24)
        }
        return try JSONValue(parsing: Array(body.readableBytesView))
    }
}
