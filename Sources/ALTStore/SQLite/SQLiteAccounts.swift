import ErasureDomain
import Foundation
import GRDB

/// Accounts as intake, erasure and status need them, on SQLite.
struct SQLiteAccounts: AccountsRepository {
    let access: SQLiteAccess

    func account(id: String) async throws -> AccountRecord? {
        try await access { db in try AccountRecord.fetchOne(db, key: id) }
    }

    func account(email: String) async throws -> AccountRecord? {
        let address = email.trimmingCharacters(in: .whitespaces)
        return try await access { db in try AccountRecord.filter(sql: "email = ? COLLATE NOCASE", arguments: [address]).fetchOne(db) }
    }

    func identifiers(accountID: String) async throws -> [(kind: IdentifierKind, value: String)] {
        try await access { db in
            var values: [(IdentifierKind, String)] = []
            if let account = try AccountRecord.fetchOne(db, key: accountID) {
                values.append((.email, account.email))
                values.append((.name, account.name))
            }
            let singles: [(IdentifierKind, String)] = [
                (.phone, "SELECT phone FROM profiles WHERE account_id = ? AND phone IS NOT NULL"),
                (.igUserID, "SELECT ig_user_id FROM instagram_connections WHERE account_id = ?"),
                (.googleEmail, "SELECT google_email FROM calendar_connections WHERE account_id = ?"),
            ]
            for (kind, sql) in singles {
                if let value = try String.fetchOne(db, sql: sql, arguments: [accountID]) { values.append((kind, value)) }
            }
            return values
        }
    }

    func retainedBilling(accountID: String) async throws -> (count: Int, until: Date?) {
        try await access { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), max(retain_until) FROM billing_records WHERE account_id = ?", arguments: [accountID])
            return (row?[0] ?? 0, StoredTime.date(row?[1]))
        }
    }

    func retainedLogs(accountID: String) async throws -> (count: Int, newest: Date?) {
        try await access { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), max(logged_at) FROM application_logs WHERE account_id = ?", arguments: [accountID])
            return (row?[0] ?? 0, StoredTime.date(row?[1]))
        }
    }

    func accountIDs() async throws -> [String] {
        try await access { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM accounts UNION SELECT account_id FROM instagram_connections UNION SELECT account_id FROM calendar_connections"
            )
        }
    }
}
