/// What a single-record cascade deletes (P10), leaf tables first, for every store: each step is a table
/// and a condition on `?`, the record's id (PostgreSQL writes it `$1`). The stores add what is theirs: the
/// search entries, locks, the tombstone and the audit entry.
public enum CascadePlan {
    public struct Step: Sendable, Equatable {
        public let table: String
        public let condition: String

        public init(table: String, condition: String) {
            self.table = table
            self.condition = condition
        }
    }

    public static let contact = [
        Step(table: "campaign_events", condition: "recipient_id IN (SELECT id FROM campaign_recipients WHERE contact_id = ?)"),
        Step(table: "campaign_recipients", condition: "contact_id = ?"),
        Step(table: "lead_scores", condition: "lead_id IN (SELECT id FROM leads WHERE contact_id = ?)"),
        Step(table: "messages", condition: "contact_id = ?"),
        Step(table: "leads", condition: "contact_id = ?"),
        Step(table: "contacts", condition: "id = ?"),
    ]

    public static let lead = [
        Step(table: "lead_scores", condition: "lead_id = ?"),
        Step(table: "messages", condition: "lead_id = ?"),
        Step(table: "leads", condition: "id = ?"),
    ]

    public static let campaign = [
        Step(table: "campaign_events", condition: "campaign_id = ?"),
        Step(table: "campaign_recipients", condition: "campaign_id = ?"),
        Step(table: "campaigns", condition: "id = ?"),
    ]

    /// The records a contact's cascade deletes with it that get tombstones of their own, by kind.
    public static let contactTombstones = ["lead": "SELECT id FROM leads WHERE contact_id = ?"]
}
