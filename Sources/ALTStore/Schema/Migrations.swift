import GRDB

/// Every schema change, in order. A migration never changes once shipped and never uses record types.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: ALT data model") { db in
            try createAccounts(db)
            try createRecords(db)
            try createIntegrations(db)
            try createRetainedAndAggregate(db)
            try createSearchIndex(db)
            try createServiceTables(db)
        }
        migrator.registerMigration("v2: erasure progress") { db in
            // One row per job and table, written in the same transaction as each batch it counts, so a
            // restart resumes where the last committed batch ended and status never claims more.
            try db.execute(sql: """
                CREATE TABLE erasure_progress (
                    job_id TEXT NOT NULL,
                    table_name TEXT NOT NULL,
                    rows_erased INTEGER NOT NULL,
                    PRIMARY KEY (job_id, table_name)
                );
                """)
        }
        migrator.registerMigration("v3: deletion requests") { db in
            try createDeletionTables(db)
        }
        migrator.registerMigration("v4: outbox job order") { db in
            // A job handed out only once the job it depends on is acknowledged (Google: stop the push
            // channel, which needs a live token, before revoking the token).
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN depends_on TEXT")
        }
        migrator.registerMigration("v5: provider job failures") { db in
            // Provider jobs of a request (Meta unsubscribe, Google stop and revoke) that failed for good or
            // expired unacknowledged, as JSON [{kind, reason}]: the final confirmation and status say so.
            try db.execute(sql: "ALTER TABLE deletion_requests ADD COLUMN provider_failures TEXT")
        }
        migrator.registerMigration("v6: store probe") { db in
            // One row the health probe rewrites, so `health.check` knows the store still takes writes.
            try db.execute(sql: "CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), probed_at TEXT NOT NULL)")
        }
        migrator.registerMigration("v7: work leases") { db in
            // Scheduled work one process does at a time (an erasure run, the retention sweep, a backup),
            // claimed until `expires_at` and renewed while working: a process that dies loses its claims
            // when they run out. On SQLite one process serves the file; on PostgreSQL replicas share it.
            try db.execute(sql: "CREATE TABLE work_leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at TEXT NOT NULL)")
        }
        migrator.registerMigration("v8: search entries in an ordinary table") { db in
            try replaceFullTextIndex(db)
        }
        return migrator
    }

    /// The service's own tables for deletion requests. None references `accounts`: a request, its
    /// ledger entries and its audit outlive the account they erased, holding only ids and hashes (I5).
    /// Addresses, the subject's values (kept for the byte scan until the request is forgotten) and
    /// outbox bodies are sealed with the token cipher, so the file never holds them in plain text.
    private static func createDeletionTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE deletion_requests (
                id TEXT PRIMARY KEY NOT NULL,
                confirmation_code TEXT NOT NULL UNIQUE,
                scope TEXT NOT NULL,
                channel TEXT NOT NULL,
                state TEXT NOT NULL,
                account_id TEXT,
                subject_hash TEXT NOT NULL,
                requester_email_sealed TEXT,
                subject_values_sealed TEXT,
                message_id_hash TEXT UNIQUE,
                actor TEXT NOT NULL,
                received_at TEXT NOT NULL,
                production_due_by TEXT NOT NULL,
                verification_expires_at TEXT NOT NULL,
                verified_at TEXT,
                erasure_starts_at TEXT,
                erasing_at TEXT,
                erased_at TEXT,
                completed_at TEXT,
                ended_at TEXT,
                reason TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                forgotten INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX deletion_requests_state ON deletion_requests(state, erasure_starts_at);
            CREATE INDEX deletion_requests_account ON deletion_requests(account_id);
            CREATE INDEX deletion_requests_due ON deletion_requests(production_due_by, id);
            CREATE TABLE identity_challenges (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                request_id TEXT NOT NULL REFERENCES deletion_requests(id),
                digest BLOB NOT NULL,
                issued_at TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                burned INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX identity_challenges_request ON identity_challenges(request_id, issued_at);
            CREATE TABLE erasure_ledger (
                identifier_hash TEXT NOT NULL,
                kind TEXT NOT NULL,
                scope TEXT NOT NULL,
                request_id TEXT NOT NULL,
                erased_at TEXT NOT NULL,
                PRIMARY KEY (identifier_hash, scope)
            );
            CREATE TABLE outbox (
                id TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL,
                request_id TEXT,
                recipient_sealed TEXT,
                payload_sealed TEXT NOT NULL,
                created_at TEXT NOT NULL,
                lease_expires_at TEXT,
                deliveries INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX outbox_request ON outbox(request_id);
            """)
    }

    private static func createAccounts(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY NOT NULL,
                email TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                token_hash TEXT NOT NULL,
                user_agent TEXT,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            );
            CREATE INDEX sessions_account ON sessions(account_id);
            CREATE TABLE profiles (
                account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts(id),
                phone TEXT,
                brokerage TEXT,
                license_number TEXT,
                bio TEXT
            );
            """)
    }

    private static func createRecords(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE contacts (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                name TEXT NOT NULL,
                email TEXT,
                phone TEXT,
                notes TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX contacts_account ON contacts(account_id);
            CREATE TABLE leads (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                contact_id TEXT NOT NULL REFERENCES contacts(id),
                status TEXT NOT NULL,
                source TEXT NOT NULL,
                property_address TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX leads_account ON leads(account_id);
            CREATE INDEX leads_contact ON leads(contact_id);
            CREATE TABLE lead_scores (
                lead_id TEXT PRIMARY KEY NOT NULL REFERENCES leads(id),
                account_id TEXT NOT NULL REFERENCES accounts(id),
                score INTEGER NOT NULL,
                computed_at TEXT NOT NULL
            );
            CREATE INDEX lead_scores_account ON lead_scores(account_id);
            CREATE TABLE messages (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                contact_id TEXT NOT NULL REFERENCES contacts(id),
                lead_id TEXT REFERENCES leads(id),
                channel TEXT NOT NULL,
                body TEXT NOT NULL,
                sent_at TEXT NOT NULL
            );
            CREATE INDEX messages_account ON messages(account_id);
            CREATE INDEX messages_contact ON messages(contact_id);
            CREATE INDEX messages_lead ON messages(lead_id);
            CREATE TABLE campaigns (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                name TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX campaigns_account ON campaigns(account_id);
            CREATE TABLE campaign_recipients (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                campaign_id TEXT NOT NULL REFERENCES campaigns(id),
                contact_id TEXT NOT NULL REFERENCES contacts(id),
                status TEXT NOT NULL
            );
            CREATE INDEX campaign_recipients_account ON campaign_recipients(account_id);
            CREATE INDEX campaign_recipients_campaign ON campaign_recipients(campaign_id);
            CREATE INDEX campaign_recipients_contact ON campaign_recipients(contact_id);
            CREATE TABLE campaign_events (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                campaign_id TEXT NOT NULL REFERENCES campaigns(id),
                recipient_id TEXT NOT NULL REFERENCES campaign_recipients(id),
                kind TEXT NOT NULL,
                occurred_at TEXT NOT NULL
            );
            CREATE INDEX campaign_events_account ON campaign_events(account_id);
            CREATE INDEX campaign_events_campaign ON campaign_events(campaign_id);
            CREATE INDEX campaign_events_recipient ON campaign_events(recipient_id);
            """)
    }

    private static func createIntegrations(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE instagram_connections (
                account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts(id),
                ig_user_id TEXT NOT NULL,
                token_ciphertext BLOB,
                token_key_id TEXT,
                polling_enabled INTEGER NOT NULL,
                webhook_subscribed INTEGER NOT NULL,
                connected_at TEXT NOT NULL,
                disconnected_at TEXT
            );
            CREATE INDEX instagram_connections_ig_user ON instagram_connections(ig_user_id);
            CREATE TABLE instagram_threads (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                ig_thread_id TEXT NOT NULL,
                participant_username TEXT NOT NULL
            );
            CREATE INDEX instagram_threads_account ON instagram_threads(account_id);
            CREATE TABLE instagram_messages (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                thread_id TEXT NOT NULL REFERENCES instagram_threads(id),
                from_username TEXT NOT NULL,
                body TEXT NOT NULL,
                sent_at TEXT NOT NULL
            );
            CREATE INDEX instagram_messages_account ON instagram_messages(account_id);
            CREATE INDEX instagram_messages_thread ON instagram_messages(thread_id);
            CREATE TABLE instagram_comments (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                ig_media_id TEXT NOT NULL,
                username TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX instagram_comments_account ON instagram_comments(account_id);
            CREATE TABLE instagram_post_analytics (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                ig_media_id TEXT NOT NULL,
                day TEXT NOT NULL,
                impressions INTEGER NOT NULL,
                reach INTEGER NOT NULL,
                likes INTEGER NOT NULL
            );
            CREATE INDEX instagram_post_analytics_account ON instagram_post_analytics(account_id);
            CREATE TABLE calendar_connections (
                account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts(id),
                google_email TEXT NOT NULL,
                access_token_ciphertext BLOB,
                refresh_token_ciphertext BLOB,
                token_key_id TEXT,
                push_channel_id TEXT,
                sync_token TEXT,
                connected_at TEXT NOT NULL
            );
            CREATE TABLE calendar_events (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                google_event_id TEXT NOT NULL,
                summary TEXT NOT NULL,
                attendee_emails TEXT,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL
            );
            CREATE INDEX calendar_events_account ON calendar_events(account_id);
            """)
    }

    /// Billing and logs outlive the account (P8): their account id is a plain column, not a foreign key.
    private static func createRetainedAndAggregate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE billing_records (
                id TEXT PRIMARY KEY NOT NULL,
                account_id TEXT NOT NULL,
                stripe_customer_id TEXT NOT NULL,
                stripe_invoice_id TEXT NOT NULL,
                amount_cents INTEGER NOT NULL,
                currency TEXT NOT NULL,
                issued_at TEXT NOT NULL,
                retain_until TEXT
            );
            CREATE INDEX billing_records_account ON billing_records(account_id);
            CREATE TABLE application_logs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                account_id TEXT,
                level TEXT NOT NULL,
                message TEXT NOT NULL,
                logged_at TEXT NOT NULL
            );
            CREATE INDEX application_logs_account ON application_logs(account_id);
            CREATE INDEX application_logs_logged_at ON application_logs(logged_at);
            CREATE TABLE usage_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                kind TEXT NOT NULL,
                occurred_at TEXT NOT NULL
            );
            CREATE INDEX usage_events_account ON usage_events(account_id);
            CREATE TABLE usage_daily (
                day TEXT NOT NULL,
                kind TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (day, kind)
            );
            """)
    }

    /// v1's FTS5 index over contact names, emails and notes and message bodies (replaced in v8), kept in step with
    /// its sources by triggers. An entry's rowid is derived from its source row's rowid (contacts even,
    /// messages odd), so deleting a source deletes its entry by key, not by scanning the index.
    private static func createSearchIndex(_ db: Database) throws {
        try db.execute(sql: """
            CREATE VIRTUAL TABLE search_index USING fts5(account_id UNINDEXED, kind UNINDEXED, ref_id UNINDEXED, content);
            CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
                INSERT INTO search_index(rowid, account_id, kind, ref_id, content)
                VALUES (new.rowid * 2, new.account_id, 'contact', new.id,
                        new.name || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, email, notes ON contacts BEGIN
                DELETE FROM search_index WHERE rowid = old.rowid * 2;
                INSERT INTO search_index(rowid, account_id, kind, ref_id, content)
                VALUES (new.rowid * 2, new.account_id, 'contact', new.id,
                        new.name || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
                DELETE FROM search_index WHERE rowid = old.rowid * 2;
            END;
            CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
                INSERT INTO search_index(rowid, account_id, kind, ref_id, content)
                VALUES (new.rowid * 2 + 1, new.account_id, 'message', new.id, new.body);
            END;
            CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
                DELETE FROM search_index WHERE rowid = old.rowid * 2 + 1;
            END;
            """)
    }

    /// v8: the FTS5 index gives way to one ordinary row per contact and message (same rowids, same
    /// triggers), matched by `SearchPhrase`. FTS5 on SQLite 3.40 forgets a deleted entry's words only
    /// when a merge rewrites every segment holding them, so each cascade rewrote the whole index (I2)
    /// and its cost grew with the store; an ordinary row is gone, `secure_delete` zeroing its bytes,
    /// when its delete commits. Dropping the FTS5 tables zeroes their pages the same way.
    private static func replaceFullTextIndex(_ db: Database) throws {
        try db.execute(sql: """
            DROP TRIGGER contacts_search_insert;
            DROP TRIGGER contacts_search_update;
            DROP TRIGGER contacts_search_delete;
            DROP TRIGGER messages_search_insert;
            DROP TRIGGER messages_search_delete;
            DROP TABLE search_index;
            CREATE TABLE search_index (
                id INTEGER PRIMARY KEY,
                account_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                ref_id TEXT NOT NULL,
                content TEXT NOT NULL
            );
            CREATE INDEX search_index_account ON search_index(account_id);
            INSERT INTO search_index (id, account_id, kind, ref_id, content)
                SELECT rowid * 2, account_id, 'contact', id, name || ' ' || coalesce(email, '') || ' ' || coalesce(notes, '')
                FROM contacts;
            INSERT INTO search_index (id, account_id, kind, ref_id, content)
                SELECT rowid * 2 + 1, account_id, 'message', id, body FROM messages;
            """)
        try createSearchTriggers(db)
    }

    /// Keeps the search entries in step with their contacts and messages. An entry's id is derived
    /// from its source row's rowid (contacts even, messages odd), so deleting a source deletes its
    /// entry by key, not by scanning the entries.
    private static func createSearchTriggers(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
                INSERT INTO search_index (id, account_id, kind, ref_id, content)
                VALUES (new.rowid * 2, new.account_id, 'contact', new.id,
                        new.name || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, email, notes ON contacts BEGIN
                UPDATE search_index
                SET content = new.name || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.notes, '')
                WHERE id = old.rowid * 2;
            END;
            CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
                DELETE FROM search_index WHERE id = old.rowid * 2;
            END;
            CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
                INSERT INTO search_index (id, account_id, kind, ref_id, content)
                VALUES (new.rowid * 2 + 1, new.account_id, 'message', new.id, new.body);
            END;
            CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
                DELETE FROM search_index WHERE id = old.rowid * 2 + 1;
            END;
            """)
    }

    private static func createServiceTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE audit_trail (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                occurred_at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject_ref TEXT NOT NULL,
                details TEXT NOT NULL
            );
            CREATE TABLE deleted_records (
                account_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                record_id TEXT NOT NULL,
                deleted_at TEXT NOT NULL,
                PRIMARY KEY (account_id, kind, record_id)
            );
            """)
    }
}
