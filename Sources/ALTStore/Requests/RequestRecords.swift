public import ErasureDomain
public import Foundation
public import GRDB
import ISO8601Time

/// A deletion request (the domain's aggregate) is stored as it is: one row of `deletion_requests`, its
/// columns the aggregate's coding keys, times as ISO 8601 UTC text, provider failures as JSON.
extension DeletionRequest: ServiceRecord, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "deletion_requests"

    // Spelled out (not converted from snake case on every row): `deletion.status` decodes one per call.
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .useDefaultKeys }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .useDefaultKeys }
}

/// One identity code issued for a request: only its HMAC is stored (P3).
public struct ChallengeRecord: ServiceRecord, Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "identity_challenges"

    public var id: Int64?
    public var requestId: String
    public var digest: Data
    public var issuedAt: Date
    public var attempts: Int
    public var burned: Bool

    public init(requestId: String, digest: Data, issuedAt: Date, attempts: Int = 0, burned: Bool = false) {
        self.requestId = requestId
        self.digest = digest
        self.issuedAt = issuedAt
        self.attempts = attempts
        self.burned = burned
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A message for ALT's mailer or integration workers (the transactional outbox). The recipient and the
/// JSON payload are sealed with the token cipher; a message is deleted when acknowledged.
public struct OutboxRecord: ServiceRecord, Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "outbox"

    public var id: String
    public var kind: OutboxKind
    public var requestId: String?
    public var recipientSealed: String?
    public var payloadSealed: String
    public var createdAt: Date
    public var leaseExpiresAt: Date?
    public var deliveries: Int
    /// Another message that must be acknowledged before this one is handed out.
    public var dependsOn: String?

    public init(id: String, kind: OutboxKind, requestId: String?, recipientSealed: String?, payloadSealed: String, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.requestId = requestId
        self.recipientSealed = recipientSealed
        self.payloadSealed = payloadSealed
        self.createdAt = createdAt
        deliveries = 0
    }
}

/// An erased subject's identifier, as a keyed hash: checked by write paths that could re-create the
/// subject, and replayed after a restore (I1).
public struct LedgerEntry: ServiceRecord, Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "erasure_ledger"

    public var identifierHash: String
    public var kind: IdentifierKind
    /// An erasure's scope or a disconnect: both are replayed after a restore.
    public var scope: LedgerScope
    public var requestId: String
    public var erasedAt: Date

    public init(identifierHash: String, kind: IdentifierKind, scope: LedgerScope, requestId: String, erasedAt: Date) {
        self.identifierHash = identifierHash
        self.kind = kind
        self.scope = scope
        self.requestId = requestId
        self.erasedAt = erasedAt
    }
}

/// The service's records: snake_case columns, times as ISO 8601 UTC text (which sorts in time order).
public protocol ServiceRecord: FetchableRecord, EncodableRecord {}

extension ServiceRecord {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .custom { ISO8601Time.format($0) }
    }
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .custom { value in String.fromDatabaseValue(value).flatMap(ISO8601Time.parse) }
    }
}
