import ALTStore
import Foundation
import PostgresNIO

/// Instagram and Google Calendar connections on PostgreSQL, changed in the unit of work of the outbox
/// jobs and audit entries that go with each change; and the one write path of ingested events.
struct PostgresIntegrations: IntegrationsRepository {
    let access: PostgresAccess

    func instagramConnection(accountID: String) async throws -> InstagramConnectionRecord? {
        try await access.record(
            InstagramConnectionRecord.self, keys: .declared, "SELECT to_jsonb(c)::text FROM instagram_connections c WHERE account_id = \(accountID)"
        )
    }

    func instagramConnection(igUserID: String) async throws -> InstagramConnectionRecord? {
        try await access.record(
            InstagramConnectionRecord.self, keys: .declared, "SELECT to_jsonb(c)::text FROM instagram_connections c WHERE ig_user_id = \(igUserID) LIMIT 1"
        )
    }

    @discardableResult
    func disconnectInstagram(accountID: String, at time: Date, onlyIfConnected: Bool) async throws -> Int {
        let onlyConnected = onlyIfConnected ? " AND (token_ciphertext IS NOT NULL OR polling_enabled OR webhook_subscribed)" : ""
        return try await access.changes(
            """
            UPDATE instagram_connections
            SET token_ciphertext = NULL, token_key_id = NULL, polling_enabled = false, webhook_subscribed = false,
                disconnected_at = coalesce(disconnected_at, \(stored(time)))
            WHERE account_id = \(accountID)\(unescaped: onlyConnected)
            RETURNING 1
            """
        )
    }

    func calendarConnection(accountID: String) async throws -> CalendarConnectionRecord? {
        try await access.record(
            CalendarConnectionRecord.self, keys: .declared, "SELECT to_jsonb(c)::text FROM calendar_connections c WHERE account_id = \(accountID)"
        )
    }

    func deleteCalendarData(accountID: String) async throws -> [String: Int] {
        let events = try await access.changes("DELETE FROM calendar_events WHERE account_id = \(accountID) RETURNING 1")
        let connections = try await access.changes("DELETE FROM calendar_connections WHERE account_id = \(accountID) RETURNING 1")
        return ["calendar_events": events, "calendar_connections": connections]
    }

    func storeInstagramMessage(accountID: String, id: String, igThreadID: String, from: String, body: String, sentAt: Date) async throws -> Bool {
        let threadID = "igt_\(accountID)_\(igThreadID)"
        try await access.rows(
            """
            INSERT INTO instagram_threads (id, account_id, ig_thread_id, participant_username)
            VALUES (\(threadID), \(accountID), \(igThreadID), \(from)) ON CONFLICT DO NOTHING
            """
        )
        return try await access.changes(
            """
            INSERT INTO instagram_messages (id, account_id, thread_id, from_username, body, sent_at)
            VALUES (\(id), \(accountID), \(threadID), \(from), \(body), \(stored(sentAt))) ON CONFLICT DO NOTHING RETURNING 1
            """
        ) > 0
    }

    func storeInstagramComment(accountID: String, id: String, mediaID: String, username: String, body: String, createdAt: Date) async throws -> Bool {
        try await access.changes(
            """
            INSERT INTO instagram_comments (id, account_id, ig_media_id, username, body, created_at)
            VALUES (\(id), \(accountID), \(mediaID), \(username), \(body), \(stored(createdAt))) ON CONFLICT DO NOTHING RETURNING 1
            """
        ) > 0
    }

    func storePostAnalytics(accountID: String, id: String, mediaID: String, day: String, impressions: Int, reach: Int, likes: Int) async throws -> Bool {
        try await access.changes(
            """
            INSERT INTO instagram_post_analytics (id, account_id, ig_media_id, day, impressions, reach, likes)
            VALUES (\(id), \(accountID), \(mediaID), \(day), \(impressions), \(reach), \(likes))
            ON CONFLICT (id) DO UPDATE SET impressions = excluded.impressions, reach = excluded.reach, likes = excluded.likes
            WHERE (instagram_post_analytics.impressions, instagram_post_analytics.reach, instagram_post_analytics.likes)
                IS DISTINCT FROM (excluded.impressions, excluded.reach, excluded.likes)
            RETURNING 1
            """
        ) > 0
    }
}
