import ALTStore
import ArgumentParser
import ErasureDomain
import ErasureService
import Foundation
import JSONRPC
import Logging
import NIOCore
import NIOPosix
import RPCServer
import RPCServerNIO
import ServiceLifecycle
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve JSON-RPC on TCP until SIGTERM or SIGINT, then drain and exit 0."
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The TCP port (0 picks a free one).")
    var port = 7700

    @OptionGroup var store: StoreOptions
    @OptionGroup var backupOptions: BackupOptions

    @Option(help: "The configuration file (JSON): callers, their token digests and grants.")
    var config: String?

    @Flag(help: "Development mode, loopback only: a caller allowed every method, with the token 'dev'.")
    var dev = false

    @Option(help: "The token of the development caller (with --dev).")
    var devToken = "dev"

    @Option(help: "Seconds that calls in flight may take to finish once draining starts.")
    var gracePeriod = 10

    @Option(help: "Days an account-scope request waits after verification (cancel still works); never past the 30-day deadline.")
    var gracePeriodDays = 7

    @Option(help: "Rows erased per transaction.")
    var erasureBatchSize = 5_000

    @Option(help: "Seconds between rounds of the background executor (due erasures, expiry).")
    var workerInterval = 2

    @Option(help: "Seconds between retention sweeps.")
    var sweepInterval = 3_600

    @Option(help: "Seconds a Meta signed_request may be old (default: the config's meta.signedRequestToleranceSeconds, else 3600).")
    var signedRequestTolerance: Int?

    @Option(help: "Log format: text or json.")
    var logFormat: LogFormat = .text

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: LogLevel = .info

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if dev && !Self.isLoopback(host) {
            throw ValidationError("--dev listens on loopback only (127.0.0.1, ::1 or localhost), not \(host)")
        }
        if !dev && config == nil {
            throw ValidationError("no callers configured: pass --config FILE, or --dev for local development")
        }
        guard gracePeriod >= 0 else { throw ValidationError("--grace-period must not be negative") }
        guard (0...30).contains(gracePeriodDays) else { throw ValidationError("--grace-period-days must be 0…30") }
        guard erasureBatchSize >= 1 else { throw ValidationError("--erasure-batch-size must be at least 1") }
        guard workerInterval >= 1, sweepInterval >= 1 else { throw ValidationError("--worker-interval and --sweep-interval must be at least 1") }
    }

    func run() async throws {
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

        let file = try ConfigFile.load(path: config)
        var callers = file?.callerDirectory ?? CallerDirectory()
        if let file, file.callerDirectory == nil, !dev {
            throw ConfigError(path: file.path, key: "callers", reason: "is required without --dev (see README: Configuration)")
        }
        if dev {
            callers = callers.adding(Caller(name: "dev", allowedMethods: [MethodPattern("*")]), token: devToken)
            logger.notice("development mode: every method is open to the dev token")
        }

        let erasureStore = SQLiteErasureStore(database: try store.open())
        // With --dev the clock is the wall clock plus what admin.advanceClock added.
        let devClock = dev ? OffsetClock() : nil
        let secrets = try store.secrets(config: file, allowGenerated: dev)
        var environment = try DeletionEnvironment.from(secrets, clock: devClock ?? SystemClock(), devClock: devClock)
        let meta = try metaSettings(file: file, secrets: secrets)
        let backup = try backupOptions.settings(config: file, database: store.db, secrets: secrets)
        environment.backupFolder = backup.settings.folder
        environment.policy.accountGracePeriod = TimeInterval(gracePeriodDays) * 86_400
        environment.batchSize = erasureBatchSize
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
        let executor = requests.executor(every: .seconds(workerInterval), logger: logger)
        let sweeper = Retention(store: erasureStore, clock: environment.clock).sweeper(every: .seconds(sweepInterval), logger: logger)
        let scheduler = backups.scheduler(
            requests: requests, backupInterval: backup.interval, pruneInterval: .seconds(workerInterval), logger: logger
        )
        let server = TCPServer(
            configuration: TCPServerConfiguration(host: host, port: port, gracePeriod: .seconds(gracePeriod)),
            dispatcher: dispatcher,
            logger: logger
        ) { address in
            // The one line a person or a script waits for.
            FileHandle.standardOutput.write(Data("deletiond listening on \(address.ipAddress ?? host):\(address.port ?? port)\n".utf8))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                // Shut down in reverse: the scheduled work and the erasure runs stop (between batches) before the server.
                services: [
                    .init(service: server), .init(service: probe), .init(service: MemoryTrim()), .init(service: requests.runner),
                    .init(service: executor), .init(service: sweeper), .init(service: scheduler),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw ValidationError("port \(port) on \(host) is already in use")
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
            throw ValidationError("cannot listen on \(host): no such local address")
        }
    }

    /// Meta's settings: the app secret from the secrets file, the status page and tolerance from the
    /// config's `meta` object; `--dev` falls back to `dev-app-secret` and a local status page.
    func metaSettings(file: ConfigFile?, secrets: Secrets) throws -> MetaSettings {
        var settings = MetaSettings.development
        settings.statusPageBase = "http://\(host):\(port)/deletion-status"
        if let secret = secrets.metaAppSecret {
            settings.appSecret = secret
        } else if !dev {
            throw ValidationError("the secrets file must hold metaAppSecret (Meta's app secret; see README: Configuration)")
        }
        if let base = file?.meta?.statusPageBase {
            settings.statusPageBase = base
        } else if !dev, let file {
            throw ConfigError(path: file.path, key: "meta.statusPageBase", reason: "is required (the public deletion status page; see README)")
        }
        let tolerance = signedRequestTolerance ?? file?.meta?.signedRequestToleranceSeconds ?? 3_600
        guard tolerance > 0 else { throw ValidationError("the signed_request tolerance must be positive") }
        settings.signedRequestTolerance = TimeInterval(tolerance)
        return settings
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
