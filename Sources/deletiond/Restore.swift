import ALTBackups
import ALTStore
import ArgumentParser
import ErasureDomain
import ErasureService
import Foundation

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into a new database file, offline, replaying the erasure ledger.",
        discussion: """
            Checks the backup's size, SHA-256 and every chunk's authentication tag, decrypts and decompresses it
            into a temporary file beside PATH, erases again every subject the live store's ledger (--db) holds,
            and only then renames it to PATH. PATH must not exist. `latest` names the newest backup.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backupOptions: BackupOptions

    @Option(help: "The backup id (or latest).")
    var backup: String

    @Option(help: "The database file to write; it must not exist.")
    var to: String

    func run() async throws {
        let configuration = try store.settings(flags: backupOptions.flags)
        let secrets = try StoreOptions.secrets(configuration, allowGenerated: true)
        let settings = try BackupOptions.settings(configuration, secrets: secrets).settings
        // A PostgreSQL store's backups are pg_dump archives, restored with pg_restore (schemas/POSTGRES.md).
        try StoreOptions.requireSQLite(configuration, for: "restore")
        let live = try StoreOptions.open(configuration)
        let ledger = try await SQLiteErasureStore(database: live).read { tx in try await tx.ledger.entries() }
        let hasher = try DeletionEnvironment.from(secrets, clock: SystemClock(), devClock: nil).hasher
        do {
            let report = try await BackupRestorer(folder: settings.folder, keys: settings.keys)
                .restore(id: backup, to: to, ledger: ledger) { hasher.hash(kind: $0, value: $1) }
            print("restored \(report.backupID) to \(report.target): \(report.reErasedSubjects) subjects erased again (\(report.reErasedRows) rows)")
        } catch let error as BackupError {
            throw ValidationError(error.description)
        }
    }
}
