import Foundation
import GRDB

/// Instagram and Google Calendar connections on SQLite, changed in the same transaction as the outbox
/// jobs and audit entries that go with each change.
struct SQLiteIntegrations: IntegrationsRepository {
    let access: SQLiteAccess

    func instagramConnection(accountID: String) async throws -> InstagramConnectionRecord? {
        try await access { db in
            try InstagramConnectionRecord.fetchOne(db, key: accountID)
        }
    }

    func instagramConnection(igUserID: String) async throws -> InstagramConnectionRecord? {
        try await access { db in
            try InstagramConnectionRecord.filter(InstagramConnectionRecord.Columns.igUserID == igUserID).fetchOne(db)
        }
    }

    /// Deletes the sealed token, stops polling and marks the webhook subscription removed (P6). Saved
    /// DMs, comments and analytics stay.
    /// Returns the rows changed; with `onlyIfConnected` (a restore's replay) a connection that is already
    /// disconnected is left as it is.
    @discardableResult
    func disconnectInstagram(accountID: String, at time: Date, onlyIfConnected: Bool) async throws -> Int {
        try await access { db in
            try db.execute(
                sql: """
                    UPDATE instagram_connections
                    SET token_ciphertext = NULL, token_key_id = NULL, polling_enabled = 0, webhook_subscribed = 0,
                        disconnected_at = coalesce(disconnected_at, ?)
                    WHERE account_id = ?
                    """ + (onlyIfConnected ? " AND (token_ciphertext IS NOT NULL OR polling_enabled OR webhook_subscribed)" : ""),
                arguments: [StoredTime.text(time), accountID]
            )
            return db.changesCount
        }
    }

    func calendarConnection(accountID: String) async throws -> CalendarConnectionRecord? {
        try await access { db in
            try CalendarConnectionRecord.fetchOne(db, key: accountID)
        }
    }

    /// Deletes the calendar tokens, push channel and sync state (the connection row) and the cached
    /// events; returns rows deleted per table.
    func deleteCalendarData(accountID: String) async throws -> [String: Int] {
        try await access { db in
            try db.execute(sql: "DELETE FROM calendar_events WHERE account_id = ?", arguments: [accountID])
            let events = db.changesCount
            try db.execute(sql: "DELETE FROM calendar_connections WHERE account_id = ?", arguments: [accountID])
            return ["calendar_events": events, "calendar_connections": db.changesCount]
        }
    }

    // MARK: Ingest (the one write path for webhook and poller events)

    /// Stores a DM, creating its thread on first sight. Returns false when the id is already stored.
    func storeInstagramMessage(
        accountID: String, id: String, igThreadID: String, from: String, body: String, sentAt: Date
    ) async throws -> Bool {
        try await access { db in
            let threadID = "igt_\(accountID)_\(igThreadID)"
            try db.execute(
                sql: "INSERT OR IGNORE INTO instagram_threads (id, account_id, ig_thread_id, participant_username) VALUES (?, ?, ?, ?)",
                arguments: [threadID, accountID, igThreadID, from]
            )
            try db.execute(
                sql: "INSERT OR IGNORE INTO instagram_messages (id, account_id, thread_id, from_username, body, sent_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, accountID, threadID, from, body, StoredTime.text(sentAt)]
            )
            return db.changesCount > 0
        }
    }

    func storeInstagramComment(accountID: String, id: String, mediaID: String, username: String, body: String, createdAt: Date) async throws -> Bool {
        try await access { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO instagram_comments (id, account_id, ig_media_id, username, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, accountID, mediaID, username, body, StoredTime.text(createdAt)]
            )
            return db.changesCount > 0
        }
    }

    /// Stores or updates a post's analytics; false when the same figures are already stored.
    func storePostAnalytics(accountID: String, id: String, mediaID: String, day: String, impressions: Int, reach: Int, likes: Int) async throws -> Bool {
        try await access { db in
            try db.execute(
                sql: """
                    INSERT INTO instagram_post_analytics (id, account_id, ig_media_id, day, impressions, reach, likes) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET impressions = excluded.impressions, reach = excluded.reach, likes = excluded.likes
                    WHERE (impressions, reach, likes) IS NOT (excluded.impressions, excluded.reach, excluded.likes)
                    """,
                arguments: [id, accountID, mediaID, day, impressions, reach, likes]
            )
            return db.changesCount > 0
        }
    }
}
