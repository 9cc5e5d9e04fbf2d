import ALTBackups
import ALTStore
import ALTStorePostgres
import ArgumentParser
import ErasureDomain
import ErasureService
import Foundation

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into a new database, offline, replaying the erasure ledger.",
        discussion: """
            Checks the backup's size, SHA-256 and every chunk's authentication tag, decrypts and decompresses it
            into a private scratch file, loads it into a new database, erases again every subject the live
            store's ledger holds, and only then gives it its name. On SQLite (--db) TARGET is the new file's
            path; on PostgreSQL (--database-url) it is the name of a new database on the same server, loaded
            with pg_restore. TARGET must not exist. `latest` names the newest backup.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backupOptions: BackupOptions

    @Option(help: "The backup id (or latest).")
    var backup: String

    @Option(help: "The database to write, which must not exist: a file path (SQLite), or a database name (PostgreSQL).")
    var to: String

    func run() async throws {
        let configuration = try store.settings(flags: backupOptions.flags)
        let secrets = try StoreOptions.secrets(configuration, allowGenerated: true)
        let settings = try BackupOptions.settings(configuration, secrets: secrets).settings
        let hasher = try DeletionEnvironment.from(secrets, clock: SystemClock(), devClock: nil).hasher
        try await StoreOptions.withStore(configuration) { opened in
            let target: any RestoreTarget
            switch opened {
            case .sqlite: target = SQLiteRestoreTarget(path: to)
            case .postgres(let database):
                try FileManager.default.createDirectory(at: settings.restoreFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                do {
                    target = try PostgresRestoreTarget(server: database, name: to, folder: settings.restoreFolder)
                } catch let invalid as InvalidRestoreName {
                    throw ValidationError("--to: \(invalid.description)")
                }
            }
            let ledger = try await opened.erasureStore.read { tx in try await tx.ledger.entries() }
            do {
                let report = try await BackupRestorer(folder: settings.folder, keys: settings.keys)
                    .restore(id: backup, into: target, ledger: ledger) { hasher.hash(kind: $0, value: $1) }
                print("restored \(report.backupID) to \(report.target): \(report.reErasedSubjects) subjects erased again (\(report.reErasedRows) rows)")
            } catch let error as BackupError {
                throw ValidationError(error.description)
            }
        }
    }
}
