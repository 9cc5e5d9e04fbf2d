import JSONRPC
import JSONRPCNIO
import Logging
import NIOCore
import RPCServer

/// One connection: a read loop that starts each frame's calls as a child task, and a writer that sends
/// answers as they finish. At most `maximumInFlightPerConnection` frames run at once; while that many
/// do, the loop reads no further — the socket's buffers fill and the peer is slowed down, nothing is
/// dropped.
struct Session: Sendable {
    let server: TCPServer
    let outbound: NIOAsyncChannelOutboundWriter<Frame>
    let state: ConnectionState

    private var dispatcher: Dispatcher { server.dispatcher }
    private var limits: FrameLimits { server.configuration.frameLimits }

    func run(_ inbound: NIOAsyncChannelInboundStream<Frame>) async {
        let answers = state.answers
        await withDiscardingTaskGroup { connection in
            connection.addTask { await write(answers) }
            await read(inbound, answers: answers)
            answers.finish()
        }
    }

    /// Reads frames and starts their calls; returns once the peer is done and every call has answered.
    private func read(_ inbound: NIOAsyncChannelInboundStream<Frame>, answers: AnswerQueue) async {
        let calls = state.calls
        let slots = AsyncSemaphore(permits: server.configuration.maximumInFlightPerConnection)
        await withDiscardingTaskGroup { group in
            do {
                for try await frame in inbound {
                    let accepts = frame.headers.acceptsDeflate
                    let body: [UInt8]
                    switch decodedBody(frame) {
                    case .success(let bytes): body = bytes
                    case .failure(let error):
                        answers.enqueue(answer(Response.error(id: .null, error).bytes, acceptsDeflate: accepts))
                        continue
                    }
                    switch dispatcher.prepare(body, calls: calls) {
                    case .answer(let answer):
                        if let answer { answers.enqueue(self.answer(answer, acceptsDeflate: accepts)) }
                    case .dispatch(let message):
                        await slots.acquire()
                        state.began()
                        let metadata = CallMetadata(
                            bearerToken: frame.headers.bearerToken,
                            timeout: frame.headers.timeout,
                            traceparent: frame.headers.traceparent,
                            certificateSubjects: state.peerSubjects
                        )
                        group.addTask {
                            // rpc.cancel may have cancelled this task: hand the answer over without suspending.
                            if let answer = await dispatcher.run(message, metadata: metadata, calls: calls) {
                                answers.enqueue(self.answer(answer, acceptsDeflate: accepts))
                            }
                            slots.release()
                            state.ended()
                        }
                    }
                }
            } catch let error as FrameError {
                // The stream cannot be resynchronised: answer once, let calls in flight finish, then close.
                answers.enqueue(answer(Response.error(id: .null, Self.rpcError(error)).bytes, acceptsDeflate: false))
            } catch {
                dispatcher.logger.debug("connection read failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Writes whatever answers are ready, with one flush for all of them. The connection closes only
    /// after the read side has ended (the peer closed, or the drain's grace period is over) and every
    /// answer is out: a drain never closes under a call the peer has just sent.
    private func write(_ answers: AnswerQueue) async {
        while let frames = await answers.next() {
            do {
                try await outbound.write(contentsOf: frames)
            } catch {
                // The peer has gone; nobody is left to answer. Keep draining so the calls can finish.
                dispatcher.logger.debug("write failed", metadata: ["error": "\(error)"])
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

    /// The frame for an answer: compressed when the caller accepts deflate and it is large enough.
    private func answer(_ body: [UInt8], acceptsDeflate: Bool) -> Frame {
        let frame = Frame(body: ByteBuffer(bytes: body))
        if acceptsDeflate, body.count >= server.configuration.compressionThreshold,
            let compressed = BodyCompression.compress(frame.body)
        {
            return Frame(headers: FrameHeaders(contentEncoding: .deflate), body: compressed)
        }
        return frame
    }

    static func rpcError(_ error: FrameError) -> RPCError {
        switch error {
        case .malformedHeader: .parseError(error.description)
        case .headerTooLarge, .bodyTooLarge: RPCError(.resourceExhausted, error.description)
        }
    }
}
