import ALTBackups
import ArgumentParser
import Configuration
import ErasureService
import Foundation

/// Where backups go and how long they live: flags over the environment and the configuration's `backups`.
struct BackupOptions: ParsableArguments {
    @Option(help: "The backup folder (backups.folder; default <db folder>/backups).")
    var backupFolder: String?

    @Option(help: "Days a backup is kept, at most 60 (backups.retentionDays; default 60).")
    var backupRetentionDays: Int?

    @Option(help: "Hours between scheduled backups (backups.intervalHours; default 24).")
    var backupIntervalHours: Int?

    var flags: [Setting: ConfigContent] {
        var flags: [Setting: ConfigContent] = [:]
        if let backupFolder { flags[.backupFolder] = .string(backupFolder) }
        if let backupRetentionDays { flags[.backupRetentionDays] = .int(backupRetentionDays) }
        if let backupIntervalHours { flags[.backupIntervalHours] = .int(backupIntervalHours) }
        return flags
    }

    /// The settings, refused with a clear error when the retention asks for more than 60 days (P4: 90 days
    /// from the request, of which production may take 30).
    static func settings(_ settings: Settings, secrets: Secrets) throws -> (settings: Backups.Settings, interval: Duration) {
        do {
            let backups = try Backups.Settings(
                folder: BackupFolder(path: settings.backupFolder),
                restoreFolder: URL(fileURLWithPath: settings.restoreFolder, isDirectory: true),
                retention: TimeInterval(settings.backupRetentionDays) * 86_400, keys: try secrets.backupKeyring()
            )
            return (backups, .seconds(settings.backupIntervalHours * 3_600))
        } catch let error as BackupError {
            throw ValidationError(error.description)
        }
    }
}
