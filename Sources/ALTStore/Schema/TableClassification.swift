/// What happens to each table's rows when a subject is erased — the one place this is decided.
/// Erasure plans, the residual scan and the docs derive from it; a test fails on any table in the
/// database that is not listed here.
public struct TableClassification: Sendable, Hashable {
    public enum Category: Sendable, Hashable {
        /// Erased with the whole account.
        case eraseWithAccount
        /// Erased with the account and on an Instagram-only request.
        case eraseWithInstagram
        /// Erased with the account and on a Calendar-only request.
        case eraseWithCalendar
        /// Kept after erasure, for a reason and a period (P8).
        case retain(reason: String, years: Int?, days: Int?)
        /// Non-identifying aggregates (P8).
        case aggregate
        /// The service's own bookkeeping, which keeps no PII of an erased subject (I5).
        case serviceInternal
    }

    /// The database engines a store runs on; a few bookkeeping tables exist on one only.
    public enum Engine: String, Sendable, Hashable, CaseIterable {
        case sqlite, postgres

        public var displayName: String {
            switch self {
            case .sqlite: "SQLite"
            case .postgres: "PostgreSQL"
            }
        }
    }

    public let table: String
    public let category: Category
    /// The column that ties a row to an account, if any.
    public let accountColumn: String?
    /// Columns holding values that identify a person (searched by the residual scan).
    public let identifyingColumns: [String]
    /// Where the table exists: every engine but for the schema-version tables of each.
    public let engines: Set<Engine>

    public init(
        _ table: String, _ category: Category, accountColumn: String? = "account_id", identifying: [String] = [],
        engines: Set<Engine> = Set(Engine.allCases)
    ) {
        self.table = table
        self.category = category
        self.accountColumn = accountColumn
        self.identifyingColumns = identifying
        self.engines = engines
    }
}

extension TableClassification {
    /// Every table of the store.
    public static let all: [TableClassification] = [
        .init("accounts", .eraseWithAccount, accountColumn: "id", identifying: ["email", "name"]),
        .init("sessions", .eraseWithAccount),
        .init("profiles", .eraseWithAccount, identifying: ["phone", "license_number"]),
        .init("contacts", .eraseWithAccount, identifying: ["name", "email", "phone"]),
        .init("leads", .eraseWithAccount, identifying: ["property_address"]),
        .init("lead_scores", .eraseWithAccount),
        .init("messages", .eraseWithAccount, identifying: ["body"]),
        .init("campaigns", .eraseWithAccount),
        .init("campaign_recipients", .eraseWithAccount),
        .init("campaign_events", .eraseWithAccount),
        .init("search_index", .eraseWithAccount, identifying: ["content"]),
        .init("usage_events", .eraseWithAccount),
        .init("instagram_connections", .eraseWithInstagram, identifying: ["ig_user_id"]),
        .init("instagram_threads", .eraseWithInstagram, identifying: ["participant_username"]),
        .init("instagram_messages", .eraseWithInstagram, identifying: ["from_username", "body"]),
        .init("instagram_comments", .eraseWithInstagram, identifying: ["username", "body"]),
        .init("instagram_post_analytics", .eraseWithInstagram),
        .init("calendar_connections", .eraseWithCalendar, identifying: ["google_email"]),
        .init("calendar_events", .eraseWithCalendar, identifying: ["summary", "attendee_emails"]),
        .init("billing_records", .retain(reason: "Stripe billing records, kept for tax law", years: 7, days: nil)),
        .init("application_logs", .retain(reason: "application logs that may hold the user id", years: nil, days: 90)),
        .init("usage_daily", .aggregate, accountColumn: nil),
        .init("audit_trail", .serviceInternal, accountColumn: nil),
        .init("deleted_records", .serviceInternal),
        .init("erasure_progress", .serviceInternal, accountColumn: nil),
        .init("deletion_requests", .serviceInternal),
        .init("identity_challenges", .serviceInternal, accountColumn: nil),
        .init("erasure_ledger", .serviceInternal, accountColumn: nil),
        .init("outbox", .serviceInternal, accountColumn: nil),
        .init("grdb_migrations", .serviceInternal, accountColumn: nil, engines: [.sqlite]),
        .init("schema_migrations", .serviceInternal, accountColumn: nil, engines: [.postgres]),
        .init("store_probe", .serviceInternal, accountColumn: nil),
        .init("work_leases", .serviceInternal, accountColumn: nil),
    ]

    public static func named(_ table: String) -> TableClassification? { all.first { $0.table == table } }

    /// The tables a store on `engine` has.
    public static func all(on engine: Engine) -> [TableClassification] { all.filter { $0.engines.contains(engine) } }
}

extension TableClassification {
    /// The classification as a Markdown table — the text of `schemas/DATA.md` (a test keeps them equal).
    public static var markdown: String {
        var lines = [
            "# What happens to each table on erasure",
            "",
            "Generated from `Sources/ALTStore/Schema/TableClassification.swift` (the one place it is decided);",
            "`ALTStoreTests` fails when this file and the code differ, and when a table has no classification.",
            "",
            "| table | on erasure | tied to the account by | identifying columns |",
            "|---|---|---|---|",
        ]
        for entry in all {
            let category: String =
                switch entry.category {
                case .eraseWithAccount: "erased with the account"
                case .eraseWithInstagram: "erased with the account or Instagram data"
                case .eraseWithCalendar: "erased with the account or Calendar data"
                case .retain(let reason, let years, let days):
                    "kept: \(reason), \(years.map { "\($0) years" } ?? days.map { "\($0) days" } ?? "")"
                case .aggregate: "kept: aggregate, non-identifying"
                case .serviceInternal: "the service's own records (no PII of an erased subject)"
                }
            let identifying = entry.identifyingColumns.isEmpty ? "—" : entry.identifyingColumns.map { "`\($0)`" }.joined(separator: ", ")
            let only = entry.engines.count == 1 ? entry.engines.map { " (\($0.displayName) only)" }.joined() : ""
            lines.append("| `\(entry.table)`\(only) | \(category) | \(entry.accountColumn.map { "`\($0)`" } ?? "—") | \(identifying) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
