/// What a deletion request erases (P1).
public enum Scope: String, Sendable, Hashable, CaseIterable, Codable {
    /// The whole account: login, profile, contacts, leads, messages, campaigns, integrations, derived data.
    case account
    /// Instagram data only: DM threads, comments, post analytics, the token. The rest stays.
    case instagram
    /// Google Calendar data only: OAuth tokens and cached event metadata. The rest stays.
    case calendar
}
