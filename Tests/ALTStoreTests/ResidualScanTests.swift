import ALTStore
import ErasureDomain
import Foundation
import GRDB
import Testing

@Suite("Residual scan")
struct ResidualScanTests {
    @Test("the byte scan counts every occurrence once, also across its 1 MiB reads")
    func byteScanAcrossReads() async throws {
        try await StoreFixture.with { fixture in
            let scan = ResidualScan(database: fixture.database)
            // A value the demo holds in the accounts table, and one that is nowhere.
            let found = try await scan.byteScan(for: ["Dana Demo", "nowhere-to-be-found-42", "Dana Demo"])
            #expect(found["Dana Demo"] ?? 0 >= 1)
            #expect(found["nowhere-to-be-found-42"] == 0)

            // A long text straddling the 1 MiB boundary of the file is found exactly once per copy.
            let needle = "straddle-" + String(repeating: "x", count: 40) + "-end"
            try await fixture.database.write { db in
                try db.execute(sql: "CREATE TABLE filler (blob BLOB, note TEXT)")
                try db.execute(sql: "INSERT INTO filler VALUES (zeroblob(1048560), ?)", arguments: [needle])
            }
            try await fixture.database.checkpoint()
            let bytes = try fixture.rawFiles()
            var expected = 0
            var searchRange = bytes.startIndex..<bytes.endIndex
            while let match = bytes.range(of: Data(needle.utf8), in: searchRange) {
                expected += 1
                searchRange = match.upperBound..<bytes.endIndex
            }
            #expect(expected >= 1)
            #expect(try await scan.byteScan(for: [needle])[needle] == expected)
        }
    }

    @Test("rows tied by id and rows matching a hashed identifier are both found, per table in scope")
    func tableScan() async throws {
        try await StoreFixture.with { fixture in
            let scan = ResidualScan(database: fixture.database)
            let hash: @Sendable (IdentifierKind, String) -> String = { kind, value in "\(kind.rawValue):\(value.lowercased())" }
            let subject: Set<String> = ["email:demo@example.com", "ig_user_id:ig_acc_demo"]
            let before = try await scan.scan(accountID: "acc_demo", scope: .instagram, subjectHashes: subject, hash: hash)
            #expect(Set(before.map(\.table)) == ["instagram_connections", "instagram_threads", "instagram_messages", "instagram_comments", "instagram_post_analytics"])
            let connection = try #require(before.first { $0.table == "instagram_connections" })
            #expect(connection.linkedRows == 1 && connection.matchingRows == 1)
            // Another account holding the subject's Instagram id is found by value, not by id.
            try await fixture.database.write { db in
                try db.execute(sql: "DELETE FROM instagram_messages WHERE account_id = 'acc_demo'")
                try db.execute(sql: "DELETE FROM instagram_threads WHERE account_id = 'acc_demo'")
                try db.execute(sql: "DELETE FROM instagram_comments WHERE account_id = 'acc_demo'")
                try db.execute(sql: "DELETE FROM instagram_post_analytics WHERE account_id = 'acc_demo'")
                try db.execute(sql: "DELETE FROM instagram_connections WHERE account_id = 'acc_demo'")
                try db.execute(sql: "UPDATE instagram_connections SET ig_user_id = 'ig_acc_demo' WHERE account_id = 'acc_other'")
            }
            let after = try await scan.scan(accountID: "acc_demo", scope: .instagram, subjectHashes: subject, hash: hash)
            #expect(after.allSatisfy { $0.linkedRows == 0 })
            #expect(after.first { $0.table == "instagram_connections" }?.matchingRows == 1)
            #expect(after.filter { !$0.isClean }.map(\.table) == ["instagram_connections"])
        }
    }
}
