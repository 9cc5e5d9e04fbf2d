public import Foundation
public import NIOSSL
import Synchronization

/// TLS on the JSON-RPC port: the certificate files, read and checked, and the context new connections
/// take. `reload()` (on SIGHUP) reads the files again and swaps the context for the connections that
/// come after; connections already open keep the one they shook hands with, so nothing drops. A reload
/// that fails keeps the current context and says why.
///
/// TLS 1.2 or later only. With a client CA file, every client must present a certificate that CA
/// signed (mTLS); the certificate's subject alternative names (URIs and DNS names) then identify the
/// caller (`CallerDirectory.authenticate(certificateSubjects:)`).
public final class ServerTLS: Sendable {
    public struct Files: Sendable, Equatable {
        public var certificate: String
        public var privateKey: String
        /// The CA that signs client certificates: mTLS when set.
        public var clientCA: String?

        public init(certificate: String, privateKey: String, clientCA: String? = nil) {
            self.certificate = certificate
            self.privateKey = privateKey
            self.clientCA = clientCA
        }
    }

    public let files: Files
    /// The context new connections take, and when its certificate stops being valid.
    private let current: Mutex<(context: NIOSSLContext, expires: Date)>

    public var requiresClientCertificate: Bool { files.clientCA != nil }

    /// Reads and checks the files; a missing, unreadable, unparsable or expired one is a `TLSFileError`.
    public init(files: Files, now: Date = Date()) throws(TLSFileError) {
        self.files = files
        self.current = Mutex(try Self.context(files, now: now))
    }

    /// The context for a connection being accepted now.
    public var context: NIOSSLContext { current.withLock { $0.context } }

    /// When the certificate being served stops being valid (the one read last, not the file as it is now).
    public var expires: Date { current.withLock { $0.expires } }

    /// Reads the files again; on success new connections use them, on failure nothing changes.
    public func reload(now: Date = Date()) throws(TLSFileError) {
        let loaded = try Self.context(files, now: now)
        current.withLock { $0 = loaded }
    }

    static func context(_ files: Files, now: Date) throws(TLSFileError) -> (context: NIOSSLContext, expires: Date) {
        let chain = try certificates(files.certificate, role: .certificate)
        let leaf = chain[0]
        let expires = Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
        if expires < now {
            throw TLSFileError(role: .certificate, path: files.certificate, reason: "expired on \(expires)")
        }
        if TimeInterval(leaf.notValidBefore) > now.timeIntervalSince1970 {
            throw TLSFileError(role: .certificate, path: files.certificate, reason: "not valid before \(Date(timeIntervalSince1970: TimeInterval(leaf.notValidBefore)))")
        }
        let key: NIOSSLPrivateKey
        do {
            try readable(files.privateKey, role: .privateKey)
            key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        } catch let error as TLSFileError {
            throw error
        } catch {
            throw TLSFileError(role: .privateKey, path: files.privateKey, reason: "not a PEM private key")
        }
        var configuration: TLSConfiguration
        if let clientCA = files.clientCA {
            let roots = try certificates(clientCA, role: .clientCA)
            configuration = .makeServerConfigurationWithMTLS(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key), trustRoots: .certificates(roots)
            )
            configuration.sendCANameList = true
        } else {
            configuration = .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        }
        configuration.minimumTLSVersion = .tlsv12
        do {
            return (try NIOSSLContext(configuration: configuration), expires)
        } catch {
            // BoringSSL refuses a key that does not belong to the certificate here.
            throw TLSFileError(role: .privateKey, path: files.privateKey, reason: "does not match the certificate (\(error))")
        }
    }

    static func certificates(_ path: String, role: TLSFileError.Role) throws(TLSFileError) -> [NIOSSLCertificate] {
        try readable(path, role: role)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw TLSFileError(role: role, path: path, reason: "not a PEM certificate")
        }
        guard !chain.isEmpty else { throw TLSFileError(role: role, path: path, reason: "holds no certificate") }
        return chain
    }

    static func readable(_ path: String, role: TLSFileError.Role) throws(TLSFileError) {
        guard FileManager.default.fileExists(atPath: path) else { throw TLSFileError(role: role, path: path, reason: "does not exist") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw TLSFileError(role: role, path: path, reason: "cannot be read") }
    }
}

/// A TLS file that cannot be used: one line naming which file, where, and why.
public struct TLSFileError: Error, CustomStringConvertible, Equatable {
    public enum Role: String, Sendable {
        case certificate = "certificate file"
        case privateKey = "private key file"
        case clientCA = "client CA file"
    }

    public let role: Role
    public let path: String
    public let reason: String

    public var description: String { "TLS \(role.rawValue) \(path): \(reason)" }
}
