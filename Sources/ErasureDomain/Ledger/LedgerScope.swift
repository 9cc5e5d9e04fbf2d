/// What a ledger entry records: an erasure of a scope, or a disconnect. Both are replayed after every
/// restore (I1, P6), so a restored copy never brings back what either took away.
public enum LedgerScope: String, Sendable, Hashable, CaseIterable, Codable {
    case account
    case instagram
    case calendar
    /// An Instagram disconnect (P6): the token dropped, polling and webhook off; the saved data stays.
    case instagramDisconnect = "instagram_disconnect"
    /// A Google Calendar disconnect: the tokens, cached events and sync state deleted.
    case calendarDisconnect = "calendar_disconnect"

    public init(erasureOf scope: Scope) {
        switch scope {
        case .account: self = .account
        case .instagram: self = .instagram
        case .calendar: self = .calendar
        }
    }

    /// The erased scope, or nil for a disconnect.
    public var erasedScope: Scope? {
        switch self {
        case .account: .account
        case .instagram: .instagram
        case .calendar: .calendar
        case .instagramDisconnect, .calendarDisconnect: nil
        }
    }
}
