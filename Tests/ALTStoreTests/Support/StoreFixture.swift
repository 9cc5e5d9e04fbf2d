import ALTStore
import Crypto
import Foundation
import GRDB

/// A seeded store in a temporary folder (a real file with a real WAL), removed afterwards.
struct StoreFixture {
    let folder: URL
    let database: AppDatabase
    let cipher = TokenCipher(key: SymmetricKey(size: .bits256), keyID: "k1")

    var path: String { folder.appendingPathComponent("alt.sqlite").path }

    static func with<T>(_ profile: Seeder.Profile = .demo, _ body: (StoreFixture) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase.open(path: folder.appendingPathComponent("alt.sqlite").path)
        let fixture = StoreFixture(folder: folder, database: database)
        try await Seeder(database: database, cipher: fixture.cipher).seed(profile, accounts: 3)
        return try await body(fixture)
    }

    /// The bytes of the database file and its WAL, as they are on disk now.
    func rawFiles() throws -> Data {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        if let wal = FileManager.default.contents(atPath: path + "-wal") { data.append(wal) }
        return data
    }

    /// A digest of every row of every table tied to `account` (I3: what must stay byte-for-byte unchanged).
    func checksum(account: String) async throws -> String {
        try await database.writer.read { db in
            var hasher = SHA256()
            for table in TableClassification.all where table.accountColumn != nil && table.table != "search_index" {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table.table) WHERE \(table.accountColumn!) = ? ORDER BY rowid", arguments: [account])
                for row in rows { hasher.update(data: Data(row.description.utf8)) }
            }
            let entries = try String.fetchAll(db, sql: "SELECT content FROM search_index WHERE account_id = ? ORDER BY rowid", arguments: [account])
            for entry in entries { hasher.update(data: Data(entry.utf8)) }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await database.writer.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }
}
