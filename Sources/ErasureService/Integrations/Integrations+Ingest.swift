import ALTStore
import CoreMetrics
public import ErasureDomain
public import Foundation
import ISO8601Time

/// One event from ALT's webhook handler or poller.
public struct IngestEvent: Sendable {
    public var kind: IngestKind
    public var id: String
    public var threadID: String?
    public var from: String?
    public var body: String?
    public var at: Date?
    public var mediaID: String?
    public var day: String?
    public var impressions: Int?
    public var reach: Int?
    public var likes: Int?

    public init(kind: IngestKind, id: String) {
        self.kind = kind
        self.id = id
    }
}

extension Integrations {
        /// Stores events only for a connected account; every event for a disconnected or erased subject is
    /// dropped and counted, so a late webhook cannot re-create erased data (I1).
    public func ingest(accountID: String, events: [IngestEvent], actor: String) async throws -> (stored: Int, dropped: Int, reason: LinkState?) {
        for (index, event) in events.enumerated() { try Self.validate(event, index: index) }
        let hasher = environment.hasher
        let outcome = try await store.write { tx -> (Int, Int, LinkState?) in
            let state = try await Self.instagramState(tx, accountID: accountID, hasher: hasher)
            guard state == .connected else { return (0, events.count, state) }
            var stored = 0
            for event in events {
                let new: Bool
                switch event.kind {
                case .dm:
                    new = try await tx.integrations.storeInstagramMessage(
                        accountID: accountID, id: event.id, igThreadID: event.threadID!, from: event.from!, body: event.body!, sentAt: event.at!
                    )
                case .comment:
                    new = try await tx.integrations.storeInstagramComment(
                        accountID: accountID, id: event.id, mediaID: event.mediaID!, username: event.from!, body: event.body!, createdAt: event.at!
                    )
                case .analytics:
                    new = try await tx.integrations.storePostAnalytics(
                        accountID: accountID, id: event.id, mediaID: event.mediaID!, day: event.day!,
                        impressions: event.impressions!, reach: event.reach!, likes: event.likes!
                    )
                }
                if new { stored += 1 }
            }
            return (stored, 0, nil)
        }
        if outcome.1 > 0 {
            Counter(label: "instagram_ingest_dropped_total", dimensions: [("reason", outcome.2?.rawValue ?? "unknown")]).increment(by: outcome.1)
        }
        if outcome.0 > 0 { Counter(label: "instagram_ingest_stored_total").increment(by: outcome.0) }
        return outcome
    }

    /// Instagram and calendar, each connected / disconnected / erased / not_connected.
    public func status(accountID: String) async throws -> (instagram: LinkState, calendar: LinkState) {
        let hasher = environment.hasher
        return try await store.read { tx in
            let accountHash = hasher.hash(kind: .accountID, value: accountID)
            var known = try await tx.accounts.account(id: accountID) != nil
            if !known { known = try await tx.ledger.lastErasure(identifierHash: accountHash, scope: .account) != nil }
            guard known else {
                throw DeletionError.accountNotFound(accountID)
            }
            return (try await Self.instagramState(tx, accountID: accountID, hasher: hasher), try await Self.calendarState(tx, accountID: accountID, hasher: hasher))
        }
    }

    static func instagramState(_ tx: any StoreTransaction, accountID: String, hasher: SubjectHasher) async throws -> LinkState {
        let erasedAt = try await tx.ledger.lastErasure(identifierHash: hasher.hash(kind: .accountID, value: accountID), scope: .instagram)
        guard let connection = try await tx.integrations.instagramConnection(accountID: accountID) else { return erasedAt == nil ? .notConnected : .erased }
        // A connection made after the last erasure is a new one; anything older was erased with it.
        if let erasedAt, let connectedAt = ISO8601Time.parse(connection.connectedAt), erasedAt >= connectedAt { return .erased }
        if connection.tokenCiphertext == nil || connection.disconnectedAt != nil { return .disconnected }
        return .connected
    }

    static func calendarState(_ tx: any StoreTransaction, accountID: String, hasher: SubjectHasher) async throws -> LinkState {
        if try await tx.integrations.calendarConnection(accountID: accountID) != nil { return .connected }
        let entries = try await tx.ledger.entries(identifierHash: hasher.hash(kind: .accountID, value: accountID))
        // Stores written before disconnects had scopes of their own hold a calendar disconnect in scope
        // `calendar` with the marker as its request id.
        if entries.contains(where: { ($0.scope == .calendar || $0.scope == .account) && $0.requestId != calendarDisconnectMarker }) {
            return .erased
        }
        let disconnected = entries.contains { $0.scope == .calendarDisconnect || $0.requestId == calendarDisconnectMarker }
        return disconnected ? .disconnected : .notConnected
    }

    /// The ledger's request id for a calendar disconnect (not a deletion request).
    static let calendarDisconnectMarker = "calendar.disconnect"

    static func validate(_ event: IngestEvent, index: Int) throws {
        func require(_ value: Any?, _ field: String) throws {
            guard value != nil else {
                throw DeletionError.invalidArgument(param: "events[\(index)].\(field)", message: "required for a \(event.kind.rawValue) event")
            }
        }
        guard !event.id.isEmpty else { throw DeletionError.invalidArgument(param: "events[\(index)].id", message: "must not be empty") }
        switch event.kind {
        case .dm:
            try require(event.threadID, "threadId")
            try require(event.from, "from")
            try require(event.body, "body")
            try require(event.at, "at")
        case .comment:
            try require(event.mediaID, "mediaId")
            try require(event.from, "from")
            try require(event.body, "body")
            try require(event.at, "at")
        case .analytics:
            try require(event.mediaID, "mediaId")
            try require(event.day, "day")
            try require(event.impressions, "impressions")
            try require(event.reach, "reach")
            try require(event.likes, "likes")
        }
    }
}
