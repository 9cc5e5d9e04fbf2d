@testable import ALTStorePostgres
import Foundation
import Testing

/// A cascade's statements must read only the rows of the record they delete: a statement that reads a
/// whole table (or all of one kind of search entry) costs more as the store grows, and under
/// SERIALIZABLE its wide read conflicts with every concurrent cascade (50 concurrent
/// `records.deleteContact` calls failed after 10 retries when a contact's search entries were found by
/// `(kind = 'contact' AND …) OR (kind = 'message' AND …)`, which reads every message entry).
@Suite("PostgreSQL: query plans")
struct PostgresPlanTests {
    /// Search entries of other records around the ones a cascade deletes.
    static let filler = 3_000

    @Test("every statement of a cascade reads a bounded number of rows, whatever the store's size", PostgresTestServer.required)
    func cascadesReadOnlyTheirRows() async throws {
        try await PostgresTestServer.withFreshDatabase { database in
            try await database.migrate()
            try await database.execute("""
                INSERT INTO search_index (account_id, kind, ref_id, content)
                SELECT 'acc_x', kind, kind || '_filler_' || n, 'filler ' || n
                FROM generate_series(1, \(Self.filler)) n, (VALUES ('contact'), ('message')) AS kinds(kind)
                """)
            try await database.execute("ANALYZE")
            // EXPLAIN ANALYZE runs the statement (none of them matches a row here) and counts what each
            // step read. Sequential scans are discouraged so that a small table is not simply read whole.
            try await database.execute("""
                CREATE FUNCTION explain_reads(statement text) RETURNS SETOF text LANGUAGE plpgsql SET enable_seqscan = off AS $$
                DECLARE line text;
                BEGIN
                    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || statement LOOP RETURN NEXT line; END LOOP;
                END $$
                """)
            for statement in PostgresRecordsRepository.statements {
                let literal = statement.replacingOccurrences(of: "$1", with: "'con_x'").replacingOccurrences(of: "$2", with: "'acc_x'")
                    .replacingOccurrences(of: "$3", with: "'lead'").replacingOccurrences(of: "$4", with: "now()")
                let plan = try await database.column("SELECT line FROM explain_reads('\(literal.replacingOccurrences(of: "'", with: "''"))') AS line")
                    .compactMap { $0 }
                let read = plan.map(Self.rowsRead).max() ?? 0
                #expect(read < 100, "\(statement) reads \(read) rows:\n\(plan.joined(separator: "\n"))")
            }
        }
    }

    /// The rows one plan line says a step produced or threw away.
    static func rowsRead(_ line: String) -> Int {
        var most = 0
        for marker in ["rows=", "Rows Removed by Filter: ", "Rows Removed by Index Recheck: ", "Heap Blocks: exact="] {
            var rest = Substring(line)
            while let range = rest.range(of: marker) {
                rest = rest[range.upperBound...]
                most = max(most, Int(rest.prefix { $0.isNumber }) ?? 0)
            }
        }
        return most
    }
}
