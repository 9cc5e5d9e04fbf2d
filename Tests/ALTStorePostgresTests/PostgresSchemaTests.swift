import ALTStore
import ALTStorePostgres
import Testing

@Suite("PostgreSQL: the address and the schema")
struct PostgresSchemaTests {
    @Test("--database-url takes postgres://USER[:PASS]@HOST:PORT/DB; anything else is one clear line, never the password")
    func urls() throws {
        let url = try PostgresURL("postgres://alt:s%40cret@db.internal:5433/alt_prod")
        #expect(url.user == "alt" && url.password == "s@cret" && url.host == "db.internal" && url.port == 5433 && url.database == "alt_prod")
        #expect(url.description == "postgres://alt:***@db.internal:5433/alt_prod")
        #expect(try PostgresURL("postgresql://alt@127.0.0.1:5432/alt").password == nil)
        let refused: [(String, String)] = [
            ("mysql://alt@h:1/db", "the scheme must be postgres"),
            ("postgres://h:5432/db", "no user"),
            ("postgres://alt@h/db", "no port"),
            ("postgres://alt@h:5432/", "no database name"),
            ("postgres://alt:pw@h:0/db", "the port must be 1…65535"),
        ]
        for (text, reason) in refused {
            #expect(throws: PostgresURL.Invalid.self) { try PostgresURL(text) }
            do {
                _ = try PostgresURL(text)
            } catch {
                #expect(error.description.hasPrefix("--database-url: \(reason)"), "\(text): \(error)")
                #expect(!error.description.contains("pw"))
            }
        }
    }

    @Test("migrations create every classified table and only those, once, however often they run", PostgresTestServer.required)
    func everyTableClassified() async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            #expect(try await database.migrate() == [1, 2])
            #expect(try await database.migrate() == [], "a second run applies nothing")
            let tables = try await database.tableNames()
            let unclassified = tables.filter { TableClassification.named($0) == nil }
            #expect(unclassified.isEmpty, "unclassified tables: \(unclassified)")
            for entry in TableClassification.all(on: .postgres) {
                #expect(tables.contains(entry.table), "\(entry.table) is classified but missing")
            }
        }
    }

    @Test("every foreign key has an index that starts with its column", PostgresTestServer.required)
    func foreignKeysIndexed() async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            try await database.migrate()
            #expect(try await database.unindexedForeignKeys().isEmpty)
        }
    }
}
