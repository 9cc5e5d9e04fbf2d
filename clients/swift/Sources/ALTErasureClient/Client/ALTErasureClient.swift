// What a caller needs to use the client: the API's types and the JSON-RPC values in them. Not NIO: the
// transport stays inside this module.
@_exported public import ALTErasureAPI
@_exported public import JSONRPC
public import Instrumentation
import JSONRPCNIO
import Foundation
import Synchronization

/// The client of the ALT Erasure Service. The methods are generated (`Generated/Client.swift`, one per
/// method of `schemas/alt-erasure.openrpc.json`); this file is the small runtime under them: a pool of
/// multiplexed connections that reconnect with backoff, deadlines, and retries of what is safe to retry.
///
/// ```swift
/// try await ALTErasureClient.run(.init(host: "127.0.0.1", port: 7700, token: token)) { client in
///     let health = try await client.healthCheck()
/// }
/// ```
public final class ALTErasureClient: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var token: String?
        /// Connections kept open; calls are spread over them round-robin.
        public var connections: Int
        /// Compress large request bodies and accept compressed answers.
        public var compression: Bool
        /// The deadline of a call that does not set one (`nil`: none).
        public var defaultTimeout: Duration?
        public var retryPolicy: RetryPolicy
        /// TLS to the server (mTLS with a client certificate); nil: plaintext.
        public var tls: TLS?
        /// What sends the calling task's trace context (`ServiceContext.current`) as the `Traceparent`
        /// header; nil: the process's bootstrapped instrument (none: no header).
        public var instrument: (any Instrument)?

        public init(
            host: String = "127.0.0.1",
            port: Int = 7700,
            token: String? = nil,
            connections: Int = 2,
            compression: Bool = false,
            defaultTimeout: Duration? = .seconds(30),
            retryPolicy: RetryPolicy = RetryPolicy(),
            tls: TLS? = nil,
            instrument: (any Instrument)? = nil
        ) {
            self.host = host
            self.port = port
            self.token = token
            self.connections = max(1, connections)
            self.compression = compression
            self.defaultTimeout = defaultTimeout
            self.retryPolicy = retryPolicy
            self.tls = tls
            self.instrument = instrument
        }
    }

    /// TLS from PEM files, as `rpc-cli --tls-ca-file … [--tls-cert-file … --tls-key-file …]` takes them: the
    /// CA that signed the server's certificate and, for mTLS, this caller's certificate and key. TLS 1.2+;
    /// the server's certificate must name the host connected to (a DNS or IP SAN) or `serverHostname`.
    public struct TLS: Sendable {
        public var caFile: String
        public var certificateFile: String?
        public var privateKeyFile: String?
        public var serverHostname: String?

        public init(caFile: String, certificateFile: String? = nil, privateKeyFile: String? = nil, serverHostname: String? = nil) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
            self.serverHostname = serverHostname
        }
    }

    /// Retries: only methods marked `x-idempotent`, or any call the server did not process
    /// (UNAVAILABLE with `processed: false`, or a connection that could not be made). Exponential
    /// backoff with full jitter. UNAVAILABLE with `processed: false` also retires the connection it came
    /// on (the server drains), so the retry is sent on a new connection.
    public struct RetryPolicy: Sendable {
        public var maximumAttempts: Int
        public var initialBackoff: Duration
        public var maximumBackoff: Duration

        public init(maximumAttempts: Int = 5, initialBackoff: Duration = .milliseconds(50), maximumBackoff: Duration = .seconds(2)) {
            self.maximumAttempts = max(1, maximumAttempts)
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }

        /// The wait before attempt `attempt + 1`: uniformly random up to the exponential bound.
        func backoff(after attempt: Int) -> Duration {
            let bound = min(maximumBackoff, initialBackoff * (1 << min(attempt - 1, 20)))
            let nanoseconds = bound.components.seconds * 1_000_000_000 + bound.components.attoseconds / 1_000_000_000
            return .nanoseconds(Int64.random(in: 0...max(0, nanoseconds)))
        }
    }

    public let configuration: Configuration
    private let slots: [ConnectionSlot]
    private let nextSlot = Atomic<Int>(0)
    /// Set when calls go through a transport given to `run(_:transport:_:)` instead of TCP connections.
    private let transport: (any RPCTransport)?
    private let nextID = Atomic<Int>(1)

    private init(configuration: Configuration, transport: (any RPCTransport)? = nil) {
        self.configuration = configuration
        self.transport = transport
        self.slots = transport == nil ? (0..<configuration.connections).map { _ in ConnectionSlot() } : []
    }

    /// Runs `body` with a client whose connections live as long as `body` runs, then closes them.
    /// `body` runs in the caller's isolation (the main actor in a `@main` program, say).
    public static func run<Result: Sendable>(
        _ configuration: Configuration,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (ALTErasureClient) async throws -> Result
    ) async throws -> Result {
        let client = ALTErasureClient(configuration: configuration)
        // Unreadable TLS files fail here, once, not as a connection that never comes.
        let tls = try configuration.tls.map {
            try ClientTLS(caFile: $0.caFile, certificateFile: $0.certificateFile, privateKeyFile: $0.privateKeyFile, serverHostname: $0.serverHostname)
        }
        let options = RPCConnection.Options(
            bearerToken: configuration.token, compression: configuration.compression, tls: tls, instrument: configuration.instrument
        )
        return try await withThrowingTaskGroup(of: Void.self, isolation: isolation) { group in
            for slot in client.slots {
                group.addTask { await slot.maintain(configuration, options: options) }
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Runs `body` with a client whose calls go through `transport` (a server's in-process transport, in
    /// tests) instead of TCP connections to `host:port`; the token, retries and deadlines work the same.
    public static func run<Result: Sendable>(
        _ configuration: Configuration,
        transport: any RPCTransport,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (ALTErasureClient) async throws -> Result
    ) async throws -> Result {
        try await body(ALTErasureClient(configuration: configuration, transport: transport))
    }

    /// Calls `method`. Generated methods call this; use it directly for a method this client predates.
    public func call<M: RPCMethod>(
        _ method: M.Type,
        _ params: M.Params,
        options: CallOptions = CallOptions()
    ) async throws(ALTErasureError) -> M.Result {
        let encoded: RawJSON
        do {
            encoded = try JSONRPCCoding.encode(params)
        } catch {
            throw ALTErasureError(RPCError(.invalidArgument, "params of \(M.name) could not be encoded: \(error)"))
        }
        let timeout = options.timeout ?? configuration.defaultTimeout
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let policy = configuration.retryPolicy
        var attempt = 0
        while true {
            attempt += 1
            let failure: RPCError
            switch await attemptCall(M.name, encoded, deadline: deadline) {
            case .answered(let response):
                switch response.outcome {
                case .result(let result):
                    do {
                        return try JSONRPCCoding.decoder().decode(M.Result.self, from: Data(result.bytes))
                    } catch {
                        throw ALTErasureError(RPCError(.unknown, "the result of \(M.name) does not match its schema: \(error)"))
                    }
                case .error(let error):
                    let unprocessed = error.code == .unavailable && error.processed == false
                    guard (unprocessed || (M.isIdempotent && error.retryable)) && error.code != .deadlineExceeded else {
                        throw ALTErasureError(error)
                    }
                    failure = error
                }
            case .notSent(let error):
                failure = error
            case .lost(let error):
                guard M.isIdempotent else { throw ALTErasureError(error) }
                failure = error
            case .cancelled:
                throw ALTErasureError(RPCError(.cancelled, "the call was cancelled"))
            }
            guard options.retries, attempt < policy.maximumAttempts else { throw ALTErasureError(failure) }
            let wait = policy.backoff(after: attempt)
            if let deadline, ContinuousClock.now + wait >= deadline {
                throw ALTErasureError(failure)
            }
            do {
                try await Task.sleep(for: wait)
            } catch {
                throw ALTErasureError(RPCError(.cancelled, "the call was cancelled"))
            }
        }
    }

    private enum Attempt {
        case answered(Response)
        /// Nothing reached the server: safe to retry any call.
        case notSent(RPCError)
        /// The connection failed after the request was written: it may or may not have run.
        case lost(RPCError)
        case cancelled
    }

    private func attemptCall(_ method: String, _ params: RawJSON, deadline: ContinuousClock.Instant?) async -> Attempt {
        if let deadline, deadline <= .now {
            return .answered(.error(id: .null, RPCError(.deadlineExceeded, "no answer within the deadline")))
        }
        if let transport {
            let request = Request(id: RequestID(nextID.add(1, ordering: .relaxed).oldValue), method: method, params: params)
            do {
                return .answered(try await transport.call(request, timeout: deadline.map { $0 - .now }, bearerToken: configuration.token))
            } catch is CancellationError {
                return .cancelled
            } catch {
                return .lost(RPCError(.unavailable, "the transport failed before the answer: \(error)"))
            }
        }
        let index = nextSlot.add(1, ordering: .relaxed).oldValue % slots.count
        let connection: RPCConnection
        do {
            connection = try await slots[index].connection()
        } catch is CancellationError {
            return .cancelled
        } catch {
            let target = "\(configuration.host):\(configuration.port)"
            return .notSent(RPCError(.unavailable, "cannot connect to \(target): \(error)", processed: false))
        }
        do {
            let response = try await connection.call(method, params: params, timeout: deadline.map { $0 - .now })
            if case .error(let error) = response.outcome, error.code == .unavailable, error.processed == false {
                // The server drains: retire this connection; the retry goes out on a fresh one.
                slots[index].retire(connection)
            }
            return .answered(response)
        } catch is CancellationError {
            return .cancelled
        } catch {
            return .lost(RPCError(.unavailable, "the connection failed before the answer: \(error)"))
        }
    }
}

/// Per-call options.
public struct CallOptions: Sendable {
    /// The call's deadline (sent as the `Timeout` header and enforced here); `nil`: the client's default.
    public var timeout: Duration?
    /// Whether the retry policy applies to this call.
    public var retries: Bool

    public init(timeout: Duration? = nil, retries: Bool = true) {
        self.timeout = timeout
        self.retries = retries
    }
}
