/// The store as the domain and the service see it: one protocol per aggregate. `SQLiteStore` implements
/// them on GRDB; a PostgreSQL store can implement the same protocols later.

public protocol AccountsRepository: Sendable {
    func account(id: String) async throws -> AccountRecord?
    /// Looked up case-insensitively; the address is never logged.
    func account(email: String) async throws -> AccountRecord?
}

public protocol ContactsRepository: Sendable {
    func contact(accountID: String, id: String) async throws -> ContactRecord?
    func contacts(accountID: String, limit: Int) async throws -> [ContactRecord]
    /// Full-text search over the account's contacts and messages: the ids of matching records.
    func search(accountID: String, query: String, limit: Int) async throws -> [SearchHit]
}

public protocol LeadsRepository: Sendable {
    func lead(accountID: String, id: String) async throws -> LeadRecord?
}

public protocol CampaignsRepository: Sendable {
    func campaign(accountID: String, id: String) async throws -> CampaignRecord?
}

/// Integration connections, with their tokens sealed at rest.
public protocol IntegrationsRepository: Sendable {
    func connectInstagram(accountID: String, igUserID: String, token: String, at: String) async throws
    func instagramConnection(accountID: String) async throws -> InstagramConnectionRecord?
    /// The plaintext token, or nil when none is stored (disconnected or erased).
    func instagramToken(accountID: String) async throws -> String?
    func connectCalendar(accountID: String, googleEmail: String, accessToken: String, refreshToken: String, at: String) async throws
    func calendarTokens(accountID: String) async throws -> (access: String, refresh: String)?
}

public struct SearchHit: Sendable, Equatable {
    public let kind: String
    public let id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }
}
