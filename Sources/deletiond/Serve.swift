import ALTStore
import ArgumentParser
import Configuration
import ErasureDomain
import ErasureHTTP
import ErasureService
import Foundation
import JSONRPC
import CoreMetrics
import Logging
import NIOCore
import NIOPosix
import Prometheus
import RPCServer
import RPCServerNIO
import ServiceLifecycle
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve JSON-RPC on TCP until SIGTERM or SIGINT, then drain and exit 0."
    )

    @Option(help: "The address to listen on (server.host; default 127.0.0.1).")
    var host: String?

    @Option(help: "The TCP port, 0 picks a free one (server.port; default 7700).")
    var port: Int?

    @Option(help: "TLS on the JSON-RPC port: the server's certificate chain, PEM (tls.certificateFile). Reloaded on SIGHUP.")
    var tlsCertFile: String?

    @Option(help: "The certificate's private key, PEM (tls.privateKeyFile).")
    var tlsKeyFile: String?

    @Option(help: "mTLS: every client must present a certificate this CA (PEM) signed; its SAN may name the caller (tls.clientCAFile).")
    var tlsClientCaFile: String?

    @Flag(help: "Serve JSON-RPC without TLS on an address other than loopback (refused otherwise).")
    var allowPlaintext = false

    @Option(help: "Serve Meta's callbacks, the deletion status page and health probes over HTTP on this port, 0 picks a free one (http.port; off by default).")
    var httpPort: Int?

    @Option(help: "The address of the HTTP listener (http.host; default 127.0.0.1).")
    var httpHost: String?

    @Option(help: "Status page lookups one client may make at once, then one a second (http.statusLookupBurst; default 60).")
    var httpStatusBurst: Int?

    @Option(help: "The proxies in front of the HTTP listener that terminate HTTPS, comma-separated addresses or networks (10.0.0.0/8): their X-Forwarded-For names the client the limits count (http.trustedProxies; default none).")
    var httpTrustedProxies: String?

    @OptionGroup var store: StoreOptions
    @OptionGroup var backupOptions: BackupOptions

    @Flag(help: "Development mode, loopback only: a caller allowed every method, with the token 'dev'.")
    var dev = false

    @Option(help: "The token of the development caller, with --dev (dev.token; default dev).")
    var devToken: String?

    @Option(help: "Seconds that calls in flight may take to finish once draining starts (server.drainSeconds; default 10).")
    var gracePeriod: Int?

    @Option(help: "Days an account-scope request waits after verification; never past the 30-day deadline (erasure.gracePeriodDays; default 7).")
    var gracePeriodDays: Int?

    @Option(help: "Rows erased per transaction (erasure.batchSize; default 5000).")
    var erasureBatchSize: Int?

    @Option(help: "Seconds an erasure run's lease lasts unrenewed: how soon another replica takes over a dead one's run (erasure.leaseSeconds; default 30).")
    var erasureLease: Int?

    @Option(help: "Seconds between rounds of the erasure executor (erasure.workerIntervalSeconds; default 2).")
    var workerInterval: Int?

    @Option(help: "Seconds between retention sweeps (retention.sweepIntervalSeconds; default 3600).")
    var sweepInterval: Int?

    @Option(help: "Seconds after start-up before values sealed with an older token key are re-sealed under the current one (keys.resealDelaySeconds; default 300).")
    var resealDelay: Int?

    @Option(help: "Seconds a Meta signed_request may be old (meta.signedRequestToleranceSeconds; default 3600).")
    var signedRequestTolerance: Int?

    @Option(help: "Send spans to an OpenTelemetry collector over OTLP/HTTP at this base URL, e.g. http://otel-collector:4318 (tracing.otlpEndpoint; off by default). OTEL_* variables (sampler, headers, certificates) apply on top.")
    var otlpEndpoint: String?

    @Option(help: "The OTLP/HTTP encoding: http/protobuf or http/json, whose ids swift-otel writes in base64 (tracing.otlpProtocol; default http/protobuf).")
    var otlpProtocol: String?

    @Option(help: "Log format: text or json (log.format; default text).")
    var logFormat: LogFormat?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (log.level; default info).")
    var logLevel: LogLevel?

    /// The flags given, as settings (they come before the environment and the file).
    var flags: [Setting: ConfigContent] {
        var flags = backupOptions.flags
        let texts: [(Setting, String?)] = [
            (.host, host), (.httpHost, httpHost), (.httpTrustedProxies, httpTrustedProxies), (.tlsCertificateFile, tlsCertFile), (.tlsPrivateKeyFile, tlsKeyFile), (.tlsClientCAFile, tlsClientCaFile), (.devToken, devToken), (.logFormat, logFormat?.rawValue), (.logLevel, logLevel?.rawValue),
            (.otlpEndpoint, otlpEndpoint), (.otlpProtocol, otlpProtocol)]
        let numbers: [(Setting, Int?)] = [
            (.port, port), (.httpPort, httpPort), (.httpStatusBurst, httpStatusBurst), (.drainSeconds, gracePeriod), (.gracePeriodDays, gracePeriodDays), (.erasureBatchSize, erasureBatchSize), (.erasureLeaseSeconds, erasureLease),
            (.workerIntervalSeconds, workerInterval), (.sweepIntervalSeconds, sweepInterval), (.signedRequestToleranceSeconds, signedRequestTolerance),
            (.resealDelaySeconds, resealDelay),
        ]
        for (setting, value) in texts { if let value { flags[setting] = .string(value) } }
        for (setting, value) in numbers { if let value { flags[setting] = .int(value) } }
        return flags
    }

    /// Every swift-metrics series of the process (RPC calls and durations, erasure rows, ingest drops,
    /// backup age), shown by the HTTP listener's `/metrics`. Bootstrapped once, at the first use.
    static let metrics: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    func run() async throws {
        let settings = try store.settings(flags: flags)
        _ = Self.metrics
        for host in [settings.host] + (settings.httpPort == nil ? [] : [settings.httpHost]) where dev && !Self.isLoopback(host) {
            throw ValidationError("--dev listens on loopback only (127.0.0.1, ::1 or localhost), not \(host)")
        }
        let logFormat = LogFormat(rawValue: settings.logFormat) ?? .text
        let logLevel = LogLevel(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch logFormat {
                case .text: StreamLogHandler.standardError(label: label)
                case .json: JSONLogHandler(label: label)
                }
            handler.logLevel = logLevel.level
            return handler
        }
        let logger = Logger(label: "deletiond")
        let tls = try serverTLS(settings, logger: logger)
        let proxies: TrustedProxies
        do {
            proxies = try TrustedProxies(settings.httpTrustedProxies ?? "")
        } catch {
            throw ValidationError("--http-trusted-proxies (http.trustedProxies): \(error)")
        }
        // Before anything that makes spans is built: the environment takes the process's tracer.
        let spanExport = try SpanExport.bootstrap(settings, logger: logger)

        var callers = settings.callers ?? CallerDirectory()
        if settings.callers == nil, !dev {
            throw ValidationError("no callers configured: pass --config FILE with callers, or --dev for local development (see README: Configuration)")
        }
        if dev {
            callers = callers.adding(Caller(name: "dev", allowedMethods: [MethodPattern("*")]), token: settings.devToken)
            logger.notice("development mode: every method is open to the dev token")
        }

        try await StoreOptions.withStore(settings, logger: logger) { opened in
            let erasureStore = opened.erasureStore
            logger.info("store", metadata: ["store": "\(opened.location)"])
            let devClock = dev ? OffsetClock() : nil
            let secrets = try StoreOptions.secrets(settings, allowGenerated: dev)
            var environment = try DeletionEnvironment.from(secrets, clock: devClock ?? SystemClock(), devClock: devClock)
            let meta = try metaSettings(settings, secrets: secrets)
            let backup = try BackupOptions.settings(settings, secrets: secrets)
            environment.backupFolder = backup.settings.folder
            environment.policy.accountGracePeriod = TimeInterval(settings.gracePeriodDays) * 86_400
            environment.batchSize = settings.erasureBatchSize
            environment.workLease = TimeInterval(settings.erasureLeaseSeconds)
            let requests = DeletionRequests(store: erasureStore, environment: environment, logger: logger)
            let backups = Backups(settings: backup.settings, store: erasureStore, environment: environment)
            let leftovers = try await backups.cleanUp()
            if leftovers > 0 { logger.notice("removed files of unfinished backups or restores", metadata: ["files": "\(leftovers)"]) }
            let serving = ServingState()
            let dispatcher = try ErasureServer.makeDispatcher(
                callers: callers, requests: requests, meta: meta, backups: backups, state: serving, logger: logger
            )
            // health.check reports NOT_SERVING while the store cannot be written, and SERVING again once it can.
            let probe = StoreProbe(store: erasureStore, state: serving)
            // The scheduled work, one service per feature.
            let executor = requests.executor(every: .seconds(settings.workerIntervalSeconds), logger: logger)
            let sweeper = Retention(store: erasureStore, clock: environment.clock, replicaID: environment.replicaID).sweeper(every: .seconds(settings.sweepIntervalSeconds), logger: logger)
            let scheduler = backups.scheduler(
                requests: requests, backupInterval: backup.interval, pruneInterval: .seconds(settings.workerIntervalSeconds), logger: logger
            )
            let server = TCPServer(
                configuration: TCPServerConfiguration(host: settings.host, port: settings.port, gracePeriod: .seconds(settings.drainSeconds), tls: tls),
                dispatcher: dispatcher,
                logger: logger
            ) { address in
                // The one line a person or a script waits for.
                FileHandle.standardOutput.write(Data("deletiond listening on \(address.ipAddress ?? settings.host):\(address.port ?? settings.port)\n".utf8))
            }
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                .init(service: server), .init(service: probe), .init(service: MemoryTrim()), .init(service: requests.runner),
                .init(service: executor), .init(service: sweeper), .init(service: scheduler),
                .init(service: StoreGauges(store: erasureStore, environment: environment).service(logger: logger)),
                .init(service: TokenKeyRotation(store: erasureStore, cipher: environment.cipher).service(after: .seconds(settings.resealDelaySeconds), logger: logger)),
            ]
            if let tls { services.append(.init(service: TLSReloader(tls: tls, logger: logger))) }
            if let httpPort = settings.httpPort {
                let edge = HTTPEdge.Services(
                    integrations: Integrations(requests: requests, meta: meta), requests: requests, serving: serving,
                    statusLookups: .init(burst: settings.httpStatusBurst, interval: .seconds(1)), trustedProxies: proxies, metrics: Self.metrics
                )
                let host = settings.httpHost
                let http = HTTPEdge.application(edge, host: host, port: httpPort, logger: logger) { port in
                    FileHandle.standardOutput.write(Data("deletiond http listening on \(host):\(port)\n".utf8))
                }
                services.insert(.init(service: http), at: 1)
            }
            // First, so it stops last: the spans of the drain and of the last batches are exported too.
            if let spanExport { services.insert(.init(service: spanExport), at: 0) }
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    // Shut down in reverse: the scheduled work and the erasure runs stop (between batches) before the servers.
                    services: services,
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                )
            )
            do {
                try await group.run()
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                throw ValidationError("port \(settings.port) on \(settings.host) is already in use")
            } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
                throw ValidationError("cannot listen on \(settings.host): no such local address")
            }
        }
    }

    /// TLS on the JSON-RPC port from the settings: both files or neither, each usable (one line naming the
    /// file otherwise). Without TLS a non-dev server listens on loopback only, unless `--allow-plaintext`.
    func serverTLS(_ settings: Settings, logger: Logger) throws -> ServerTLS? {
        guard let certificate = settings.tlsCertificateFile, let key = settings.tlsPrivateKeyFile else {
            if settings.tlsCertificateFile != nil || settings.tlsPrivateKeyFile != nil || settings.tlsClientCAFile != nil {
                throw ValidationError("TLS needs both --tls-cert-file and --tls-key-file (tls.certificateFile, tls.privateKeyFile)")
            }
            if !dev, !Self.isLoopback(settings.host) {
                guard allowPlaintext else {
                    throw ValidationError(
                        "refusing to serve JSON-RPC on \(settings.host) without TLS: pass --tls-cert-file and --tls-key-file, or --allow-plaintext"
                    )
                }
                logger.warning("serving JSON-RPC WITHOUT TLS on a non-loopback address (--allow-plaintext)", metadata: ["host": "\(settings.host)"])
            }
            return nil
        }
        let tls = try ServerTLS(files: .init(certificate: certificate, privateKey: key, clientCA: settings.tlsClientCAFile))
        logger.info("tls", metadata: ["mtls": "\(tls.requiresClientCertificate)", "certificate_expires": "\(tls.expires)"])
        return tls
    }

    /// Meta's settings: the app secret from the secrets file, the status page and tolerance from the
    /// configuration's `meta`; `--dev` falls back to `dev-app-secret` and a local status page.
    func metaSettings(_ settings: Settings, secrets: Secrets) throws -> MetaSettings {
        var meta = MetaSettings.development
        // --dev: the HTTP listener's page when there is one (a port of 0 is known only once bound).
        if let httpPort = settings.httpPort, httpPort != 0 { meta.statusPageBase = "http://\(settings.httpHost):\(httpPort)/deletion-status" }
        if let secret = secrets.metaAppSecret {
            meta.appSecret = secret
        } else if !dev {
            throw ValidationError("the secrets file must hold metaAppSecret (Meta's app secret; see README: Configuration)")
        }
        if let base = settings.statusPageBase {
            meta.statusPageBase = base
        } else if !dev {
            throw SettingError(source: "configuration", key: "meta.statusPageBase", reason: "is required (the public deletion status page; see README)")
        }
        meta.signedRequestTolerance = TimeInterval(settings.signedRequestToleranceSeconds)
        return meta
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum LogLevel: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}
