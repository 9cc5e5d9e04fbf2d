import JSONRPC
import JSONRPCNIO
import Logging
import NIOCore
import RPCServer

/// One connection's read loop. Each frame's calls run as a child task and are answered as they finish;
/// at most `maximumInFlightPerConnection` frames run at once, and while that many do, the loop reads
/// no further — the socket's buffers fill and the peer is slowed down, nothing is dropped.
struct Session: Sendable {
    let server: TCPServer
    let outbound: NIOAsyncChannelOutboundWriter<Frame>
    let state: ConnectionState

    private var dispatcher: Dispatcher { server.dispatcher }
    private var limits: FrameLimits { server.configuration.frameLimits }

    func run(_ inbound: NIOAsyncChannelInboundStream<Frame>) async {
        let calls = ConnectionCalls()
        let slots = AsyncSemaphore(permits: server.configuration.maximumInFlightPerConnection)
        await withDiscardingTaskGroup { group in
            do {
                for try await frame in inbound {
                    let body: [UInt8]
                    switch decodedBody(frame) {
                    case .success(let bytes): body = bytes
                    case .failure(let error):
                        await send(Response.error(id: .null, error).bytes, acceptsDeflate: frame.headers.acceptsDeflate)
                        continue
                    }
                    switch dispatcher.prepare(body, calls: calls) {
                    case .answer(let answer):
                        if let answer { await send(answer, acceptsDeflate: frame.headers.acceptsDeflate) }
                    case .dispatch(let message):
                        await slots.acquire()
                        state.began()
                        let metadata = CallMetadata(
                            bearerToken: frame.headers.bearerToken,
                            timeout: frame.headers.timeout,
                            traceparent: frame.headers.traceparent
                        )
                        group.addTask {
                            if let answer = await dispatcher.run(message, metadata: metadata, calls: calls) {
                                await send(answer, acceptsDeflate: frame.headers.acceptsDeflate)
                            }
                            slots.release()
                            state.ended()
                        }
                    }
                }
            } catch let error as FrameError {
                // The stream cannot be resynchronised: answer once, let calls in flight finish, then close.
                await send(Response.error(id: .null, Self.rpcError(error)).bytes, acceptsDeflate: false)
            } catch {
                server.dispatcher.logger.debug("connection read failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The body as JSON text: decompressed when sent with `Content-Encoding: deflate`.
    private func decodedBody(_ frame: Frame) -> Result<[UInt8], RPCError> {
        switch frame.headers.contentEncoding {
        case .identity:
            return .success(Array(frame.body.readableBytesView))
        case .deflate:
            do throws(BodyCompression.Failure) {
                let inflated = try BodyCompression.decompress(frame.body, limit: limits.maximumBodyBytes)
                return .success(Array(inflated.readableBytesView))
            } catch .tooLarge(let limit) {
                return .failure(RPCError(.resourceExhausted, "decompressed body exceeds the limit of \(limit) bytes"))
            } catch {
                return .failure(.parseError("corrupt deflate body"))
            }
        case .unsupported(let name):
            return .failure(
                RPCError(.unimplemented, "Content-Encoding '\(name)' is not supported; supported: identity, deflate")
            )
        }
    }

    private func send(_ body: [UInt8], acceptsDeflate: Bool) async {
        var frame = Frame(body: ByteBuffer(bytes: body))
        if acceptsDeflate, body.count >= server.configuration.compressionThreshold,
            let compressed = BodyCompression.compress(frame.body)
        {
            frame = Frame(headers: FrameHeaders(contentEncoding: .deflate), body: compressed)
        }
        do {
            try await outbound.write(frame)
        } catch {
            // The peer has gone; there is nobody left to answer.
            dispatcher.logger.debug("write failed", metadata: ["error": "\(error)"])
        }
    }

    static func rpcError(_ error: FrameError) -> RPCError {
        switch error {
        case .malformedHeader: .parseError(error.description)
        case .headerTooLarge, .bodyTooLarge: RPCError(.resourceExhausted, error.description)
        }
    }
}
