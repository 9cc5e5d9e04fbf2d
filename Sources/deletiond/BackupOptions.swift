import ALTBackups
import ArgumentParser
import ErasureService
import Foundation

/// Where backups go and how long they live: the config's `backups` object, flags over it, and with
/// `--dev` (or no config) folders beside the database.
struct BackupOptions: ParsableArguments {
    @Option(help: "The backup folder (default: the config's backups.folder, else <db folder>/backups).")
    var backupFolder: String?

    @Option(help: "Days a backup is kept, at most 60 (default: the config's backups.retentionDays, else 60).")
    var backupRetentionDays: Int?

    @Option(help: "Hours between scheduled backups (default: the config's backups.intervalHours, else 24).")
    var backupIntervalHours: Int?

    /// The settings, refused with a clear error when the retention asks for more than 60 days (P4: 90 days
    /// from the request, of which production may take 30).
    func settings(config file: ConfigFile?, database: String, secrets: Secrets) throws -> (settings: Backups.Settings, interval: Duration) {
        let beside = URL(fileURLWithPath: database).deletingLastPathComponent()
        let folder = backupFolder ?? file?.backups?.folder ?? beside.appendingPathComponent("backups").path
        let restores = file?.backups?.restoreFolder ?? beside.appendingPathComponent("restores").path
        let days = backupRetentionDays ?? file?.backups?.retentionDays ?? Int(Backups.maximumRetention / 86_400)
        let hours = backupIntervalHours ?? file?.backups?.intervalHours ?? 24
        guard hours >= 1 else { throw ValidationError("the backup interval must be at least 1 hour") }
        do {
            let settings = try Backups.Settings(
                folder: BackupFolder(path: folder), restoreFolder: URL(fileURLWithPath: restores, isDirectory: true),
                retention: TimeInterval(days) * 86_400, keys: try secrets.backupKeyring()
            )
            return (settings, .seconds(hours * 3_600))
        } catch let error as BackupError {
            throw ValidationError(error.description)
        }
    }
}
