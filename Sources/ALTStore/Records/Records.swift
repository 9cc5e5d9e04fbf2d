public import Foundation
public import GRDB

/// Plain records, one per table the repositories read or write; columns in a nested `Columns` enum.

public struct AccountRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "accounts"
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let email = Column(CodingKeys.email)
    }

    public var id: String
    public var email: String
    public var name: String
    public var passwordHash: String
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, email, name
        case passwordHash = "password_hash"
        case createdAt = "created_at"
    }
}

public struct ContactRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "contacts"
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let accountID = Column(CodingKeys.accountID)
    }

    public var id: String
    public var accountID: String
    public var name: String
    public var email: String?
    public var phone: String?
    public var notes: String?
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, email, phone, notes
        case accountID = "account_id"
        case createdAt = "created_at"
    }
}

public struct LeadRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "leads"
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let accountID = Column(CodingKeys.accountID)
    }

    public var id: String
    public var accountID: String
    public var contactID: String
    public var status: String
    public var source: String
    public var propertyAddress: String?
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, status, source
        case accountID = "account_id"
        case contactID = "contact_id"
        case propertyAddress = "property_address"
        case createdAt = "created_at"
    }
}

public struct CampaignRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "campaigns"
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let accountID = Column(CodingKeys.accountID)
    }

    public var id: String
    public var accountID: String
    public var name: String
    public var subject: String
    public var body: String
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, subject, body
        case accountID = "account_id"
        case createdAt = "created_at"
    }
}

public struct InstagramConnectionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "instagram_connections"
    public enum Columns {
        public static let accountID = Column(CodingKeys.accountID)
        public static let igUserID = Column(CodingKeys.igUserID)
    }

    public var accountID: String
    public var igUserID: String
    public var tokenCiphertext: Data?
    public var tokenKeyID: String?
    public var pollingEnabled: Bool
    public var webhookSubscribed: Bool
    public var connectedAt: String
    public var disconnectedAt: String?

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id"
        case igUserID = "ig_user_id"
        case tokenCiphertext = "token_ciphertext"
        case tokenKeyID = "token_key_id"
        case pollingEnabled = "polling_enabled"
        case webhookSubscribed = "webhook_subscribed"
        case connectedAt = "connected_at"
        case disconnectedAt = "disconnected_at"
    }
}

public struct CalendarConnectionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "calendar_connections"
    public enum Columns {
        public static let accountID = Column(CodingKeys.accountID)
    }

    public var accountID: String
    public var googleEmail: String
    public var accessTokenCiphertext: Data?
    public var refreshTokenCiphertext: Data?
    public var tokenKeyID: String?
    public var pushChannelID: String?
    public var syncToken: String?
    public var connectedAt: String

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id"
        case googleEmail = "google_email"
        case accessTokenCiphertext = "access_token_ciphertext"
        case refreshTokenCiphertext = "refresh_token_ciphertext"
        case tokenKeyID = "token_key_id"
        case pushChannelID = "push_channel_id"
        case syncToken = "sync_token"
        case connectedAt = "connected_at"
    }
}
