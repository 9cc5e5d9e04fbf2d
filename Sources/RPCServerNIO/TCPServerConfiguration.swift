public import JSONRPCNIO

/// How the TCP server listens and what it allows. The defaults are the ones `schemas/PROTOCOL.md` states.
public struct TCPServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests); `onListening` tells which.
    public var port: Int
    public var frameLimits: FrameLimits
    /// Frames being worked on per connection; beyond it the server stops reading that connection.
    public var maximumInFlightPerConnection: Int
    public var maximumConnections: Int
    /// A connection with no traffic and no call in flight for this long is closed.
    public var idleTimeout: Duration
    /// How long a drain lasts: in-flight calls may finish and new calls are answered UNAVAILABLE until the
    /// peer closes; then reading stops, calls still running are cancelled, and every connection closes
    /// once its answers are written.
    public var gracePeriod: Duration
    /// Answers at least this large are compressed for callers that accept deflate.
    public var compressionThreshold: Int
    /// TLS (mTLS with a client CA) on every connection; nil: plaintext.
    public var tls: ServerTLS?

    /// After the grace period, how long a connection may take to write its last answers before it is
    /// closed regardless (a peer that reads nothing cannot hold the process open).
    static let closeLinger: Duration = .seconds(2)

    public init(
        host: String = "127.0.0.1",
        port: Int = 7700,
        frameLimits: FrameLimits = FrameLimits(),
        maximumInFlightPerConnection: Int = 64,
        maximumConnections: Int = 1_024,
        idleTimeout: Duration = .seconds(300),
        gracePeriod: Duration = .seconds(10),
        compressionThreshold: Int = BodyCompression.defaultThreshold,
        tls: ServerTLS? = nil
    ) {
        self.host = host
        self.port = port
        self.frameLimits = frameLimits
        self.maximumInFlightPerConnection = maximumInFlightPerConnection
        self.maximumConnections = maximumConnections
        self.idleTimeout = idleTimeout
        self.gracePeriod = gracePeriod
        self.compressionThreshold = compressionThreshold
        self.tls = tls
    }
}
