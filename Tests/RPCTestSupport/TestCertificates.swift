public import Foundation

/// Certificates for TLS tests, made by the machine's `openssl` in a fresh folder: a CA, a server
/// certificate it signed for 127.0.0.1 and localhost, client certificates naming a caller by SAN URI,
/// and what must be refused: a second CA with its own clients, expired server and client certificates
/// (`expired-client`).
public struct TestCertificates: Sendable {
    public let folder: URL

    public func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// The CA that signs the server and the trusted clients.
    public var caFile: String { path("ca.pem") }
    public var serverCertificate: String { path("server.pem") }
    public var serverKey: String { path("server.key") }
    /// A server certificate naming only `deletiond.internal` (no address).
    public var namedServerCertificate: String { path("named.pem") }
    public var namedServerKey: String { path("named.key") }
    /// Valid yesterday only.
    public var expiredServerCertificate: String { path("expired.pem") }
    public var expiredServerKey: String { path("expired.key") }
    /// A server certificate the other CA signed: after a reload to it, which clients connect tells which
    /// certificate is served.
    public var reissuedServerCertificate: String { path("reissued.pem") }
    public var reissuedServerKey: String { path("reissued.key") }
    /// A CA nobody trusts, and a client it signed.
    public var otherCAFile: String { path("other-ca.pem") }

    /// The client certificate (`<name>.pem`, `<name>.key`) of `subject`, signed by the trusted CA.
    public func client(_ name: String) -> (certificate: String, key: String) { (path("\(name).pem"), path("\(name).key")) }

    /// Makes them all; `clients` maps a file name to the SAN URI its certificate carries, signed by the
    /// trusted CA; `strangers` the same, signed by the other CA.
    public static func make(clients: [String: String] = [:], strangers: [String: String] = [:]) async throws -> TestCertificates {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try makeBlocking(clients: clients, strangers: strangers) })
            }
        }
    }

    /// `make`, blocking the calling thread while `openssl` runs (for tests that are synchronous).
    public static func makeBlocking(clients: [String: String] = [:], strangers: [String: String] = [:]) throws -> TestCertificates {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificates = TestCertificates(folder: folder)
        let server = "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
        try certificates.authority("ca", name: "ALT Test CA")
        try certificates.authority("other-ca", name: "Somebody Else's CA")
        try certificates.leaf("server", signedBy: "ca", extensions: server, days: 2)
        try certificates.leaf("named", signedBy: "ca", extensions: "subjectAltName=DNS:deletiond.internal\nextendedKeyUsage=serverAuth\n", days: 2)
        try certificates.leaf("reissued", signedBy: "other-ca", extensions: server, days: 30)
        try certificates.leaf("expired", signedBy: "ca", extensions: server, days: -1)
        try certificates.leaf("expired-client", signedBy: "ca", extensions: Self.clientExtensions("spiffe://alt/expired"), days: -1)
        for (name, uri) in clients.sorted(by: { $0.key < $1.key }) {
            try certificates.leaf(name, signedBy: "ca", extensions: Self.clientExtensions(uri), days: 2)
        }
        for (name, uri) in strangers.sorted(by: { $0.key < $1.key }) {
            try certificates.leaf(name, signedBy: "other-ca", extensions: Self.clientExtensions(uri), days: 2)
        }
        return certificates
    }

    static func clientExtensions(_ uri: String) -> String {
        "subjectAltName=URI:\(uri)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"
    }

    private func authority(_ name: String, name subject: String) throws {
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("\(name).key"),
            "-out", path("\(name).pem"), "-days", "3", "-subj", "/CN=\(subject)",
        ])
    }

    /// A key and a certificate signed by `authority`, valid for `days` from now (negative: expired).
    private func leaf(_ name: String, signedBy authority: String, extensions: String, days: Int) throws {
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("\(name).key"),
            "-out", path("\(name).csr"), "-subj", "/CN=\(name)",
        ])
        try Data(extensions.utf8).write(to: folder.appendingPathComponent("\(name).ext"))
        try openssl([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(authority).pem"), "-CAkey", path("\(authority).key"),
            "-CAcreateserial", "-out", path("\(name).pem"), "-days", "\(days)", "-extfile", path("\(name).ext"),
        ])
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let log = folder.appendingPathComponent("openssl.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.first ?? "") failed; see \(log.path)"])
        }
    }
}
