import CoreMetrics
public import ALTBackups
public import ALTStore
import ErasureDomain
public import Foundation
public import Logging
import RPCServer
import Tracing

/// Backups in the service (P4, I1): made on demand and on a schedule, pruned when their time is up (at
/// most 90 days), restored with the erasure ledger replayed. Erased requests wait for every older backup
/// to go before their final confirmation: whoever prunes asks `DeletionRequests.confirmClearedRequests`
/// next (`BackupScheduler`, `backups.prune`).
public struct Backups: Sendable {
    /// The longest a backup may live: 60 days, so that a backup taken just before an erasure on its 30-day
    /// production deadline is gone 90 days after the request (P4, `ErasurePolicy.longestBackupRetention`).
    public static let maximumRetention: TimeInterval = ErasurePolicy().longestBackupRetention

    public struct Settings: Sendable {
        public var folder: BackupFolder
        /// Restores write only here (`backups.restore` takes a file name).
        public var restoreFolder: URL
        public var retention: TimeInterval
        public var keys: BackupKeys

        public init(folder: BackupFolder, restoreFolder: URL, retention: TimeInterval, keys: BackupKeys) throws(BackupError) {
            guard retention > 0, retention <= Backups.maximumRetention else {
                throw .configuration(
                    "retention must be more than 0 and at most \(Int(Backups.maximumRetention / 86_400)) days, so backups holding an erased "
                        + "subject are gone 90 days after the request even when production is erased on day 30 (asked: \(Int(retention / 86_400)) days)"
                )
            }
            self.folder = folder
            self.restoreFolder = restoreFolder
            self.retention = retention
            self.keys = keys
        }
    }

    public let settings: Settings
    public let store: any ErasureStore
    public let environment: DeletionEnvironment

    public init(settings: Settings, store: any ErasureStore, environment: DeletionEnvironment) {
        self.settings = settings
        self.store = store
        self.environment = environment
    }

    var now: Date { environment.clock.now() }

    public func create(actor: String) async throws -> BackupManifest {
        let now = self.now
        let (settings, store) = (self.settings, self.store)
        return try await withTracedSpan("backup.create", tracer: environment.tracer) { span in
            let manifest = try await BackupWriter(folder: settings.folder, keys: settings.keys)
                .create(from: store.snapshots, now: now, retention: settings.retention)
            try await store.write { tx in
                try await tx.audit.append(at: now, actor: actor, action: .backupCreated, subject: "backup:\(manifest.id)", details: ["bytes": manifest.size])
            }
            span.attributes["backup.id"] = manifest.id
            span.attributes["backup.bytes"] = manifest.size
            return manifest
        }
    }

    public func list() throws -> [BackupManifest] { try settings.folder.list() }

    /// At start-up: removes what a crash left behind — a backup's plaintext snapshot and unfinished files,
    /// a restore's unfinished database — so no plaintext copy outlives the process that wrote it.
    /// Returns how many files were removed.
    public func cleanUp() async throws -> Int {
        let backups = try await settings.folder.cleanUp()
        let restores = try UnfinishedRestores.remove(in: settings.restoreFolder)
        return backups.count + restores.count
    }

    /// Deletes expired backups; returns their ids.
    public func prune(actor: String) async throws -> [String] {
        let now = self.now
        let pruned = try settings.folder.prune(now: now)
        if !pruned.isEmpty {
            try await store.write { tx in
                for id in pruned { try await tx.audit.append(at: now, actor: actor, action: .backupPruned, subject: "backup:\(id)") }
            }
        }
        return pruned
    }

    /// Restores into a new database named for `name` (`SnapshotSource.restoreTarget`: a file in the
    /// restore folder, or on PostgreSQL a database beside the store's), replaying the live ledger.
    public func restore(id: String, name: String, actor: String) async throws -> BackupRestorer.Report {
        guard BackupFolder.isValidID(name.replacingOccurrences(of: ".", with: "_")), !name.hasPrefix("."), !name.contains("/") else {
            throw DeletionError.invalidArgument(param: "target", message: "a name of letters, digits, . _ - (a file in the restore folder, or a database)")
        }
        try FileManager.default.createDirectory(at: settings.restoreFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let target: any RestoreTarget
        do {
            target = try store.snapshots.restoreTarget(named: name, in: settings.restoreFolder)
        } catch let invalid as InvalidRestoreName {
            throw DeletionError.invalidArgument(param: "target", message: invalid.description)
        }
        let ledger = try await store.read { tx in try await tx.ledger.entries() }
        let hasher = environment.hasher
        let report = try await BackupRestorer(folder: settings.folder, keys: settings.keys)
            .restore(id: id, into: target, ledger: ledger) { hasher.hash(kind: $0, value: $1) }
        let now = self.now
        try await store.write { tx in
            try await tx.audit.append(
                at: now, actor: actor, action: .backupRestored, subject: "backup:\(id)",
                details: ["reErasedSubjects": report.reErasedSubjects, "reErasedRows": report.reErasedRows]
            )
        }
        return report
    }
}

extension Backups {
    /// Backups on a schedule as a service: one every `backupInterval` (the first after one interval), and
    /// every `pruneInterval` the expired ones pruned, after which erased requests whose older backups are
    /// all gone get their final confirmation (P4, P5).
    public func scheduler(
        requests: DeletionRequests, backupInterval: Duration, pruneInterval: Duration = .seconds(2), logger: Logger
    ) -> PeriodicService<ContinuousClock.Instant> {
        let clock = ContinuousClock()
        return PeriodicService("backup round", every: pruneInterval, logger: logger, initial: { clock.now + backupInterval }) { due in
            var due = due
            if clock.now >= due {
                // The next one is an interval away whatever becomes of this one.
                due = clock.now + backupInterval
                do {
                    if let manifest = try await scheduledBackup(every: backupInterval) {
                        logger.info("backup created", metadata: ["backup": "\(manifest.id)", "bytes": "\(manifest.size)"])
                    }
                } catch where !Task.isCancelled {
                    logger.error("scheduled backup failed", metadata: ["error": "\(type(of: error))"])
                }
            }
            _ = try await prune(actor: "deletiond")
            try await requests.confirmClearedRequests()
            recordNewestBackupAge()
            return due
        }
    }

    /// `backup_newest_age_seconds`: how old the newest backup in the folder is (absent while there is none).
    public func recordNewestBackupAge() {
        // A folder that cannot be listed now is reported by the round's prune; the gauge keeps its value.
        guard let newest = try? settings.folder.list().map(\.createdAt).max() else { return }
        Gauge(label: "backup_newest_age_seconds").record(now.timeIntervalSince(newest))
    }

    /// The backup of one scheduled round: nil when another replica sharing the store has taken one within
    /// this `interval` (one backup per interval, whatever the number of replicas).
    public func scheduledBackup(every interval: Duration) async throws -> BackupManifest? {
        try await IntervalClaim(name: "backup-round", store: store, holder: environment.replicaID, clock: environment.clock)
            .run(every: TimeInterval(interval.components.seconds)) { try await create(actor: "deletiond") }
    }
}
