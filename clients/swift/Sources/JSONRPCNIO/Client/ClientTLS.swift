public import NIOSSL
import NIOCore
import NIOTLS

/// TLS for a client connection: the server's certificate is verified against a CA (and its name against
/// the host connected to, or `serverHostname`); with a certificate and key the client proves who it is
/// (mTLS). TLS 1.2 or later. The context is made once and shared by every connection that uses it.
public struct ClientTLS: Sendable {
    public let context: NIOSSLContext
    /// The name the server's certificate must carry, and the SNI sent; nil: the host connected to.
    public var serverHostname: String?

    public init(configuration: TLSConfiguration, serverHostname: String? = nil) throws {
        var configuration = configuration
        switch configuration.minimumTLSVersion {
        case .tlsv1, .tlsv11: configuration.minimumTLSVersion = .tlsv12
        default: break
        }
        self.context = try NIOSSLContext(configuration: configuration)
        self.serverHostname = serverHostname
    }

    /// The usual case, from PEM files: the CA that signed the server's certificate, and, for mTLS, the
    /// client's certificate and key.
    public init(caFile: String, certificateFile: String? = nil, privateKeyFile: String? = nil, serverHostname: String? = nil) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(caFile)
        if let certificateFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
        }
        // Loaded as PEM whatever the file's extension (NIOSSL's `.file` source guesses from it).
        if let privateKeyFile { configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)) }
        try self.init(configuration: configuration, serverHostname: serverHostname)
    }
}

/// Completes `promise` when the TLS handshake succeeds, fails it with the handshake's error (or the
/// connection's end), then leaves the pipeline. It lives on the channel's event loop only.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<Void>
    private var completed = false

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { complete(context, .success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(context, .failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(context, .failure(ChannelError.eof))
        context.fireChannelInactive()
    }

    private func complete(_ context: ChannelHandlerContext, _ result: Result<Void, any Error>) {
        guard !completed else { return }
        completed = true
        promise.completeWith(result)
        if case .success = result { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
    }
}
