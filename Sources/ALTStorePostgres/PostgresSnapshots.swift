public import ALTStore
public import Foundation

/// Backups of a PostgreSQL store: `pg_dump` in its custom format (one consistent snapshot, taken in a
/// repeatable-read transaction on the server), written to the private file the backup pipeline then
/// compresses and seals like SQLite's `VACUUM INTO` copy; restored with `pg_restore` into a new database
/// on the same server (`PostgresRestoreTarget`). The tools come from `PG_BINDIR`, else
/// `pg_config --bindir`, else the `PATH`.
public struct PostgresSnapshots: SnapshotSource {
    public let database: PostgresAppDatabase

    public init(database: PostgresAppDatabase) { self.database = database }

    public var engine: TableClassification.Engine { .postgres }

    public func writeSnapshot(toFile path: String) async throws {
        let url = database.url
        try await PostgresTools.run(
            "pg_dump", ["--format=custom", "--no-owner", "--file", path] + url.connectionArguments, password: url.password
        )
    }

    /// `<database>.<name>`: a caller names restores of this store only, never another database on the server.
    public func restoreTarget(named name: String, in folder: URL) throws -> any RestoreTarget {
        try PostgresRestoreTarget(server: database, name: database.url.database + "." + name, folder: folder)
    }
}
