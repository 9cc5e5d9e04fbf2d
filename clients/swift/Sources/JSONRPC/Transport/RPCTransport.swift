/// How a client's call reaches a server, below the client's retries and deadlines: one request out, its
/// response back. The TCP connection of `JSONRPCNIO` is one; a server's in-process transport
/// (`RPCServer.InProcessTransport`) is another, so the same client code runs against a server with or
/// without sockets, as hummingbird's `.router` and `.live` test modes do.
public protocol RPCTransport: Sendable {
    /// Sends `request` (never a notification) with the frame's `Timeout` and bearer token, and returns its
    /// response. Throws when the transport failed after sending: the call may or may not have run.
    func call(_ request: Request, timeout: Duration?, bearerToken: String?) async throws -> Response
}

extension Request {
    /// The JSON text of `requests`: one object, or a batch array.
    public static func body(_ requests: [Request], batch: Bool) -> [UInt8] {
        var out: [UInt8] = batch ? [UInt8(ascii: "[")] : []
        for (index, request) in requests.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"jsonrpc":"2.0","#.utf8)
            if let id = request.id { out.append(contentsOf: #""id":\#(id.json),"#.utf8) }
            out.append(contentsOf: #""method":"#.utf8)
            JSONText.appendQuoted(request.method, to: &out)
            if let params = request.params {
                out.append(contentsOf: #","params":"#.utf8)
                out.append(contentsOf: params.bytes)
            }
            out.append(UInt8(ascii: "}"))
        }
        if batch { out.append(UInt8(ascii: "]")) }
        return out
    }
}
