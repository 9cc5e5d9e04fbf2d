public import ErasureDomain

/// The order in which a scope's tables are erased, derived from `TableClassification`: leaves before
/// the rows they reference, so every batch satisfies the foreign keys. The search index is not a step:
/// its entries go with their contacts and messages (triggers).
public struct ErasurePlan: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public let table: String
        public let accountColumn: String
    }

    public let scope: Scope
    public let steps: [Step]

    /// Tables in dependency order (a table before any table it references).
    public static let dependencyOrder = [
        "campaign_events", "campaign_recipients", "campaigns", "lead_scores", "messages", "leads", "contacts",
        "instagram_messages", "instagram_threads", "instagram_comments", "instagram_post_analytics", "instagram_connections",
        "calendar_events", "calendar_connections", "usage_events", "sessions", "profiles", "accounts",
    ]

    /// The classified tables a scope erases (the search index aside).
    static func erasable(_ scope: Scope) -> [TableClassification] {
        let categories: Set<TableClassification.Category> =
            switch scope {
            case .account: [.eraseWithAccount, .eraseWithInstagram, .eraseWithCalendar]
            case .instagram: [.eraseWithInstagram]
            case .calendar: [.eraseWithCalendar]
            }
        return TableClassification.all.filter { categories.contains($0.category) && $0.table != "search_index" }
    }

    /// The tables the residual scan checks for `scope`: the erasable ones, and the search index with an account.
    public static func scannedTables(_ scope: Scope) -> [String] {
        erasable(scope).map(\.table) + (scope == .account ? ["search_index"] : [])
    }

    public init(scope: Scope) {
        self.scope = scope
        let erasable = Self.erasable(scope)
        steps = Self.dependencyOrder.compactMap { table in
            guard let entry = erasable.first(where: { $0.table == table }), let column = entry.accountColumn else { return nil }
            return Step(table: table, accountColumn: column)
        }
    }

    /// Every erasable table of the scope that the plan does not order: must be empty (a test holds it).
    public var unordered: [String] {
        Self.erasable(scope).map(\.table).filter { table in !steps.contains { $0.table == table } }
    }
}
