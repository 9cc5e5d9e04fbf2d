import ArgumentParser
import Foundation
import JSONRPC
import JSONRPCNIO
import NIOCore
import NIOPosix

/// The options every subcommand shares: where the server is and how to talk to it.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The server's host.")
    var host = "127.0.0.1"

    @Option(help: "The server's port.")
    var port = 7700

    @Option(help: "The bearer token (default: $ALT_RPC_TOKEN).")
    var token: String?

    @Option(help: "The call's deadline, e.g. 500ms, 5s, 2m (sent as the Timeout header).")
    var timeout: TimeoutArgument?

    @Flag(help: "Compress request bodies and accept compressed answers (deflate).")
    var compress = false

    @Flag(help: "Print the frames sent and received (headers and JSON body) to stderr.")
    var raw = false

    @Option(help: "Connect with TLS, trusting the server's certificate if this CA (PEM) signed it.")
    var tlsCaFile: String?

    @Option(help: "With --tls-ca-file: this caller's certificate (PEM), for a server that requires one (mTLS).")
    var tlsCertFile: String?

    @Option(help: "With --tls-cert-file: its private key (PEM).")
    var tlsKeyFile: String?

    @Option(help: "A W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>) sent with the call, to find it in the server's trace and logs.")
    var traceparent: String?

    var bearerToken: String? { token ?? ProcessInfo.processInfo.environment["ALT_RPC_TOKEN"] }

    /// Connects and runs `body`; a refused connection is one line on stderr and exit code 69.
    func withConnection<T: Sendable>(_ body: (RPCConnection) async throws -> T) async throws -> T {
        var options = RPCConnection.Options(bearerToken: bearerToken, compression: compress, compressionThreshold: compress ? 1 : .max)
        options.tls = try tls()
        if let traceparent {
            guard TraceParent(traceparent) != nil else { throw ValidationError("--traceparent is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)") }
            options.traceparent = traceparent
        }
        let trace: (@Sendable (RPCConnection.Trace) -> Void)? = raw ? { @Sendable trace in Output.printTrace(trace) } : nil
        do {
            return try await RPCConnection.connect(host: host, port: port, options: options, trace: trace, body)
        } catch let error as IOError {
            Output.fail("cannot connect to \(host):\(port): \(error.description)")
            throw ExitCode(69)
        } catch let error as NIOConnectionError {
            let reason = error.connectionErrors.first.map { "\($0.error)" } ?? "\(error)"
            Output.fail("cannot connect to \(host):\(port): \(reason.contains("refused") ? "connection refused" : reason)")
            throw ExitCode(69)
        } catch let error as RPCConnection.ConnectionError {
            Output.fail("\(host):\(port): \(error.description)")
            throw ExitCode(69)
        }
    }
}

extension ConnectionOptions {
    /// TLS from the flags; nil without `--tls-ca-file`. Files that cannot be used: one line, exit 64.
    func tls() throws -> ClientTLS? {
        guard let tlsCaFile else {
            if tlsCertFile != nil || tlsKeyFile != nil { throw ValidationError("--tls-cert-file and --tls-key-file need --tls-ca-file") }
            return nil
        }
        guard (tlsCertFile == nil) == (tlsKeyFile == nil) else { throw ValidationError("--tls-cert-file and --tls-key-file go together") }
        do {
            return try ClientTLS(caFile: tlsCaFile, certificateFile: tlsCertFile, privateKeyFile: tlsKeyFile)
        } catch {
            Output.fail("cannot use the TLS files (\([tlsCaFile, tlsCertFile, tlsKeyFile].compactMap { $0 }.joined(separator: ", "))): \(error)")
            throw ExitCode(64)
        }
    }
}

/// A deadline in the CLI's short form: a number and ms, s, m or h.
struct TimeoutArgument: ExpressibleByArgument {
    let duration: Duration

    init?(argument: String) {
        let units: [(String, (Int64) -> Duration)] = [
            ("ms", { .milliseconds($0) }), ("s", { .seconds($0) }), ("m", { .seconds($0 * 60) }), ("h", { .seconds($0 * 3600) }),
        ]
        for (suffix, make) in units where argument.hasSuffix(suffix) {
            guard let amount = Int64(argument.dropLast(suffix.count)), amount > 0 else { return nil }
            duration = make(amount)
            return
        }
        return nil
    }
}
