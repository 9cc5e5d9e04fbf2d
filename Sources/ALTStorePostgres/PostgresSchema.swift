/// ALT's schema on PostgreSQL: the same tables and columns as on SQLite (`ALTStore/Schema/Migrations.swift`),
/// in PostgreSQL's own types — times are `timestamptz`, flags `boolean`, counters `bigint`, sealed tokens
/// `bytea` — and the search index as full-text search (`tsvector` with a GIN index) kept in step by the
/// repositories, not by triggers. Versions are applied in order, each in one transaction, and recorded in
/// `schema_migrations`; a version never changes once shipped.
enum PostgresSchema {
    struct Version: Sendable {
        let number: Int
        let name: String
        let statements: [String]
    }

    static let versions: [Version] = [
        Version(number: 1, name: "ALT data model, deletion requests, outbox, ledger, audit", statements: accounts + records + integrations + retained + search + service),
        Version(number: 2, name: "every table announces its changes to the replicas", statements: changeNotifications),
    ]

    /// Every table announces each transaction that changes it on the channel `alt_changes`
    /// (`PostgresChangeFeed`): PostgreSQL sends the notification when the transaction commits, once
    /// however many statements fired it. A table added by a later version needs the same trigger
    /// (`PostgresChangeFeedTests` checks every table has it).
    private static let changeNotifications = [
        """
        CREATE FUNCTION alt_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('alt_changes', '');
            RETURN NULL;
        END
        $$
        """,
        """
        DO $$
        DECLARE name text;
        BEGIN
            FOR name IN
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'
            LOOP
                EXECUTE format(
                    'CREATE TRIGGER alt_announce_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                    'FOR EACH STATEMENT EXECUTE FUNCTION alt_announce_change()', name
                );
            END LOOP;
        END
        $$
        """,
    ]

    private static let accounts = [
        """
        CREATE TABLE accounts (
            id text PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL, password_hash text NOT NULL,
            created_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE sessions (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), token_hash text NOT NULL, user_agent text,
            created_at timestamptz NOT NULL, expires_at timestamptz NOT NULL
        )
        """,
        // The intake looks addresses up case-insensitively.
        "CREATE INDEX accounts_email_lower ON accounts (lower(email))",
        "CREATE INDEX sessions_account ON sessions(account_id)",
        """
        CREATE TABLE profiles (
            account_id text PRIMARY KEY REFERENCES accounts(id), phone text, brokerage text, license_number text, bio text
        )
        """,
    ]

    private static let records = [
        """
        CREATE TABLE contacts (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), name text NOT NULL, email text, phone text,
            notes text, created_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX contacts_account ON contacts(account_id)",
        """
        CREATE TABLE leads (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), contact_id text NOT NULL REFERENCES contacts(id),
            status text NOT NULL, source text NOT NULL, property_address text, created_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX leads_account ON leads(account_id)",
        "CREATE INDEX leads_contact ON leads(contact_id)",
        """
        CREATE TABLE lead_scores (
            lead_id text PRIMARY KEY REFERENCES leads(id), account_id text NOT NULL REFERENCES accounts(id), score bigint NOT NULL,
            computed_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX lead_scores_account ON lead_scores(account_id)",
        """
        CREATE TABLE messages (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), contact_id text NOT NULL REFERENCES contacts(id),
            lead_id text REFERENCES leads(id), channel text NOT NULL, body text NOT NULL, sent_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX messages_account ON messages(account_id)",
        "CREATE INDEX messages_contact ON messages(contact_id)",
        "CREATE INDEX messages_lead ON messages(lead_id)",
        """
        CREATE TABLE campaigns (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), name text NOT NULL, subject text NOT NULL,
            body text NOT NULL, created_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX campaigns_account ON campaigns(account_id)",
        """
        CREATE TABLE campaign_recipients (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), campaign_id text NOT NULL REFERENCES campaigns(id),
            contact_id text NOT NULL REFERENCES contacts(id), status text NOT NULL
        )
        """,
        "CREATE INDEX campaign_recipients_account ON campaign_recipients(account_id)",
        "CREATE INDEX campaign_recipients_campaign ON campaign_recipients(campaign_id)",
        "CREATE INDEX campaign_recipients_contact ON campaign_recipients(contact_id)",
        """
        CREATE TABLE campaign_events (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), campaign_id text NOT NULL REFERENCES campaigns(id),
            recipient_id text NOT NULL REFERENCES campaign_recipients(id), kind text NOT NULL, occurred_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX campaign_events_account ON campaign_events(account_id)",
        "CREATE INDEX campaign_events_campaign ON campaign_events(campaign_id)",
        "CREATE INDEX campaign_events_recipient ON campaign_events(recipient_id)",
    ]

    private static let integrations = [
        """
        CREATE TABLE instagram_connections (
            account_id text PRIMARY KEY REFERENCES accounts(id), ig_user_id text NOT NULL, token_ciphertext bytea, token_key_id text,
            polling_enabled boolean NOT NULL, webhook_subscribed boolean NOT NULL, connected_at timestamptz NOT NULL,
            disconnected_at timestamptz
        )
        """,
        "CREATE INDEX instagram_connections_ig_user ON instagram_connections(ig_user_id)",
        """
        CREATE TABLE instagram_threads (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), ig_thread_id text NOT NULL,
            participant_username text NOT NULL
        )
        """,
        "CREATE INDEX instagram_threads_account ON instagram_threads(account_id)",
        """
        CREATE TABLE instagram_messages (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), thread_id text NOT NULL REFERENCES instagram_threads(id),
            from_username text NOT NULL, body text NOT NULL, sent_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX instagram_messages_account ON instagram_messages(account_id)",
        "CREATE INDEX instagram_messages_thread ON instagram_messages(thread_id)",
        """
        CREATE TABLE instagram_comments (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), ig_media_id text NOT NULL, username text NOT NULL,
            body text NOT NULL, created_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX instagram_comments_account ON instagram_comments(account_id)",
        """
        CREATE TABLE instagram_post_analytics (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), ig_media_id text NOT NULL, day text NOT NULL,
            impressions bigint NOT NULL, reach bigint NOT NULL, likes bigint NOT NULL
        )
        """,
        "CREATE INDEX instagram_post_analytics_account ON instagram_post_analytics(account_id)",
        """
        CREATE TABLE calendar_connections (
            account_id text PRIMARY KEY REFERENCES accounts(id), google_email text NOT NULL, access_token_ciphertext bytea,
            refresh_token_ciphertext bytea, token_key_id text, push_channel_id text, sync_token text, connected_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE calendar_events (
            id text PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), google_event_id text NOT NULL, summary text NOT NULL,
            attendee_emails text, starts_at timestamptz NOT NULL, ends_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX calendar_events_account ON calendar_events(account_id)",
    ]

    /// Billing and logs outlive the account (P8): their account id is a plain column, not a foreign key.
    private static let retained = [
        """
        CREATE TABLE billing_records (
            id text PRIMARY KEY, account_id text NOT NULL, stripe_customer_id text NOT NULL, stripe_invoice_id text NOT NULL,
            amount_cents bigint NOT NULL, currency text NOT NULL, issued_at timestamptz NOT NULL, retain_until timestamptz
        )
        """,
        "CREATE INDEX billing_records_account ON billing_records(account_id)",
        """
        CREATE TABLE application_logs (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id text, level text NOT NULL, message text NOT NULL,
            logged_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX application_logs_account ON application_logs(account_id)",
        "CREATE INDEX application_logs_logged_at ON application_logs(logged_at)",
        """
        CREATE TABLE usage_events (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id text NOT NULL REFERENCES accounts(id), kind text NOT NULL,
            occurred_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX usage_events_account ON usage_events(account_id)",
        "CREATE TABLE usage_daily (day text NOT NULL, kind text NOT NULL, count bigint NOT NULL, PRIMARY KEY (day, kind))",
    ]

    /// Full-text search over contact names, emails and notes and message bodies: one entry per source
    /// row (`kind`, `ref_id`), its `document` computed by PostgreSQL; deleting the entry deletes its terms.
    private static let search = [
        """
        CREATE TABLE search_index (
            account_id text NOT NULL, kind text NOT NULL, ref_id text NOT NULL, content text NOT NULL,
            document tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED,
            PRIMARY KEY (kind, ref_id)
        )
        """,
        "CREATE INDEX search_index_account ON search_index(account_id)",
        "CREATE INDEX search_index_document ON search_index USING gin (document)",
    ]

    /// The service's own tables. None references `accounts`: a request, its ledger entries and its audit
    /// outlive the account they erased, holding only ids and hashes (I5).
    private static let service = [
        """
        CREATE TABLE audit_trail (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, occurred_at timestamptz NOT NULL, actor text NOT NULL,
            action text NOT NULL, subject_ref text NOT NULL, details text NOT NULL
        )
        """,
        """
        CREATE TABLE deleted_records (
            account_id text NOT NULL, kind text NOT NULL, record_id text NOT NULL, deleted_at timestamptz NOT NULL,
            PRIMARY KEY (account_id, kind, record_id)
        )
        """,
        """
        CREATE TABLE erasure_progress (
            job_id text NOT NULL, table_name text NOT NULL, rows_erased bigint NOT NULL, PRIMARY KEY (job_id, table_name)
        )
        """,
        """
        CREATE TABLE deletion_requests (
            id text PRIMARY KEY, confirmation_code text NOT NULL UNIQUE, scope text NOT NULL, channel text NOT NULL,
            state text NOT NULL, account_id text, subject_hash text NOT NULL, requester_email_sealed text,
            subject_values_sealed text, message_id_hash text UNIQUE, actor text NOT NULL, received_at timestamptz NOT NULL,
            production_due_by timestamptz NOT NULL, verification_expires_at timestamptz NOT NULL, verified_at timestamptz,
            erasure_starts_at timestamptz, erasing_at timestamptz, erased_at timestamptz, completed_at timestamptz,
            ended_at timestamptz, reason text, attempts bigint NOT NULL DEFAULT 0, forgotten boolean NOT NULL DEFAULT false,
            provider_failures jsonb
        )
        """,
        "CREATE INDEX deletion_requests_state ON deletion_requests(state, erasure_starts_at)",
        "CREATE INDEX deletion_requests_account ON deletion_requests(account_id)",
        "CREATE INDEX deletion_requests_due ON deletion_requests(production_due_by, id)",
        """
        CREATE TABLE identity_challenges (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, request_id text NOT NULL REFERENCES deletion_requests(id),
            digest bytea NOT NULL, issued_at timestamptz NOT NULL, attempts bigint NOT NULL DEFAULT 0,
            burned boolean NOT NULL DEFAULT false
        )
        """,
        "CREATE INDEX identity_challenges_request ON identity_challenges(request_id, issued_at)",
        """
        CREATE TABLE erasure_ledger (
            identifier_hash text NOT NULL, kind text NOT NULL, scope text NOT NULL, request_id text NOT NULL,
            erased_at timestamptz NOT NULL, PRIMARY KEY (identifier_hash, scope)
        )
        """,
        """
        CREATE TABLE outbox (
            id text PRIMARY KEY, kind text NOT NULL, request_id text, recipient_sealed text, payload_sealed text NOT NULL,
            created_at timestamptz NOT NULL, lease_expires_at timestamptz, deliveries bigint NOT NULL DEFAULT 0, depends_on text
        )
        """,
        "CREATE INDEX outbox_request ON outbox(request_id)",
        "CREATE TABLE store_probe (id integer PRIMARY KEY CHECK (id = 1), probed_at timestamptz NOT NULL)",
        "CREATE TABLE work_leases (name text PRIMARY KEY, holder text NOT NULL, expires_at timestamptz NOT NULL)",
    ]
}
