import ALTStore
import Crypto
import Foundation
import GRDB

/// search-bench DB ACCOUNT QUERY… — times `SQLiteStore.search` (limit 20, and unlimited) for each
/// query over ACCOUNT's search entries in the store at DB, beside the baseline measured in the same
/// run: an FTS5 table (`unicode61`, the index the store used before v8) filled in memory with the
/// same entries and asked the same phrase. Prints one JSON line per query, milliseconds as medians of
/// 5 runs, and the hits of each side (they must agree).
@main
struct SearchBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 4 else {
            FileHandle.standardError.write(Data("usage: search-bench DB ACCOUNT QUERY…\n".utf8))
            exit(64)
        }
        let (path, account, queries) = (arguments[1], arguments[2], Array(arguments.dropFirst(3)))
        let database = try AppDatabase.open(path: path)
        let store = SQLiteStore(database: database, cipher: TokenCipher(key: SymmetricKey(size: .bits256), keyID: "bench"))

        let fts5 = try DatabaseQueue()
        let source = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let entries = try await source.read { db in
            try Row.fetchAll(db, sql: "SELECT id, content FROM search_index WHERE account_id = ?", arguments: [account])
                .map { ($0["id"] as Int64, $0["content"] as String) }
        }
        try await fts5.write { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE t USING fts5(content)")
            let insert = try db.makeStatement(sql: "INSERT INTO t(rowid, content) VALUES (?, ?)")
            for (id, content) in entries { try insert.execute(arguments: [id, content]) }
            try db.execute(sql: "INSERT INTO t(t) VALUES ('optimize')")
        }

        for query in queries {
            let phrase = "\"" + query.replacingOccurrences(of: "\"", with: " ") + "\""
            var results: [String: String] = ["query": query, "entries": String(entries.count)]
            for (name, limit) in [("limit20", 20), ("all", Int.max)] {
                let (scan, hits) = try await median {
                    try await store.search(accountID: account, query: query, limit: limit).count
                }
                let (baseline, baselineHits) = try await median {
                    try await fts5.read { db in
                        try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT rowid FROM t WHERE t MATCH ? LIMIT ?)", arguments: [phrase, limit == Int.max ? -1 : limit]) ?? 0
                    }
                }
                results["\(name)_ms"] = String(format: "%.1f", scan)
                results["\(name)_fts5_ms"] = String(format: "%.1f", baseline)
                results["\(name)_hits"] = hits == baselineHits ? String(hits) : "\(hits) (FTS5: \(baselineHits))"
            }
            let line = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
            print(String(decoding: line, as: UTF8.self))
        }
    }

    /// The median time of 5 runs of `body`, in milliseconds, and what the last run returned.
    static func median(_ body: @Sendable () async throws -> Int) async rethrows -> (Double, Int) {
        var times: [Double] = []
        var result = 0
        for _ in 0..<5 {
            let start = ContinuousClock.now
            result = try await body()
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return (times.sorted()[2], result)
    }
}
