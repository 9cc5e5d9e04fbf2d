import JSONRPC
import JSONRPCNIO
import NIOCore
import RPCServer

/// A frame's calls, read and parsed on the event loop, for the session to run.
struct Incoming: Sendable {
    let message: IncomingMessage
    let metadata: CallMetadata
    let acceptsDeflate: Bool
}

/// Reads frames on the connection's event loop: inflates and parses each body, and answers at once what
/// needs no task — a bad body, a parse error, `rpc.cancel`, a call of an immediate method such as
/// `health.check` (one flush per read burst). Everything else goes on to the session as `Incoming`.
/// So a probe is answered even while every in-flight slot of its connection is taken.
final class CallReader: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Incoming
    typealias OutboundOut = Frame

    private let dispatcher: Dispatcher
    private let connection: ConnectionState
    private let limits: FrameLimits
    private let compressionThreshold: Int
    private var unflushed = false

    init(dispatcher: Dispatcher, connection: ConnectionState, limits: FrameLimits, compressionThreshold: Int) {
        self.dispatcher = dispatcher
        self.connection = connection
        self.limits = limits
        self.compressionThreshold = compressionThreshold
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let accepts = frame.headers.acceptsDeflate
        let metadata = CallMetadata(
            bearerToken: frame.headers.bearerToken,
            timeout: frame.headers.timeout,
            traceparent: frame.headers.traceparent,
            certificateSubjects: connection.peerSubjects
        )
        let step: Dispatcher.Step
        switch decodedBody(frame) {
        case .success(let body): step = dispatcher.prepare(body, metadata: metadata, calls: connection.calls)
        case .failure(let error): step = .answer(Response.error(id: .null, error).bytes)
        }
        switch step {
        case .answer(nil):
            break
        case .answer(let answer?):
            context.write(wrapOutboundOut(Frame.answer(answer, acceptsDeflate: accepts, threshold: compressionThreshold)), promise: nil)
            unflushed = true
        case .dispatch(let message):
            // In flight from here, not from when the session's task takes it: on a loaded machine that can
            // come after the idle timeout, which must not close the connection under the call.
            connection.began()
            context.fireChannelRead(wrapInboundOut(Incoming(message: message, metadata: metadata, acceptsDeflate: accepts)))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// The body as JSON text: inflated when sent with `Content-Encoding: deflate`.
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
}

extension Frame {
    /// The frame for an answer: deflated when the caller accepts it and the body is `threshold` bytes or more.
    static func answer(_ body: [UInt8], acceptsDeflate: Bool, threshold: Int) -> Frame {
        let frame = Frame(body: ByteBuffer(bytes: body))
        if acceptsDeflate, body.count >= threshold, let compressed = BodyCompression.compress(frame.body) {
            return Frame(headers: FrameHeaders(contentEncoding: .deflate), body: compressed)
        }
        return frame
    }
}
