/// What an identifying value is: the kinds the ledger, the residual scan and subject hashes name.
public enum IdentifierKind: String, Sendable, Hashable, CaseIterable, Codable {
    case accountID = "account_id"
    case email
    case name
    case phone
    case igUserID = "ig_user_id"
    case googleEmail = "google_email"
    /// An intake email's Message-ID header: deduplicates intake, never ledgered.
    case messageID = "message_id"
    /// Meta's signed request of a data-deletion callback: deduplicates Meta's retries, never ledgered.
    case metaSignedRequest = "meta_signed_request"

    /// The kinds that identify the holder of a scope's data, read before the erasure and replayed as
    /// ledger entries (names are scanned for, never ledgered: too common to block anyone by).
    public static func identifying(_ scope: Scope) -> [IdentifierKind] {
        switch scope {
        case .account: [.email, .name, .phone, .igUserID, .googleEmail]
        case .instagram: [.igUserID]
        case .calendar: [.googleEmail]
        }
    }
}
