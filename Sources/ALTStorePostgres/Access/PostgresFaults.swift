import ALTStore
import PostgresNIO

/// PostgreSQL's errors as the service reads them: a server that cannot be reached or went away, or one
/// that refuses writes, is a `StoreWriteFault` (the call answers UNAVAILABLE and may be retried; nothing
/// was written). A conflict between replicas (`SerializationConflict`) is retried by the unit of work.
enum PostgresFaults {
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError {
            throw classify(error) ?? error
        }
    }

    /// What a PostgreSQL error means to the service, or nil for a plain error (a bug, a bad statement).
    static func classify(_ error: PSQLError) -> (any Error)? {
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed:
            return StoreWriteFault(reason: "the database server cannot be reached")
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            if SerializationConflict.states.contains(state) { return SerializationConflict(sqlState: state) }
            switch state.prefix(2) {
            case "08", "57": return StoreWriteFault(reason: "the database server cannot be reached")
            case "53": return StoreWriteFault(reason: "the database server is out of resources (disk, memory or connections)")
            case "25" where state == "25006": return StoreWriteFault(reason: "the database is read-only")
            default: return nil
            }
        default:
            return nil
        }
    }
}

/// Two units of work on different replicas (or connections) touched the same rows: PostgreSQL rolled
/// one back. It runs again, and sees what the other committed (an idempotent intake then finds the
/// request the other made).
struct SerializationConflict: Error {
    /// serialization_failure, deadlock_detected, unique_violation (two replicas inserting the same key).
    static let states: Set<String> = ["40001", "40P01", "23505"]
    let sqlState: String
}
