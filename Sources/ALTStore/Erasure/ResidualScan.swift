public import ErasureDomain
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The proof that an erasure is complete, derived from `TableClassification`: for every table in the
/// scope, the rows still tied to the account by id, and the rows whose identifying value (email, phone,
/// Instagram user id, Google address) hashes to one of the subject's ledger hashes; plus a byte scan of
/// the database file and its WAL for the subject's values while the service still holds them.
public struct ResidualScan: Sendable {
    public struct TableResult: Sendable, Equatable {
        public let table: String
        /// Rows whose account column is the erased account.
        public let linkedRows: Int
        /// Rows whose identifying value hashes to one of the subject's.
        public let matchingRows: Int
        public var isClean: Bool { linkedRows == 0 && matchingRows == 0 }

        public init(table: String, linkedRows: Int, matchingRows: Int) {
            self.table = table
            self.linkedRows = linkedRows
            self.matchingRows = matchingRows
        }
    }

    /// Columns that identify the holder of an account, by ledger kind: these are hashed and compared.
    public static let holderColumns: [String: [(column: String, kind: IdentifierKind)]] = [
        "accounts": [("email", .email)],
        "profiles": [("phone", .phone)],
        "instagram_connections": [("ig_user_id", .igUserID)],
        "calendar_connections": [("google_email", .googleEmail)],
    ]

    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    /// Scans every table of `scope` for what is left of `accountID`. `hash(kind, value)` must be the
    /// function that made `subjectHashes` (the ledger's), so values are compared without keeping them.
    public func scan(
        accountID: String,
        scope: Scope,
        subjectHashes: Set<String>,
        hash: @escaping @Sendable (_ kind: IdentifierKind, _ value: String) -> String
    ) async throws -> [TableResult] {
        let tables = ErasurePlan.scannedTables(scope)
        return try await database.writer.read { db in
            try tables.map { table in
                let entry = TableClassification.named(table)
                let column = entry?.accountColumn ?? "account_id"
                let linked = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table) WHERE \(column) = ?", arguments: [accountID]) ?? 0
                var matching = 0
                for (holderColumn, kind) in Self.holderColumns[table] ?? [] {
                    let values = try String.fetchCursor(db, sql: "SELECT \(holderColumn) FROM \(table) WHERE \(holderColumn) IS NOT NULL")
                    while let value = try values.next() {
                        if subjectHashes.contains(hash(kind, value)) { matching += 1 }
                    }
                }
                return TableResult(table: table, linkedRows: linked, matchingRows: matching)
            }
        }
    }

    /// How often each needle occurs in the database file and its WAL (after a checkpoint the WAL is
    /// empty). Reads 1 MiB at a time, with an overlap so no occurrence straddling two reads is missed.
    public func byteScan(for needles: [String]) async throws -> [String: Int] {
        guard let path = database.path else { return [:] }
        try await database.checkpoint()
        let unique = Set(needles.filter { !$0.isEmpty })
        var found: [String: Int] = Dictionary(uniqueKeysWithValues: unique.map { ($0, 0) })
        let patterns = unique.map { ($0, Array($0.utf8)) }
        let overlap = (patterns.map(\.1.count).max() ?? 1) - 1
        for file in [path, path + "-wal"] {
            guard let handle = FileHandle(forReadingAtPath: file) else { continue }
            defer { try? handle.close() }
            var carry: [UInt8] = []
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                let window = carry + chunk
                for (needle, bytes) in patterns {
                    // Occurrences that end inside the carried bytes were counted with the previous window.
                    found[needle, default: 0] += Self.occurrences(of: bytes, in: window, endingAfter: carry.count)
                }
                carry = Array(window.suffix(overlap))
            }
        }
        return found
    }

    static func occurrences(of needle: [UInt8], in haystack: [UInt8], endingAfter offset: Int) -> Int {
        guard !needle.isEmpty, needle.count <= haystack.count else { return 0 }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pattern in
                // memchr finds candidates for the first byte; memcmp checks the rest.
                var count = 0
                var start = 0
                let base = hay.baseAddress!
                while start + needle.count <= hay.count,
                    let match = memchr(base + start, Int32(needle[0]), hay.count - start - needle.count + 1)
                {
                    let position = base.distance(to: UnsafeRawPointer(match))
                    if memcmp(match, pattern.baseAddress!, needle.count) == 0, position + needle.count > offset { count += 1 }
                    start = position + 1
                }
                return count
            }
        }
    }
}
