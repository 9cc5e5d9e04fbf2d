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
}

extension Data {
    func contains(text: String) -> Bool { range(of: Data(text.utf8)) != nil }
}

