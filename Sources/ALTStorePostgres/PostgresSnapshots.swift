public import ALTStore
import Foundation

/// Backups of a PostgreSQL store: `pg_dump` in its custom format (one consistent snapshot, taken in a
/// repeatable-read transaction on the server), written to the private file the backup pipeline then
/// compresses and seals like SQLite's `VACUUM INTO` copy. `pg_dump` comes from `PG_BINDIR`, else
/// `pg_config --bindir`, else the `PATH`.
public struct PostgresSnapshots: SnapshotSource {
    public let url: PostgresURL

    public init(url: PostgresURL) { self.url = url }

    public var engine: TableClassification.Engine { .postgres }

    public func writeSnapshot(toFile path: String) async throws {
        try await PostgresTools.run(
            "pg_dump", ["--format=custom", "--no-owner", "--file", path] + url.connectionArguments, password: url.password
        )
    }
}
