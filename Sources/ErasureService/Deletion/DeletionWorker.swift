import ALTBackups
public import Logging
public import ServiceLifecycle

/// The background side of `deletiond`: every `interval` it expires unverified requests and runs the
/// erasures whose time has come; every `sweepInterval` it runs the retention sweep (P8). On graceful
/// shutdown it stops between erasure batches; the next start resumes (I4).
public struct DeletionWorker: Service {
    public let requests: DeletionRequests
    public let interval: Duration
    public let sweepInterval: Duration
    /// Backups on a schedule (and pruned every round); nil without backup settings.
    public let backups: (backups: Backups, interval: Duration)?
    public let logger: Logger

    public init(
        requests: DeletionRequests, interval: Duration = .seconds(2), sweepInterval: Duration = .seconds(3_600),
        backups: (backups: Backups, interval: Duration)? = nil, logger: Logger
    ) {
        self.requests = requests
        self.interval = interval
        self.sweepInterval = sweepInterval
        self.backups = backups
        self.logger = logger
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var nextSweep = clock.now
        var nextBackup = clock.now + (backups?.interval ?? .zero)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let sweep = clock.now >= nextSweep
            if sweep { nextSweep = clock.now + sweepInterval }
            let backup = backups != nil && clock.now >= nextBackup
            if backup { nextBackup = clock.now + (backups?.interval ?? .zero) }
            await cancelWhenGracefulShutdown { await round(sweep: sweep, backup: backup) }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One round; errors are logged (without personal data) and the next round tries again.
    func round(sweep: Bool, backup: Bool = false) async {
        do {
            if let backups = backups?.backups {
                if backup {
                    let manifest = try await backups.create(actor: "deletiond")
                    logger.info("backup created", metadata: ["backup": "\(manifest.id)", "bytes": "\(manifest.size)"])
                }
                _ = try await backups.prune(actor: "deletiond")
            }
            if sweep {
                let swept = try await requests.sweep(actor: "deletiond")
                logger.info("retention sweep", metadata: ["deleted": "\(swept.deleted)", "expired": "\(swept.expired)"])
            } else {
                _ = try await requests.expireUnverified(actor: "deletiond")
            }
            try await requests.runDueRequests(logger: logger)
        } catch where !Task.isCancelled {
            logger.error("deletion worker round failed", metadata: ["error": "\(type(of: error))"])
        } catch {}
    }
}
