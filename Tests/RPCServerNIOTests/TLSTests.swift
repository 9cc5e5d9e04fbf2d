import Foundation
import JSONRPC
import JSONRPCNIO
import RPCServer
import RPCServerNIO
import RPCTestSupport
import Testing

/// TLS and mTLS on the JSON-RPC port, over real sockets with certificates `openssl` made for the test:
/// what must shake hands does, what must be refused is refused without bringing the server down, and a
/// client certificate names a caller with exactly its grants.
@Suite("TLS and mTLS on the JSON-RPC port", .timeLimit(.minutes(1)))
struct TLSTests {
    static let echoer = "spiffe://alt/echoer"

    static func certificates() async throws -> TestCertificates {
        try await TestCertificates.make(
            clients: ["echoer": echoer, "nobody": "spiffe://alt/nobody"], strangers: ["stranger": echoer]
        )
    }

    /// Runs a server with TLS from `files` (mTLS when they name a client CA).
    static func serve(_ files: ServerTLS.Files, _ body: @Sendable (LiveServer, ServerTLS) async throws -> Void) async throws {
        let tls = try ServerTLS(files: files)
        try await LiveServer.run({ $0.tls = tls }) { server in try await body(server, tls) }
    }

    /// `test.echo` on a new connection; the answer's value, or the error the connection or the call met.
    static func echo(_ port: Int, tls: ClientTLS?, token: String? = "admin-token", method: String = "test.echo") async -> Result<String, any Error> {
        do {
            return try await RPCConnection.connect(host: "127.0.0.1", port: port, options: .init(bearerToken: token, tls: tls)) { connection in
                let answer = try await connection.call(method, params: try RawJSON(method == "test.echo" ? #"["hello"]"# : #"{"ms": 1}"#))
                switch answer.outcome {
                case .result(let json): return .success(json.description)
                case .error(let error): return .failure(error)
                }
            }
        } catch {
            return .failure(error)
        }
    }

    static func isHandshakeRefusal(_ result: Result<String, any Error>) -> Bool {
        guard case .failure(let error) = result else { return false }
        if case .tlsHandshake? = error as? RPCConnection.ConnectionError { return true }
        return false
    }

    @Test("a client that trusts the CA shakes hands and calls; TLS 1.2 is the least either side accepts")
    func handshake() async throws {
        let certificates = try await Self.certificates()
        try await Self.serve(.init(certificate: certificates.serverCertificate, privateKey: certificates.serverKey)) { server, _ in
            let tls = try ClientTLS(caFile: certificates.caFile)
            #expect(try await Self.echo(server.port, tls: tls).get() == #""hello""#)
            // By name too: the certificate names localhost.
            let named = try ClientTLS(caFile: certificates.caFile, serverHostname: "localhost")
            #expect(try await Self.echo(server.port, tls: named).get() == #""hello""#)
        }
    }

    @Test("the server's certificate must name what the client connects to: an address it lacks is refused, its DNS name accepted")
    func serverName() async throws {
        let certificates = try await Self.certificates()
        try await Self.serve(.init(certificate: certificates.namedServerCertificate, privateKey: certificates.namedServerKey)) { server, _ in
            let byAddress = try ClientTLS(caFile: certificates.caFile)
            #expect(Self.isHandshakeRefusal(await Self.echo(server.port, tls: byAddress)))
            let wrongName = try ClientTLS(caFile: certificates.caFile, serverHostname: "other.internal")
            #expect(Self.isHandshakeRefusal(await Self.echo(server.port, tls: wrongName)))
            let byName = try ClientTLS(caFile: certificates.caFile, serverHostname: "deletiond.internal")
            #expect(try await Self.echo(server.port, tls: byName).get() == #""hello""#)
        }
    }

    @Test("refused without a crash: a plaintext client, a client trusting another CA; the server keeps serving")
    func refusals() async throws {
        let certificates = try await Self.certificates()
        try await Self.serve(.init(certificate: certificates.serverCertificate, privateKey: certificates.serverKey)) { server, _ in
            // Plaintext against the TLS port: the server reads no frame from it and closes it.
            if case .success(let answer) = await Self.echo(server.port, tls: nil) { Issue.record("a plaintext call was answered: \(answer)") }
            let trustsOther = try ClientTLS(caFile: certificates.otherCAFile)
            #expect(Self.isHandshakeRefusal(await Self.echo(server.port, tls: trustsOther)))
            let right = try ClientTLS(caFile: certificates.caFile)
            #expect(try await Self.echo(server.port, tls: right).get() == #""hello""#, "still serving")
        }
    }

    @Test("mTLS: no client certificate, one from another CA, an expired one: refused; the server keeps serving")
    func mutualRefusals() async throws {
        let certificates = try await Self.certificates()
        let files = ServerTLS.Files(certificate: certificates.serverCertificate, privateKey: certificates.serverKey, clientCA: certificates.caFile)
        try await Self.serve(files) { server, tls in
            #expect(tls.requiresClientCertificate)
            let stranger = certificates.client("stranger")
            let expired = certificates.client("expired-client")
            let refused: [ClientTLS] = [
                try ClientTLS(caFile: certificates.caFile),
                try ClientTLS(caFile: certificates.caFile, certificateFile: stranger.certificate, privateKeyFile: stranger.key),
                try ClientTLS(caFile: certificates.caFile, certificateFile: expired.certificate, privateKeyFile: expired.key),
            ]
            for client in refused {
                // The client may finish its side before the server refuses; either way no call is answered.
                if case .success(let answer) = await Self.echo(server.port, tls: client) { Issue.record("answered: \(answer)") }
            }
            let echoer = certificates.client("echoer")
            let trusted = try ClientTLS(caFile: certificates.caFile, certificateFile: echoer.certificate, privateKeyFile: echoer.key)
            #expect(try await Self.echo(server.port, tls: trusted).get() == #""hello""#, "still serving")
        }
    }

    @Test("a caller named by its client certificate gets exactly its grants; a certificate naming no caller gets none; a token still wins")
    func callerByCertificate() async throws {
        let certificates = try await Self.certificates()
        let files = ServerTLS.Files(certificate: certificates.serverCertificate, privateKey: certificates.serverKey, clientCA: certificates.caFile)
        try await Self.serve(files) { server, _ in
            let echoer = certificates.client("echoer")
            let asEchoer = try ClientTLS(caFile: certificates.caFile, certificateFile: echoer.certificate, privateKeyFile: echoer.key)
            #expect(try await Self.echo(server.port, tls: asEchoer, token: nil).get() == #""hello""#)
            let sleep = await Self.echo(server.port, tls: asEchoer, token: nil, method: "test.sleep")
            #expect((sleep.error as? RPCError)?.code == .permissionDenied, "\(sleep)")
            #expect(try await Self.echo(server.port, tls: asEchoer, token: "admin-token", method: "test.sleep").get() == #"{"slept":1}"#, "the token's caller")

            let nobody = certificates.client("nobody")
            let asNobody = try ClientTLS(caFile: certificates.caFile, certificateFile: nobody.certificate, privateKeyFile: nobody.key)
            let anonymous = await Self.echo(server.port, tls: asNobody, token: nil)
            #expect((anonymous.error as? RPCError)?.code == .unauthenticated, "\(anonymous)")
        }
    }

    @Test("the subject is only trusted under mTLS: without a client CA the certificate is not asked for")
    func subjectNeedsMutualTLS() async throws {
        let certificates = try await Self.certificates()
        try await Self.serve(.init(certificate: certificates.serverCertificate, privateKey: certificates.serverKey)) { server, _ in
            let echoer = certificates.client("echoer")
            let asEchoer = try ClientTLS(caFile: certificates.caFile, certificateFile: echoer.certificate, privateKeyFile: echoer.key)
            let answer = await Self.echo(server.port, tls: asEchoer, token: nil)
            #expect((answer.error as? RPCError)?.code == .unauthenticated, "\(answer)")
        }
    }

    @Test("a reload serves the new certificate to new connections; open ones keep going; a broken file changes nothing")
    func reload() async throws {
        let certificates = try await Self.certificates()
        let live = ServerTLS.Files(certificate: certificates.path("live.pem"), privateKey: certificates.path("live.key"))
        try FileManager.default.copyItem(atPath: certificates.serverCertificate, toPath: live.certificate)
        try FileManager.default.copyItem(atPath: certificates.serverKey, toPath: live.privateKey)
        try await Self.serve(live) { server, tls in
            let trustsCA = try ClientTLS(caFile: certificates.caFile)
            let trustsOther = try ClientTLS(caFile: certificates.otherCAFile)
            try await RPCConnection.connect(host: "127.0.0.1", port: server.port, options: .init(bearerToken: "admin-token", tls: trustsCA)) { open in
                // The new certificate is the other CA's: which clients can connect tells which one is served.
                for (from, to) in [(certificates.reissuedServerCertificate, live.certificate), (certificates.reissuedServerKey, live.privateKey)] {
                    try FileManager.default.removeItem(atPath: to)
                    try FileManager.default.copyItem(atPath: from, toPath: to)
                }
                try tls.reload()
                #expect(try await Self.echo(server.port, tls: trustsOther).get() == #""hello""#)
                #expect(Self.isHandshakeRefusal(await Self.echo(server.port, tls: trustsCA)))
                let answer = try await open.call("test.echo", params: try RawJSON(#"["still here"]"#))
                guard case .result(let json) = answer.outcome else { Issue.record("the open connection failed: \(answer)"); return }
                #expect(json.description == #""still here""#)

                try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: live.certificate))
                #expect(throws: TLSFileError.self) { try tls.reload() }
                #expect(try await Self.echo(server.port, tls: trustsOther).get() == #""hello""#, "the reissued certificate is still served")
            }
        }
    }

    @Test("files that cannot be used are one line naming the file: missing, not PEM, expired, a key of another certificate")
    func unusableFiles() async throws {
        let certificates = try await Self.certificates()
        let cases: [(ServerTLS.Files, TLSFileError.Role, String)] = [
            (.init(certificate: certificates.path("absent.pem"), privateKey: certificates.serverKey), .certificate, "does not exist"),
            (.init(certificate: certificates.path("server.ext"), privateKey: certificates.serverKey), .certificate, "not a PEM certificate"),
            (.init(certificate: certificates.expiredServerCertificate, privateKey: certificates.expiredServerKey), .certificate, "expired"),
            (.init(certificate: certificates.serverCertificate, privateKey: certificates.path("absent.key")), .privateKey, "does not exist"),
            (.init(certificate: certificates.serverCertificate, privateKey: certificates.reissuedServerKey), .privateKey, "does not match"),
            (.init(certificate: certificates.serverCertificate, privateKey: certificates.serverKey, clientCA: certificates.path("absent-ca.pem")), .clientCA, "does not exist"),
        ]
        for (files, role, reason) in cases {
            do {
                _ = try ServerTLS(files: files)
                Issue.record("\(files) was accepted")
            } catch {
                #expect(error.role == role && error.description.contains(reason), "\(error)")
                #expect(error.description.hasPrefix("TLS \(role.rawValue) /"), "names the file: \(error)")
            }
        }
    }
}

extension Result {
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
