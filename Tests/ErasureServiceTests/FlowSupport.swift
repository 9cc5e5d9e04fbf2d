import ALTErasureClient
import ALTStore
import Foundation
import GRDB
import ServiceTestSupport
import Testing

/// Helpers the deletion flow tests share: the generated client on a demo server, the mailer's view of
/// the outbox, polling for a state, and looking at the raw database file.
extension DemoServer {
    /// Every byte of the database file and its WAL.
    func fileBytes() throws -> Data {
        var data = try Data(contentsOf: URL(fileURLWithPath: databasePath))
        if let wal = FileManager.default.contents(atPath: databasePath + "-wal") { data.append(wal) }
        return data
    }

    /// Every row tied to `accountID` in ALT's tables (the service's own bookkeeping aside), as text (I3).
    func checksum(accountID: String) async throws -> String {
        try await database.writer.read { db in
            var text = ""
            for entry in TableClassification.all {
                guard let column = entry.accountColumn, entry.table != "search_index", entry.category != .serviceInternal,
                    try db.tableExists(entry.table)
                else { continue }
                text += try Row.fetchAll(db, sql: "SELECT * FROM \(entry.table) WHERE \(column) = ? ORDER BY rowid", arguments: [accountID]).description
            }
            return text
        }
    }
}

extension Data {
    func contains(text: String) -> Bool { range(of: Data(text.utf8)) != nil }
}

