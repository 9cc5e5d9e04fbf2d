import JSONRPC
import JSONRPCNIO
import Logging
import NIOCore
import RPCServer

/// One connection's calls, once `CallReader` has parsed them (and answered what needs no task): a read
/// loop that starts each frame's calls as a child task, and a writer that sends answers as they finish.
/// At most `maximumInFlightPerConnection` frames run at once; while that many do, the loop reads no
/// further — the socket's buffers fill and the peer is slowed down, nothing is dropped.
struct Session: Sendable {
    let server: TCPServer
    let outbound: NIOAsyncChannelOutboundWriter<Frame>
    let state: ConnectionState

    private var dispatcher: Dispatcher { server.dispatcher }

    func run(_ inbound: NIOAsyncChannelInboundStream<Incoming>) async {
        let answers = state.answers
        await withDiscardingTaskGroup { connection in
            connection.addTask { await write(answers) }
            await read(inbound, answers: answers)
            answers.finish()
        }
    }

    /// Starts the calls as they come; returns once the peer is done and every call has answered.
    private func read(_ inbound: NIOAsyncChannelInboundStream<Incoming>, answers: AnswerQueue) async {
        let calls = state.calls
        let slots = AsyncSemaphore(permits: server.configuration.maximumInFlightPerConnection)
        await withDiscardingTaskGroup { group in
            do {
                for try await incoming in inbound {
                    await slots.acquire()
                    group.addTask {
                        // rpc.cancel may have cancelled this task: hand the answer over without suspending.
                        if let answer = await dispatcher.run(incoming.message, metadata: incoming.metadata, calls: calls) {
                            answers.enqueue(self.answer(answer, acceptsDeflate: incoming.acceptsDeflate))
                        }
                        slots.release()
                        state.ended()
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

    private func answer(_ body: [UInt8], acceptsDeflate: Bool) -> Frame {
        Frame.answer(body, acceptsDeflate: acceptsDeflate, threshold: server.configuration.compressionThreshold)
    }

    static func rpcError(_ error: FrameError) -> RPCError {
        switch error {
        case .malformedHeader: .parseError(error.description)
        case .headerTooLarge, .bodyTooLarge: RPCError(.resourceExhausted, error.description)
        }
    }
}
