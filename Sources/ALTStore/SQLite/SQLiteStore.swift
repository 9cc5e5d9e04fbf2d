import Foundation
import GRDB

/// The repositories on SQLite.
public struct SQLiteStore: ContactsRepository, LeadsRepository, CampaignsRepository {
    public let database: AppDatabase
    public let cipher: TokenCipher

    public init(database: AppDatabase, cipher: TokenCipher) {
        self.database = database
        self.cipher = cipher
    }

    public var records: any RecordsRepository { SQLiteRecordsRepository(database: database) }

    // MARK: Accounts

    /// Reads outside a unit of work, through the same repositories.
    private var reader: SQLiteAccess { SQLiteAccess(writer: database.writer, writing: false) }

    /// The unit of work's accounts repository, outside a unit of work.
    public var accounts: any AccountsRepository { SQLiteAccounts(access: reader) }

    public func account(id: String) async throws -> AccountRecord? { try await accounts.account(id: id) }

    public func account(email: String) async throws -> AccountRecord? { try await accounts.account(email: email) }

    // MARK: Contacts, leads, campaigns

    public func contact(accountID: String, id: String) async throws -> ContactRecord? {
        try await database.writer.read { db in
            try ContactRecord.filter(ContactRecord.Columns.id == id && ContactRecord.Columns.accountID == accountID).fetchOne(db)
        }
    }

    public func contacts(accountID: String, limit: Int) async throws -> [ContactRecord] {
        try await database.writer.read { db in
            try ContactRecord.filter(ContactRecord.Columns.accountID == accountID).order(ContactRecord.Columns.id).limit(limit).fetchAll(db)
        }
    }

    /// The account's entries whose words hold the query's words as a phrase, in entry order. The
    /// query is words only: quotes, operators and other syntax separate words and mean nothing else.
    /// A scan of the account's entries (see `SearchPhrase`), stopped at `limit` matches.
    public func search(accountID: String, query: String, limit: Int) async throws -> [SearchHit] {
        let phrase = SearchPhrase(query)
        guard !phrase.words.isEmpty, limit > 0 else { return [] }
        return try await database.writer.read { db in
            var hits: [SearchHit] = []
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT kind, ref_id, content FROM search_index WHERE account_id = ? ORDER BY id",
                arguments: [accountID]
            )
            while hits.count < limit, let row = try rows.next() {
                let found = try row.withUnsafeData(atIndex: 2) { content in
                    content?.withUnsafeBytes { phrase.isFound(inUTF8: $0) } ?? false
                }
                if found { hits.append(SearchHit(kind: row["kind"], id: row["ref_id"])) }
            }
            return hits
        }
    }

    public func lead(accountID: String, id: String) async throws -> LeadRecord? {
        try await database.writer.read { db in
            try LeadRecord.filter(LeadRecord.Columns.id == id && LeadRecord.Columns.accountID == accountID).fetchOne(db)
        }
    }

    public func campaign(accountID: String, id: String) async throws -> CampaignRecord? {
        try await database.writer.read { db in
            try CampaignRecord.filter(CampaignRecord.Columns.id == id && CampaignRecord.Columns.accountID == accountID).fetchOne(db)
        }
    }

    // MARK: Integrations

    public func connectInstagram(accountID: String, igUserID: String, token: String, at: String) async throws {
        let sealed = try cipher.seal(token)
        let record = InstagramConnectionRecord(
            accountID: accountID, igUserID: igUserID, tokenCiphertext: sealed.ciphertext, tokenKeyID: sealed.keyID,
            pollingEnabled: true, webhookSubscribed: true, connectedAt: at, disconnectedAt: nil
        )
        try await database.write { db in try record.upsert(db) }
    }

    public func instagramConnection(accountID: String) async throws -> InstagramConnectionRecord? {
        try await SQLiteIntegrations(access: reader).instagramConnection(accountID: accountID)
    }

    public func instagramToken(accountID: String) async throws -> String? {
        guard let record = try await instagramConnection(accountID: accountID),
            let ciphertext = record.tokenCiphertext, let keyID = record.tokenKeyID
        else { return nil }
        return try cipher.open(.init(ciphertext: ciphertext, keyID: keyID))
    }

    public func connectCalendar(accountID: String, googleEmail: String, accessToken: String, refreshToken: String, at: String) async throws {
        let access = try cipher.seal(accessToken)
        let refresh = try cipher.seal(refreshToken)
        let record = CalendarConnectionRecord(
            accountID: accountID, googleEmail: googleEmail, accessTokenCiphertext: access.ciphertext,
            refreshTokenCiphertext: refresh.ciphertext, tokenKeyID: access.keyID, pushChannelID: nil, syncToken: nil, connectedAt: at
        )
        try await database.write { db in try record.upsert(db) }
    }

    public func calendarTokens(accountID: String) async throws -> (access: String, refresh: String)? {
        let record = try await SQLiteIntegrations(access: reader).calendarConnection(accountID: accountID)
        guard let record, let access = record.accessTokenCiphertext, let refresh = record.refreshTokenCiphertext,
            let keyID = record.tokenKeyID
        else { return nil }
        return (try cipher.open(.init(ciphertext: access, keyID: keyID)), try cipher.open(.init(ciphertext: refresh, keyID: keyID)))
    }
}
