public import Foundation
import GRDB

/// A restore into a new SQLite file: the decrypted snapshot is itself the database. It is written beside
/// the target (`<path>.restoring-<uuid>`, mode 0600), opened (migrating an older schema), replayed,
/// checkpointed and closed, and only then renamed to `path`.
public struct SQLiteRestoreTarget: RestoreTarget {
    public let path: String
    public let scratchFile: String

    public init(path: String) {
        self.path = path
        scratchFile = path + UnfinishedRestores.marker + UUID().uuidString
    }

    public var engine: TableClassification.Engine { .sqlite }
    public var location: String { path }

    public func exists() async throws -> Bool { FileManager.default.fileExists(atPath: path) }

    public func removeUnfinished() async throws {
        let url = URL(fileURLWithPath: path)
        try UnfinishedRestores.remove(in: url.deletingLastPathComponent(), prefix: url.lastPathComponent + UnfinishedRestores.marker)
    }

    public func load<T: Sendable>(_ replay: @Sendable (any ErasureStore) async throws -> T) async throws -> T {
        let database = try AppDatabase.open(path: scratchFile)
        let result: T
        do {
            result = try await replay(SQLiteErasureStore(database: database))
            try await database.checkpoint()
        } catch {
            // The replay's error is the one to report; the unfinished file is removed by the caller.
            try? database.writer.close()
            throw error
        }
        try database.writer.close()
        // Checkpointed and closed: these are empty or gone already.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratchFile + suffix) }
        guard rename(scratchFile, path) == 0 else { throw RestoreFailure("cannot rename the restored database to \(path)") }
        return result
    }
}

extension AppDatabase {
    public func restoreTarget(named name: String, in folder: URL) throws -> any RestoreTarget {
        SQLiteRestoreTarget(path: folder.appendingPathComponent(name).path)
    }
}
