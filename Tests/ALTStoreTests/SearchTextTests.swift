@testable import ALTStore
import Foundation
import Crypto
import GRDB
import Testing

@Suite("Search phrases match as FTS5's unicode61 tokenizer did")
struct SearchTextTests {
    static let texts = [
        "Avery Buyer avery.buyer@example.com Looking for 3BR near Lakeview",
        "Thanks for touring the property on Saturday, happy to answer any questions about the HOA fees.",
        "José Núñez josé@correo.example visited the Café on Rue-Saint-Honoré",
        "Jose Nunez wrote: \"the café closes at 9pm\" [msg_demo_2_1]",
        "ZOË's offer: $450,000 (cash) — closing 2026-12-01",
        "Straße 12; Ærøskøbing; İstanbul; ΑΘΗΝΑ Αθήνα",
        "tab\tseparated\nlines and under_scores",
        "",
        "日本語 テキスト 123",
    ]

    static let queries = [
        "avery", "AVERY buyer", "buyer avery", "example com", "avery.buyer@example.com", "3br", "3BR near",
        "happy to answer", "answer happy", "hoa fees", "fees.", "jose", "josé", "jos", "caf", "nunez", "núñez", "cafe", "café closes",
        "rue saint honore", "msg_demo_2_1", "msg demo 2 1", "zoe", "zoë s offer", "450 000", "2026 12 01", "strasse", "straße",
        "aerøskøbing", "ærøskøbing", "istanbul", "αθηνα", "αθήνα", "separated lines", "under scores", "日本語", "123",
        "Avery OR \" NEAR(", "\"", "", "   ", "closes at 9pm",
    ]

    @Test("every query finds the same texts as an FTS5 phrase query over the same texts")
    func sameAsFTS5() throws {
        let queue = try DatabaseQueue()
        let expected: [[Int]] = try queue.write { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE t USING fts5(content)")
            for (index, text) in Self.texts.enumerated() {
                try db.execute(sql: "INSERT INTO t(rowid, content) VALUES (?, ?)", arguments: [index, text])
            }
            return try Self.queries.map { query in
                let words = SearchText.words(query)
                guard !words.isEmpty else { return [] }
                // The phrase of the query's words, each quoted, as the old search built it.
                let phrase = "\"" + query.replacingOccurrences(of: "\"", with: " ") + "\""
                return try Int.fetchAll(db, sql: "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", arguments: [phrase])
            }
        }
        #expect(expected.filter { !$0.isEmpty }.count >= 25, "most queries find something")
        for (query, fts5) in zip(Self.queries, expected) {
            let phrase = SearchPhrase(query)
            let found = Self.texts.indices.filter { phrase.isFound(in: Self.texts[$0]) }
            #expect(found == fts5, "query \(query.debugDescription)")
        }
    }

    @Test("a phrase is its words in order and adjacent, in ASCII and other text alike")
    func phrases() {
        #expect(SearchPhrase("open house").isFound(in: "Open-House on Sunday"))
        #expect(!SearchPhrase("open house").isFound(in: "house open"))
        #expect(!SearchPhrase("open house").isFound(in: "open the house"))
        #expect(SearchPhrase("cafe").isFound(in: "Le CAFÉ"))
        #expect(!SearchPhrase("caf").isFound(in: "café"))
        #expect(!SearchPhrase("café").isFound(in: "cafeteria"))
        #expect(SearchPhrase("e").isFound(in: "e\u{301}"))
        #expect(SearchPhrase("Straße").words == ["straße"])
        #expect(!SearchPhrase("").isFound(in: ""))
        #expect(SearchPhrase("--- ???").words.isEmpty)
    }

    @Test("v8 moves an FTS5-era store's entries into the ordinary table: same ids, found by search, kept in step after")
    func migration() async throws {
        let queue = try DatabaseQueue(configuration: AppDatabase.configuration())
        try Migrations.migrator.migrate(queue, upTo: "v7: work leases")
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO accounts (id, email, name, password_hash, created_at) VALUES ('acc_m', 'm@example.com', 'M', 'x', '2026-01-01');
                INSERT INTO contacts (id, account_id, name, email, notes, created_at) VALUES ('con_m', 'acc_m', 'Mira Stone', NULL, 'wants a garden', '2026-01-01');
                INSERT INTO messages (id, account_id, contact_id, channel, body, sent_at) VALUES ('msg_m', 'acc_m', 'con_m', 'sms', 'See you at the open house', '2026-01-01');
                """)
        }
        let before = try await queue.read { db in try Row.fetchAll(db, sql: "SELECT rowid, account_id, kind, ref_id, content FROM search_index ORDER BY rowid") }
        let database = try AppDatabase(queue)
        let after = try await queue.read { db in try Row.fetchAll(db, sql: "SELECT id, account_id, kind, ref_id, content FROM search_index ORDER BY id") }
        #expect(after.map { Array($0.databaseValues) } == before.map { Array($0.databaseValues) })
        #expect(after.count == 2)
        let shadows = try await queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE 'search_index_%' AND type = 'table'") }
        #expect(shadows.isEmpty)
        let store = SQLiteStore(database: database, cipher: TokenCipher(key: SymmetricKey(size: .bits256), keyID: "k1"))
        #expect(try await store.search(accountID: "acc_m", query: "open house", limit: 5) == [SearchHit(kind: "message", id: "msg_m")])
        try await database.write { db in try db.execute(sql: "UPDATE contacts SET notes = 'wants a pool' WHERE id = 'con_m'") }
        #expect(try await store.search(accountID: "acc_m", query: "garden", limit: 5).isEmpty)
        #expect(try await store.search(accountID: "acc_m", query: "mira stone wants a pool", limit: 5) == [SearchHit(kind: "contact", id: "con_m")])
    }
}
