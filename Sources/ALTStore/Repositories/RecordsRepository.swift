/// Deletes single records of an account with everything that depends on them (P10), in one
/// transaction. The SQLite implementation is `SQLiteRecordsRepository`; a PostgreSQL one can follow
/// without the service changing.
public protocol RecordsRepository: Sendable {
    func deleteContact(accountID: String, contactID: String, actor: String) async throws -> CascadeResult
    func deleteLead(accountID: String, leadID: String, actor: String) async throws -> CascadeResult
    func deleteCampaign(accountID: String, campaignID: String, actor: String) async throws -> CascadeResult
}

/// What a cascade removed, per table (every table the cascade touches is listed, zeros included).
public struct CascadeResult: Sendable, Equatable {
    public var deleted: [String: Int]
    /// The record was deleted before: nothing was removed this time.
    public var alreadyDeleted: Bool

    public init(deleted: [String: Int], alreadyDeleted: Bool) {
        self.deleted = deleted
        self.alreadyDeleted = alreadyDeleted
    }
}

/// Why a cascade could not run. A record of another account is reported exactly like a missing one.
public enum RecordsError: Error, Sendable, Equatable {
    case notFound(kind: String, id: String)
}
