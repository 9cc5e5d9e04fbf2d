import Foundation
import RPCTestSupport
import Testing

/// TLS as operators and scripts use it: `deletiond serve --tls-*`, `rpc-cli --tls-*`, SIGHUP, the
/// callers file's `certificateSubject`, and the refusals at start-up; each a real process.
@Suite("TLS through deletiond and rpc-cli")
struct TLSCLITests {
    @Test("deletiond serve with TLS: rpc-cli with the CA calls, without TLS it cannot; SIGHUP serves a renewed certificate")
    func serveAndReload() throws {
        let certificates = try TestCertificates.makeBlocking()
        let live = (certificates.path("live.pem"), certificates.path("live.key"))
        try FileManager.default.copyItem(atPath: certificates.serverCertificate, toPath: live.0)
        try FileManager.default.copyItem(atPath: certificates.serverKey, toPath: live.1)
        let daemon = try DaemonProcess(arguments: ["--tls-cert-file", live.0, "--tls-key-file", live.1])
        defer { daemon.stop() }
        let port = "\(daemon.port)"

        let secured = try runCommand("rpc-cli", ["health", "--port", port, "--tls-ca-file", certificates.caFile])
        #expect(secured.status == 0 && secured.stdout.contains("SERVING"), "\(secured.stderr)")
        let plaintext = try runCommand("rpc-cli", ["health", "--port", port])
        #expect(plaintext.status == 69, "\(plaintext.stdout)")

        // The renewed certificate is signed by the other CA: which CA works tells which one is served.
        for (from, to) in [(certificates.reissuedServerCertificate, live.0), (certificates.reissuedServerKey, live.1)] {
            try FileManager.default.removeItem(atPath: to)
            try FileManager.default.copyItem(atPath: from, toPath: to)
        }
        kill(daemon.process.processIdentifier, SIGHUP)
        var renewed = false
        for _ in 0..<50 where !renewed {
            renewed = try runCommand("rpc-cli", ["health", "--port", port, "--tls-ca-file", certificates.otherCAFile]).status == 0
            if !renewed { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(renewed, "SIGHUP reloaded the files")
        let old = try runCommand("rpc-cli", ["health", "--port", port, "--tls-ca-file", certificates.caFile])
        #expect(old.status == 69 && old.stderr.contains("the TLS handshake failed"), "\(old.stderr)")
        #expect(daemon.stop() == 0, "still serving until SIGTERM, then drained")
    }

    @Test("mTLS: a caller named by certificateSubject in the callers file calls with its certificate and no token, within its grants")
    func callerByCertificate() throws {
        let certificates = try TestCertificates.makeBlocking(clients: ["support": "spiffe://alt/support-tool"])
        let config = certificates.path("deletiond.json")
        try Data(#"{"callers": [{"name": "support-tool", "certificateSubject": "spiffe://alt/support-tool", "methods": ["deletion.list"]}]}"#.utf8)
            .write(to: URL(fileURLWithPath: config))
        let daemon = try DaemonProcess(arguments: [
                "--config", config, "--tls-cert-file", certificates.serverCertificate, "--tls-key-file", certificates.serverKey,
                "--tls-client-ca-file", certificates.caFile,
            ])
        defer { daemon.stop() }
        let support = certificates.client("support")
        let tls = ["--port", "\(daemon.port)", "--tls-ca-file", certificates.caFile, "--tls-cert-file", support.certificate, "--tls-key-file", support.key]
        let listed = try runCommand("rpc-cli", ["call", "deletion.list"] + tls)
        #expect(listed.status == 0 && listed.stdout.contains("requests"), "\(listed.stderr)")
        let created = try runCommand("rpc-cli", ["call", "deletion.create", "accountId=acc_demo", "scope=calendar", "channel=support"] + tls)
        #expect(created.status == 1 && created.stderr.contains("PERMISSION_DENIED"), "\(created.stderr)")
        let noCertificate = try runCommand("rpc-cli", ["health", "--port", "\(daemon.port)", "--tls-ca-file", certificates.caFile])
        #expect(noCertificate.status == 69, "mTLS: no certificate, no connection: \(noCertificate.stderr)")
    }

    @Test("start-up refusals are one line: a missing or expired certificate, half the TLS flags, plaintext on a public address")
    func refusals() throws {
        let certificates = try TestCertificates.makeBlocking()
        let database = ["--db", certificates.path("alt.sqlite")]
        let missing = try runCommand("deletiond", ["serve", "--dev", "--port", "0", "--tls-cert-file", "/nonexistent/server.pem", "--tls-key-file", certificates.serverKey] + database)
        #expect(missing.status == 64 && missing.stderr.hasSuffix("deletiond: TLS certificate file /nonexistent/server.pem: does not exist\n"), "\(missing.stderr)")
        let expired = try runCommand(
                "deletiond",
                ["serve", "--dev", "--port", "0", "--tls-cert-file", certificates.expiredServerCertificate, "--tls-key-file", certificates.expiredServerKey] + database
            )
        #expect(expired.status == 64 && expired.stderr.contains("TLS certificate file \(certificates.expiredServerCertificate): expired on"), "\(expired.stderr)")
        let half = try runCommand("deletiond", ["serve", "--dev", "--port", "0", "--tls-cert-file", certificates.serverCertificate] + database)
        #expect(half.status == 64 && half.stderr.contains("TLS needs both --tls-cert-file and --tls-key-file"), "\(half.stderr)")

        let plaintext = try runCommand("deletiond", ["serve", "--host", "0.0.0.0", "--port", "0"] + database)
        #expect(plaintext.status == 64 && plaintext.stderr.contains("refusing to serve JSON-RPC on 0.0.0.0 without TLS"), "\(plaintext.stderr)")
        // Allowed, it says so first (then stops here: this test gives it no callers).
        let allowed = try runCommand("deletiond", ["serve", "--host", "0.0.0.0", "--port", "0", "--allow-plaintext"] + database)
        #expect(allowed.stderr.contains("serving JSON-RPC WITHOUT TLS on a non-loopback address (--allow-plaintext)"), "\(allowed.stderr)")
        #expect(allowed.stderr.contains("no callers configured"), "\(allowed.stderr)")
    }
}
