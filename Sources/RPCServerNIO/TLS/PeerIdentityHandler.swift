import NIOCore
import NIOSSL
import NIOTLS

/// Once the TLS handshake is done, records who the client's certificate names: its subject alternative
/// names of type URI (`spiffe://alt/contacts-backend`) and DNS (`contacts.alt.internal`). Under mTLS the
/// certificate was verified against the client CA before this event, so the names can identify a caller.
/// It sits after the TLS handler and before the framing, so the names are known before the first frame.
final class PeerIdentityHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    private let connection: ConnectionState

    init(connection: ConnectionState) { self.connection = connection }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent,
            let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate()
        {
            connection.setPeerSubjects(Self.subjects(certificate))
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The certificate's URI and DNS subject alternative names, as text.
    static func subjects(_ certificate: NIOSSLCertificate) -> [String] {
        certificate._subjectAlternativeNames().compactMap { name in
            guard name.nameType == .uri || name.nameType == .dnsName else { return nil }
            return name.contents.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
        }
    }
}
