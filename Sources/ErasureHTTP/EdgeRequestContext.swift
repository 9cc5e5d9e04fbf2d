public import Hummingbird
public import NIOCore

/// The request context of the public listener: Hummingbird's core context and the client's address, which
/// the per-client rate limits count by.
public struct EdgeRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client as the limits count it: its IP address (not the port: one client, many connections).
    var client: String { remoteAddress?.ipAddress ?? "unknown" }
}
