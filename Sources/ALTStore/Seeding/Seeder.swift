import Foundation
import GRDB
import ISO8601Time

/// Fills the store with realistic, deterministic ALT data: the same profile and seed always give the
/// same rows, byte for byte.
///
/// - `demo`: the documented demo account `acc_demo` (demo@example.com) with contacts `con_demo_1`…`3`,
///   leads `lead_demo_1`…`3`, campaign `cmp_demo_1`, Instagram and Calendar connections; and `acc_other`.
/// - `bench`: `accounts` accounts of ~40 rows each, plus `acc_large`: 50k contacts, 50k leads, 500k
///   messages, 200 campaigns with 100k recipients, 20k Instagram messages (≈750k rows). Its biggest
///   contact is `con_large_000001` (5,000 messages, at any `largeScale` ≥ 1) and its biggest campaign
///   `cmp_large_001`.
public struct Seeder {
    public enum Profile: String, Sendable, CaseIterable {
        case demo, bench
    }

    let database: AppDatabase
    let cipher: TokenCipher
    let requestKeys: DemoRequestKeys?

    /// With `requestKeys`, the demo profile also holds deletion requests (see `DemoRequests`).
    public init(database: AppDatabase, cipher: TokenCipher, requestKeys: DemoRequestKeys? = nil) {
        self.database = database
        self.cipher = cipher
        self.requestKeys = requestKeys
    }

    /// Seeds the profile; returns the number of rows written.
    @discardableResult
    public func seed(_ profile: Profile, accounts: Int? = nil, seed: UInt64 = 1, largeScale: Double = 1) async throws -> Int {
        let cipher = self.cipher
        let requestKeys = self.requestKeys
        let now = Date()
        return try await database.write { db in
            var writer = try RowWriter(db: db, cipher: cipher, random: SplitMix64(seed: seed))
            switch profile {
            case .demo:
                try writer.demo()
                if let requestKeys { try DemoRequests.write(db, cipher: cipher, keys: requestKeys, now: now) }
            case .bench:
                for index in 0..<max(0, (accounts ?? 1_000) - 1) {
                    try writer.smallAccount(String(format: "acc_%06d", index + 1))
                }
                try writer.largeAccount(scale: largeScale)
            }
            return writer.rows
        }
    }
}

/// A deterministic pseudo-random generator (SplitMix64), so seeded data is reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Writes rows through prepared statements (one per table), the fast way to insert many rows.
struct RowWriter {
    let db: Database
    let cipher: TokenCipher
    var random: SplitMix64
    private(set) var rows = 0
    private var statements: [String: Statement] = [:]

    static let firstNames = ["Ava", "Liam", "Mia", "Noah", "Zoe", "Ethan", "Isla", "Lucas", "Ruby", "Owen", "Nora", "Eli", "Maya", "Theo", "Lena", "Omar"]
    static let lastNames = ["Garcia", "Nguyen", "Okafor", "Schmidt", "Rossi", "Kowalski", "Haddad", "Tanaka", "Murphy", "Silva", "Novak", "Larsen"]
    static let streets = ["Maple Ave", "Harbor Rd", "Cedar Ln", "Sunset Blvd", "Elm St", "Lakeview Dr", "Orchard Way", "Bayside Ct"]
    static let phrases = [
        "Thanks for touring the property on Saturday, happy to answer any questions about the HOA fees.",
        "The sellers accepted the inspection contingency; closing is still on track for the end of the month.",
        "I found three listings in your price range near the school district you asked about last week.",
        "Could we move the showing to Thursday afternoon? The current tenants asked for a later slot.",
        "Your pre-approval letter is ready, let's review the numbers before we write the offer together.",
    ]

    init(db: Database, cipher: TokenCipher, random: SplitMix64) throws {
        self.db = db
        self.cipher = cipher
        self.random = random
    }

    private mutating func insert(_ table: String, _ columns: [String], _ values: [(any DatabaseValueConvertible)?]) throws {
        let statement: Statement
        if let cached = statements[table] {
            statement = cached
        } else {
            let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            statement = try db.makeStatement(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))")
            statements[table] = statement
        }
        try statement.execute(arguments: StatementArguments(values))
        rows += 1
    }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

    private mutating func name() -> String { "\(pick(Self.firstNames)) \(pick(Self.lastNames))" }

    private mutating func phone() -> String { String(format: "+1-555-%03d-%04d", Int(random.next() % 1000), Int(random.next() % 10000)) }

    private mutating func body(_ tag: String) -> String {
        // About 200 bytes, with a tag unique to the row so a byte scan can find exactly it.
        "\(pick(Self.phrases)) \(pick(Self.phrases).prefix(80)) [\(tag)]"
    }

    private static func day(_ offset: Int) -> String {
        let date = Date(timeIntervalSince1970: 1_760_000_000 + Double(offset) * 86_400)
        return ISO8601Time.format(date)
    }

    mutating func account(_ id: String, email: String, name: String) throws {
        try insert("accounts", ["id", "email", "name", "password_hash", "created_at"], [id, email, name, "$argon2id$v=19$m=65536,t=3,p=4$\(id)", Self.day(0)])
        try insert("profiles", ["account_id", "phone", "brokerage", "license_number", "bio"], [id, phone(), "Coastal Realty", "RE-\(id)", "Helping families find homes since 2012."])
        try insert("sessions", ["id", "account_id", "token_hash", "user_agent", "created_at", "expires_at"], ["ses_\(id)", id, "sha256:\(id)", "ALT iOS 4.2", Self.day(1), Self.day(31)])
    }

    mutating func contact(_ id: String, account: String, name: String? = nil, email: String? = nil, index: Int) throws {
        let name = name ?? self.name()
        let email = email ?? "\(name.lowercased().replacingOccurrences(of: " ", with: "."))+\(id)@mail.example"
        try insert("contacts", ["id", "account_id", "name", "email", "phone", "notes", "created_at"], [id, account, name, email, phone(), "Met at open house [\(id)]", Self.day(index % 365)])
    }

    mutating func lead(_ id: String, account: String, contact: String, index: Int) throws {
        try insert("leads", ["id", "account_id", "contact_id", "status", "source", "property_address", "created_at"], [id, account, contact, pick(["new", "contacted", "touring", "offer", "closed"]), pick(["zillow", "referral", "instagram", "open_house"]), "\(100 + index % 900) \(pick(Self.streets))", Self.day(index % 365)])
        try insert("lead_scores", ["lead_id", "account_id", "score", "computed_at"], [id, account, Int(random.next() % 100), Self.day(index % 365)])
    }

    mutating func message(_ id: String, account: String, contact: String, lead: String?, index: Int) throws {
        try insert("messages", ["id", "account_id", "contact_id", "lead_id", "channel", "body", "sent_at"], [id, account, contact, lead, pick(["email", "sms"]), body(id), Self.day(index % 365)])
    }

    mutating func campaign(_ id: String, account: String, recipients: [String], index: Int) throws {
        try insert("campaigns", ["id", "account_id", "name", "subject", "body", "created_at"], [id, account, "Spring listings \(index)", "New homes near you", body(id), Self.day(index)])
        for (number, contact) in recipients.enumerated() {
            let recipient = "\(id)_r\(number)"
            try insert("campaign_recipients", ["id", "account_id", "campaign_id", "contact_id", "status"], [recipient, account, id, contact, "sent"])
            if number % 4 == 0 {
                try insert("campaign_events", ["id", "account_id", "campaign_id", "recipient_id", "kind", "occurred_at"], ["\(recipient)_e", account, id, recipient, pick(["open", "click"]), Self.day(index + 1)])
            }
        }
    }

    mutating func instagram(account: String, messages: Int) throws {
        let sealed = try cipher.seal("IGQVJ-token-\(account)-\(random.next())")
        try insert("instagram_connections", ["account_id", "ig_user_id", "token_ciphertext", "token_key_id", "polling_enabled", "webhook_subscribed", "connected_at"], [account, "ig_\(account)", sealed.ciphertext, sealed.keyID, true, true, Self.day(2)])
        let threads = max(1, messages / 20)
        for thread in 0..<threads {
            try insert("instagram_threads", ["id", "account_id", "ig_thread_id", "participant_username"], ["igt_\(account)_\(thread)", account, "t\(thread)", "buyer_\(thread)_\(account)"])
        }
        for index in 0..<messages {
            try insert("instagram_messages", ["id", "account_id", "thread_id", "from_username", "body", "sent_at"], ["igm_\(account)_\(index)", account, "igt_\(account)_\(index % threads)", "buyer_\(index % threads)_\(account)", body("igm_\(account)_\(index)"), Self.day(index % 365)])
        }
        try insert("instagram_comments", ["id", "account_id", "ig_media_id", "username", "body", "created_at"], ["igc_\(account)", account, "media_1", "fan_\(account)", "Love this kitchen!", Self.day(3)])
        try insert("instagram_post_analytics", ["id", "account_id", "ig_media_id", "day", "impressions", "reach", "likes"], ["iga_\(account)", account, "media_1", Self.day(3), 1200, 900, 87])
    }

    mutating func calendar(account: String, email: String) throws {
        let access = try cipher.seal("ya29.access-\(account)-\(random.next())")
        let refresh = try cipher.seal("1//refresh-\(account)-\(random.next())")
        try insert("calendar_connections", ["account_id", "google_email", "access_token_ciphertext", "refresh_token_ciphertext", "token_key_id", "push_channel_id", "sync_token", "connected_at"], [account, email, access.ciphertext, refresh.ciphertext, access.keyID, "chan_\(account)", "sync_\(account)", Self.day(2)])
        for index in 0..<3 {
            try insert("calendar_events", ["id", "account_id", "google_event_id", "summary", "attendee_emails", "starts_at", "ends_at"], ["cal_\(account)_\(index)", account, "g\(index)", "Showing at \(100 + index) \(pick(Self.streets))", email, Self.day(10 + index), Self.day(10 + index)])
        }
    }

    mutating func retainedAndUsage(account: String, index: Int) throws {
        try insert("billing_records", ["id", "account_id", "stripe_customer_id", "stripe_invoice_id", "amount_cents", "currency", "issued_at"], ["bill_\(account)", account, "cus_\(account)", "in_\(account)", 4900, "usd", Self.day(index % 30)])
        try insert("application_logs", ["account_id", "level", "message", "logged_at"], [account, "info", "sync completed for account \(account)", Self.day(index % 120)])
        for event in 0..<3 {
            try insert("usage_events", ["account_id", "kind", "occurred_at"], [account, pick(["login", "search", "campaign_sent"]), Self.day(event)])
        }
    }

    mutating func demo() throws {
        try account("acc_demo", email: "demo@example.com", name: "Dana Demo")
        let contacts = [("con_demo_1", "Avery Buyer", "avery.buyer@example.com"), ("con_demo_2", "Blake Seller", "blake.seller@example.com"), ("con_demo_3", "Casey Renter", "casey.renter@example.com")]
        for (index, (id, name, email)) in contacts.enumerated() {
            try contact(id, account: "acc_demo", name: name, email: email, index: index)
            try lead("lead_demo_\(index + 1)", account: "acc_demo", contact: id, index: index)
            for number in 1...2 {
                try message("msg_demo_\(index + 1)_\(number)", account: "acc_demo", contact: id, lead: "lead_demo_\(index + 1)", index: number)
            }
        }
        try campaign("cmp_demo_1", account: "acc_demo", recipients: ["con_demo_1", "con_demo_2", "con_demo_3"], index: 1)
        try instagram(account: "acc_demo", messages: 4)
        try calendar(account: "acc_demo", email: "demo@example.com")
        try retainedAndUsage(account: "acc_demo", index: 0)
        try smallAccount("acc_other")
        try instagram(account: "acc_other", messages: 2)
    }

    mutating func smallAccount(_ id: String) throws {
        let owner = name()
        try account(id, email: "\(id)@agents.example", name: owner)
        var contactIDs: [String] = []
        for index in 0..<5 {
            let contactID = "con_\(id)_\(index)"
            contactIDs.append(contactID)
            try contact(contactID, account: id, index: index)
            try lead("lead_\(id)_\(index)", account: id, contact: contactID, index: index)
            try message("msg_\(id)_\(index)", account: id, contact: contactID, lead: nil, index: index)
        }
        try campaign("cmp_\(id)_1", account: id, recipients: contactIDs, index: 1)
        try retainedAndUsage(account: id, index: 1)
    }

    /// `acc_large` at `scale` (1 ≈ 750k rows): contacts, leads, messages, campaigns and Instagram
    /// messages all scale together, so sizes in between (benchmarks of growth, the crash test) keep its shape.
    mutating func largeAccount(scale: Double = 1) throws {
        let id = "acc_large"
        try account(id, email: "large@agents.example", name: "Lara Large")
        let contacts = max(100, Int(50_000 * scale))
        for index in 1...contacts {
            let contactID = String(format: "con_large_%06d", index)
            try contact(contactID, account: id, index: index)
            try lead(String(format: "lead_large_%06d", index), account: id, contact: contactID, index: index)
        }
        // 500k messages: the first contact is the biggest (1%, at most 5,000: the same contact at every scale
        // from 1 up, so a cascade's cost can be compared across store sizes), the rest spread evenly.
        let messages = Int(500_000 * scale)
        let biggest = min(messages / 100, 5_000)
        for index in 0..<messages {
            let contactNumber = index < biggest ? 1 : 2 + (index % (contacts - 1))
            let contactID = String(format: "con_large_%06d", contactNumber)
            let leadID = index % 3 == 0 ? String(format: "lead_large_%06d", contactNumber) : nil
            try message(String(format: "msg_large_%07d", index), account: id, contact: contactID, lead: leadID, index: index)
        }
        // 200 campaigns, 100k recipients: the first campaign is the biggest (5,000 recipients at full scale).
        var next = 1
        for campaignNumber in 1...max(2, Int(200 * scale)) {
            let size = campaignNumber == 1 ? max(1, Int(5_000 * scale)) : 477
            let recipients = (0..<size).map { offset in String(format: "con_large_%06d", (next + offset - 1) % contacts + 1) }
            next += size
            try campaign(String(format: "cmp_large_%03d", campaignNumber), account: id, recipients: recipients, index: campaignNumber)
        }
        try instagram(account: id, messages: max(1, Int(20_000 * scale)))
        try calendar(account: id, email: "large@agents.example")
        try retainedAndUsage(account: id, index: 2)
    }
}
