import ALTStore
import Crypto
import Foundation
import GRDB
import Testing

@Suite("The store: schema, classification, encryption at rest")
struct StoreTests {
    @Test("every table in the database is classified (a new unclassified table fails here)")
    func everyTableClassified() async throws {
        let database = try AppDatabase.inMemory()
        let tables = try await database.tableNames()
        #expect(tables.count > 20)
        let unclassified = tables.filter { TableClassification.named($0) == nil }
        #expect(unclassified.isEmpty, "unclassified tables: \(unclassified)")
        // And the classification names no table that does not exist.
        for entry in TableClassification.all(on: .sqlite) { #expect(tables.contains(entry.table), "\(entry.table) is classified but missing") }
    }

    @Test("the commit count moves with every transaction that ends, whatever wrote it, and only then")
    func commitCount() async throws {
        try await StoreFixture.with { store in
            let database = store.database
            let start = database.commitCount
            _ = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM contacts") }
            #expect(database.commitCount == start, "a read commits nothing")
            try await database.write { db in try db.execute(sql: "UPDATE contacts SET notes = 'x' WHERE id = 'con_demo_1'") }
            #expect(database.commitCount > start)
            let afterWrite = database.commitCount
            try await database.writer.writeWithoutTransaction { db in try db.execute(sql: "UPDATE contacts SET notes = 'y' WHERE id = 'con_demo_1'") }
            #expect(database.commitCount > afterWrite, "a statement outside a transaction commits too")
            let afterRaw = database.commitCount
            struct Abandoned: Error {}
            await #expect(throws: Abandoned.self) {
                try await database.write { db in
                    try db.execute(sql: "UPDATE contacts SET notes = 'z' WHERE id = 'con_demo_1'")
                    throw Abandoned()
                }
            }
            #expect(database.commitCount > afterRaw, "a rollback counts: a read may have seen what it undid")
        }
    }

    @Test("foreign keys are enforced, secure_delete is on, the file is in WAL mode")
    func settings() async throws {
        try await StoreFixture.with { store in
            let (secureDelete, journal) = try await store.database.writer.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA secure_delete"), try String.fetchOne(db, sql: "PRAGMA journal_mode"))
            }
            #expect(secureDelete == 1)
            #expect(journal == "wal")
            await #expect(throws: DatabaseError.self) {
                try await store.database.write { db in
                    try db.execute(sql: "INSERT INTO leads (id, account_id, contact_id, status, source, created_at) VALUES ('x', 'acc_demo', 'no_such_contact', 'new', 'x', 'now')")
                }
            }
        }
    }

    @Test("every foreign-key column has an index")
    func foreignKeyIndexes() async throws {
        let database = try AppDatabase.inMemory()
        try await database.writer.read { db in
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
                let keys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_list(\(table))").map { $0["from"] as String }
                let indexes = try Row.fetchAll(db, sql: "PRAGMA index_list(\(table))").map { $0["name"] as String }
                var leading = Set<String>()
                for index in indexes {
                    if let first = try Row.fetchOne(db, sql: "PRAGMA index_info(\(index))") { leading.insert(first["name"]) }
                }
                let primaryKey = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").filter { ($0["pk"] as Int) == 1 }.map { $0["name"] as String }
                for key in keys where !leading.contains(key) && !primaryKey.contains(key) {
                    Issue.record("\(table).\(key) references another table but has no index")
                }
            }
        }
    }

    @Test("tokens are sealed with AES-GCM; the raw file holds no plaintext; old keys stay readable")
    func tokensAtRest() async throws {
        try await StoreFixture.with { store in
            let token = "IGQVJ-plaintext-token-\(UUID().uuidString)"
            let sealed = try store.cipher.seal(token)
            try await store.database.write { db in
                try db.execute(sql: "UPDATE instagram_connections SET token_ciphertext = ?, token_key_id = ? WHERE account_id = 'acc_demo'", arguments: [sealed.ciphertext, sealed.keyID])
            }
            try await store.database.checkpoint()
            #expect(try store.rawFiles().range(of: Data(token.utf8)) == nil)
            let stored: Row? = try store.database.writer.read { db in
                try Row.fetchOne(db, sql: "SELECT token_ciphertext, token_key_id FROM instagram_connections WHERE account_id = 'acc_demo'")
            }
            let row = try #require(stored)
            let reopened = TokenCipher.Sealed(ciphertext: row["token_ciphertext"], keyID: row["token_key_id"])
            #expect(try store.cipher.open(reopened) == token)

            // Rotation: a cipher whose current key is new still opens what the old key sealed.
            let oldKey = SymmetricKey(size: .bits256)
            let old = TokenCipher(key: oldKey, keyID: "old")
            let rotated = try TokenCipher(keys: ["old": oldKey, "new": SymmetricKey(size: .bits256)], currentKeyID: "new")
            let sealedWithOld = try old.seal("t")
            #expect(try rotated.open(sealedWithOld) == "t")
            #expect(try rotated.seal("t").keyID == "new")
            var tampered = sealedWithOld.ciphertext
            tampered[tampered.startIndex + 14] ^= 0x01
            #expect(throws: TokenCipher.Failure.self) { try rotated.open(.init(ciphertext: tampered, keyID: "old")) }
        }
    }

    @Test("seeding is deterministic")
    func deterministicSeed() async throws {
        let first = try await StoreFixture.with { try await $0.checksum(account: "acc_demo") }
        let second = try await StoreFixture.with { try await $0.checksum(account: "acc_demo") }
        #expect(first == second)
    }
}

@Suite("Derived documentation")
struct ClassificationDocumentTests {
    @Test("schemas/DATA.md is the classification, as generated")
    func dataDocument() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("schemas/DATA.md"), encoding: .utf8)
        #expect(file == TableClassification.markdown, "regenerate: swift run deletiond classification > schemas/DATA.md")
    }
}
