import ALTStore
import ErasureDomain
import Foundation
import PostgresNIO

/// Accounts as intake, erasure and status need them, on PostgreSQL.
struct PostgresAccounts: AccountsRepository {
    let access: PostgresAccess

    func account(id: String) async throws -> AccountRecord? {
        try await access.record(AccountRecord.self, keys: .declared, "SELECT to_jsonb(a)::text FROM accounts a WHERE id = \(id)")
    }

    /// Case-insensitively (`lower`, indexed), as SQLite's `COLLATE NOCASE` does for ASCII.
    func account(email: String) async throws -> AccountRecord? {
        let address = email.trimmingCharacters(in: .whitespaces)
        return try await access.record(AccountRecord.self, keys: .declared, "SELECT to_jsonb(a)::text FROM accounts a WHERE lower(email) = lower(\(address))")
    }

    func identifiers(accountID: String) async throws -> [(kind: IdentifierKind, value: String)] {
        var values: [(kind: IdentifierKind, value: String)] = []
        if let account = try await account(id: accountID) {
            values.append((.email, account.email))
            values.append((.name, account.name))
        }
        let singles: [(IdentifierKind, PostgresQuery)] = [
            (.phone, "SELECT phone FROM profiles WHERE account_id = \(accountID) AND phone IS NOT NULL"),
            (.igUserID, "SELECT ig_user_id FROM instagram_connections WHERE account_id = \(accountID)"),
            (.googleEmail, "SELECT google_email FROM calendar_connections WHERE account_id = \(accountID)"),
        ]
        for (kind, query) in singles {
            if let value = try await access.value(String.self, query) { values.append((kind, value)) }
        }
        return values
    }

    func retainedBilling(accountID: String) async throws -> (count: Int, until: Date?) {
        guard let row = try await access.rows("SELECT count(*), max(retain_until) FROM billing_records WHERE account_id = \(accountID)").first
        else { return (0, nil) }
        return try row.decode((Int, Date?).self)
    }

    func retainedLogs(accountID: String) async throws -> (count: Int, newest: Date?) {
        guard let row = try await access.rows("SELECT count(*), max(logged_at) FROM application_logs WHERE account_id = \(accountID)").first
        else { return (0, nil) }
        return try row.decode((Int, Date?).self)
    }

    func accountIDs() async throws -> [String] {
        try await access.rows("SELECT id FROM accounts UNION SELECT account_id FROM instagram_connections UNION SELECT account_id FROM calendar_connections")
            .map { try $0.decode(String.self) }
    }
}
