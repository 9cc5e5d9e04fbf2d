import JSONRPC
import JSONRPCNIO
import NIOCore
import NIOPosix
import Testing

/// A connection the server closes: every call on it fails with `ConnectionError.closed`, whether the
/// client's reader saw the end first or its write met the closed channel (found through rpc-cli against an
/// mTLS port, where the server closes right after the handshake: "I/O on closed channel", exit 1).
@Suite("A connection the server closed")
struct ClosedConnectionTests {
    @Test("a call on it fails with ConnectionError.closed, never a channel error", .timeLimit(.minutes(1)))
    func callAfterClose() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.close() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        for _ in 0..<30 {
            do {
                try await RPCConnection.connect(host: "127.0.0.1", port: port) { connection in
                    // Let the close arrive, then call: the write or the read meets it, by chance.
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...5)))
                    _ = try await connection.call("health.check")
                }
                Issue.record("a call on a closed connection was answered")
            } catch let error as RPCConnection.ConnectionError {
                guard case .closed = error else { Issue.record("unexpected \(error)"); continue }
            } catch {
                Issue.record("not ConnectionError.closed: \(error)")
            }
        }
    }
}
