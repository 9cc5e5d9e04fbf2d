public import JSONRPC

/// The server without sockets: a client's calls go straight to the dispatcher, through the same
/// envelope parsing, authentication, interceptors, deadlines and answer encoding as a frame read from a
/// connection (the frame codec and the connection's limits aside). One transport is like one connection:
/// `rpc.cancel` finds the calls made through it.
///
/// ```swift
/// try await ALTErasureClient.run(.init(token: "dev"), transport: InProcessTransport(dispatcher: dispatcher)) { client in … }
/// ```
public struct InProcessTransport: RPCTransport {
    public let dispatcher: Dispatcher
    let calls = ConnectionCalls()

    public init(dispatcher: Dispatcher) { self.dispatcher = dispatcher }

    public func call(_ request: Request, timeout: Duration?, bearerToken: String?) async throws -> Response {
        let metadata = CallMetadata(bearerToken: bearerToken, timeout: timeout.map(Timeout.format))
        let answer: [UInt8]?
        switch dispatcher.prepare(Request.body([request], batch: false), metadata: metadata, calls: calls) {
        case .answer(let bytes): answer = bytes
        case .dispatch(let message): answer = await dispatcher.run(message, metadata: metadata, calls: calls)
        }
        guard let answer, let response = try ResponseParser.parse(answer).first else {
            throw RPCError(.internal, "the server sent no answer to \(request.method)")
        }
        return response
    }
}
