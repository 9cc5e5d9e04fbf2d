import Foundation
import GRDB
import ISO8601Time

/// How a repository of a unit of work reaches SQLite: each call is one access to the writer (inside the
/// open transaction) or to a reader.
///
/// A read runs on the calling thread: in WAL mode a reader never waits for the writer, one row costs a
/// few microseconds, and an asynchronous hop to a reader's queue cost more than the read (`deletion.status`,
/// two reads a call, lost a quarter of its throughput to the hops). Writes hop to the writer's queue.
struct SQLiteAccess: Sendable {
    let writer: any DatabaseWriter
    let writing: Bool

    func callAsFunction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard writing else { return try readHere(body) }
        return try await AppDatabase.mappingFaults { try await writer.writeWithoutTransaction(body) }
    }

    /// GRDB's synchronous read (from a synchronous function, so the asynchronous overload is not chosen).
    private func readHere<T>(_ body: (Database) throws -> T) throws -> T { try writer.read(body) }
}

/// How the store writes times: ISO 8601 UTC to the second, which sorts as text in time order.
enum StoredTime {
    static func text(_ date: Date) -> String { ISO8601Time.format(date) }
    static func date(_ text: String?) -> Date? { text.flatMap(ISO8601Time.parse) }
}

/// `(?, ?, …)` for an `IN` over `values`.
func placeholders(_ values: some Collection) -> String { "(\(databaseQuestionMarks(count: values.count)))" }
