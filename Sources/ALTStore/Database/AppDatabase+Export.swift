import Foundation
import GRDB

extension AppDatabase {
    /// The rows of `table` as JSON arrays of objects keyed by column, at most `batchSize` rows per array,
    /// in rowid order: how a store built here (the seeder's) is copied into another engine. Blobs are
    /// `\x` hex (PostgreSQL's `bytea` text form), times stay ISO 8601 text, flags 0 and 1.
    public func exportJSON(table: String, batchSize: Int, _ body: (String) async throws -> Void) async throws {
        let columns = try await writer.read { db in try db.columns(in: table) }
        let fields: String = columns.map { column -> String in
            let value: String = column.type.uppercased() == "BLOB" ? "'\\x' || lower(hex(\(column.name)))" : column.name
            return "'\(column.name)', CASE WHEN \(column.name) IS NULL THEN NULL ELSE \(value) END"
        }.joined(separator: ", ")
        let statement: String = """
            SELECT json_group_array(json_object(\(fields))), max(rowid), count(*)
            FROM (SELECT rowid, * FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT ?)
            """
        var after: Int64 = 0
        while true {
            let batch = try await writer.read { [after] db in try Row.fetchOne(db, sql: statement, arguments: [after, batchSize]) }
            guard let batch, let count: Int = batch[2], count > 0, let json: String = batch[0], let last: Int64 = batch[1] else { return }
            try await body(json)
            after = last
            if count < batchSize { return }
        }
    }
}
