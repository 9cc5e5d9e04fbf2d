public import ErasureDomain
public import Foundation

// The store as the service sees it: one protocol per aggregate, every call asynchronous, nothing of
// SQLite in a signature (no rowid, no file, no statement), so a PostgreSQL store can implement the same.
// `SQLiteErasureStore` implements them on GRDB.

/// The way in to the store. A use case that changes several aggregates runs in one `write` (a unit of
/// work): all of it commits or none of it does; any error, cancellation included, rolls it back.
public protocol ErasureStore: Sendable {
    /// One transaction; at most one runs at a time on SQLite. The body must not call `write` again.
    func write<T: Sendable>(_ body: @Sendable (any StoreTransaction) async throws -> T) async throws -> T
    /// Reads; each call sees the latest committed state (not one snapshot across calls).
    func read<T: Sendable>(_ body: @Sendable (any StoreTransaction) async throws -> T) async throws -> T

    /// Batched erasure, its progress and the residual scan (each batch its own transaction).
    var erasure: any ErasureRepository { get }
    /// Single-record cascades (contacts, leads, campaigns).
    var records: any RecordsRepository { get }
    /// The retention sweep of what the policy keeps only for a while (P8).
    var retention: any RetentionRepository { get }
    /// What backups copy.
    var snapshots: any SnapshotSource { get }
    /// Claims on scheduled work, shared by every process on the store.
    var leases: any LeaseRepository { get }
    /// Makes sure no erased value stays on disk in the store's own logs (on SQLite, truncates the WAL).
    func flushErasedData() async throws
    /// One small write that commits, or the fault that stopped it (the health probe).
    func probeWrite(at time: Date) async throws
    /// A number that moves with every transaction that ends on the store, read before a read begins: while
    /// it stays the same, what was read is still what the store holds. nil when the store cannot tell at
    /// the moment. On PostgreSQL, which other replicas write too, another replica's commit moves it once
    /// its notification has arrived (`PostgresChangeFeed`, `schemas/POSTGRES.md`).
    var commitCount: UInt64? { get }
}

/// The repositories of one unit of work.
public protocol StoreTransaction: Sendable {
    var accounts: any AccountsRepository { get }
    var requests: any RequestsRepository { get }
    var challenges: any ChallengesRepository { get }
    var outbox: any OutboxRepository { get }
    var ledger: any LedgerRepository { get }
    var audit: any AuditRepository { get }
    var integrations: any IntegrationsRepository { get }
    var sealed: any SealedValuesRepository { get }
    /// Rows erased so far per table for a request's erasure job.
    func progress(requestID: String) async throws -> [String: Int]
}

public protocol AccountsRepository: Sendable {
    func account(id: String) async throws -> AccountRecord?
    /// Looked up case-insensitively; the address is never logged.
    func account(email: String) async throws -> AccountRecord?
    /// The values that identify the holder of an account, per kind (read before an erasure), for the
    /// ledger and the residual scan.
    func identifiers(accountID: String) async throws -> [(kind: IdentifierKind, value: String)]
    /// Billing records kept for an erased account: how many, and until when the last one is kept.
    func retainedBilling(accountID: String) async throws -> (count: Int, until: Date?)
    /// Application log lines that still name the account, and the newest one's time.
    func retainedLogs(accountID: String) async throws -> (count: Int, newest: Date?)
    /// Every account id the store holds an account or an integration connection of (a restore's ledger
    /// replay looks the ledger's hashes up among them).
    func accountIDs() async throws -> [String]
}

/// Deletion requests.
public protocol RequestsRepository: Sendable {
    func request(id: String) async throws -> DeletionRequest?
    func request(confirmationCode: String) async throws -> DeletionRequest?
    func request(messageIdHash: String) async throws -> DeletionRequest?
    /// The request of this account and scope that is still under way (`RequestState.open`), if any.
    func openRequest(accountID: String, scope: Scope) async throws -> DeletionRequest?
    func save(_ request: DeletionRequest) async throws
    /// The account's other requests that have not started erasing (`RequestState.notStarted`).
    func requestsNotStarted(accountID: String, except requestID: String) async throws -> [DeletionRequest]
    /// Requests the executor should run now: scheduled or failed ones whose (re)start time has come, and
    /// any left erasing (a crash), oldest deadline first.
    func runnableRequests(now: Date, limit: Int) async throws -> [DeletionRequest]
    /// Unverified requests past their verification window.
    func unverifiedRequests(expiringBy now: Date) async throws -> [DeletionRequest]
    /// One page in (productionDueBy, id) order after `cursor`.
    func requests(_ filter: RequestFilter, after cursor: (due: Date, id: String)?, limit: Int) async throws -> [DeletionRequest]
    /// How many requests there are in each state, and how many are overdue as of `now` (production work
    /// past its deadline, or backups past `backupsCutoff`): for the service's gauges.
    func census(now: Date, backupsCutoff: Date) async throws -> (byState: [RequestState: Int], overdue: Int)
    /// Erased requests with no final confirmation queued and no job of `jobKinds` of their own left.
    func erasedAwaitingConfirmation(jobKinds: [OutboxKind]) async throws -> [DeletionRequest]
}

/// What `deletion.list` filters on.
public struct RequestFilter: Sendable {
    public var state: RequestState?
    public var dueBefore: Date?
    /// Overdue or not as of `now`: production work past its deadline, or backups past `backupsCutoff`.
    public var overdue: (Bool, now: Date, backupsCutoff: Date)?

    public init(state: RequestState? = nil, dueBefore: Date? = nil, overdue: (Bool, now: Date, backupsCutoff: Date)? = nil) {
        self.state = state
        self.dueBefore = dueBefore
        self.overdue = overdue
    }
}

/// Identity codes (stored as digests).
public protocol ChallengesRepository: Sendable {
    /// The request's codes, newest first.
    func challenges(requestID: String) async throws -> [ChallengeRecord]
    /// Inserts or updates; returns the record with its id.
    func save(_ challenge: ChallengeRecord) async throws -> ChallengeRecord
    func deleteChallenges(requestID: String) async throws
    /// Deletes codes issued before `cutoff`; returns how many.
    func deleteChallenges(issuedBefore cutoff: Date) async throws -> Int
}

/// The transactional outbox.
public protocol OutboxRepository: Sendable {
    func enqueue(_ message: OutboxRecord) async throws
    /// Leases up to `limit` messages that are not leased (or whose lease ran out) and wait for no other
    /// message, until `leaseUntil`.
    func claim(kinds: [OutboxKind]?, limit: Int, now: Date, leaseUntil: Date) async throws -> [OutboxRecord]
    func messages(ids: [String]) async throws -> [OutboxRecord]
    func messages(requestID: String) async throws -> [OutboxRecord]
    /// Messages of `kinds` created before `cutoff`.
    func messages(kinds: [OutboxKind], createdBefore cutoff: Date) async throws -> [OutboxRecord]
    @discardableResult func delete(ids: [String]) async throws -> Int
    /// Hands messages out again after `until`.
    func postpone(ids: [String], until: Date) async throws
    /// How many messages of `kinds` the request still has.
    func count(requestID: String, kinds: [OutboxKind]) async throws -> Int
    /// Messages waiting, by kind (claimed or not): for the service's gauges.
    func depth() async throws -> [OutboxKind: Int]
}

/// The erasure ledger: hashes of erased (and disconnected) subjects, replayed after every restore (I1).
public protocol LedgerRepository: Sendable {
    /// Records an entry; the same identifier in the same scope keeps the later time.
    func record(_ entry: LedgerEntry) async throws
    func entries() async throws -> [LedgerEntry]
    func entries(identifierHash: String) async throws -> [LedgerEntry]
    func entries(requestID: String) async throws -> [LedgerEntry]
    /// The newest time an identifier was erased in `scope` or with a whole account.
    func lastErasure(identifierHash: String, scope: Scope) async throws -> Date?
}

/// The audit trail: ids, counts and `AuditAction`s, never personal data.
public protocol AuditRepository: Sendable {
    /// `subject` names what the entry is about: `request:<id>`, `account:<id>`, `backup:<id>`, `outbox:<id>`.
    func append(at time: Date, actor: String, action: AuditAction, subject: String, details: [String: any Sendable]) async throws
}

extension AuditRepository {
    public func append(at time: Date, actor: String, action: AuditAction, requestID: String, details: [String: any Sendable] = [:]) async throws {
        try await append(at: time, actor: actor, action: action, subject: "request:\(requestID)", details: details)
    }

    public func append(at time: Date, actor: String, action: AuditAction, subject: String) async throws {
        try await append(at: time, actor: actor, action: action, subject: subject, details: [:])
    }
}

/// Instagram and Google Calendar connections as the service changes them, and the one write path of
/// ingested events.
public protocol IntegrationsRepository: Sendable {
    func instagramConnection(accountID: String) async throws -> InstagramConnectionRecord?
    func instagramConnection(igUserID: String) async throws -> InstagramConnectionRecord?
    /// Deletes the sealed token, stops polling and marks the webhook removed (P6); saved data stays.
    /// Returns the rows changed; `onlyIfConnected` leaves an already disconnected connection as it is.
    @discardableResult func disconnectInstagram(accountID: String, at time: Date, onlyIfConnected: Bool) async throws -> Int
    func calendarConnection(accountID: String) async throws -> CalendarConnectionRecord?
    /// Deletes the calendar connection (tokens, push channel, sync state) and cached events; rows per table.
    func deleteCalendarData(accountID: String) async throws -> [String: Int]
    /// Stores a DM (creating its thread on first sight); false when already stored.
    func storeInstagramMessage(accountID: String, id: String, igThreadID: String, from: String, body: String, sentAt: Date) async throws -> Bool
    func storeInstagramComment(accountID: String, id: String, mediaID: String, username: String, body: String, createdAt: Date) async throws -> Bool
    /// Stores or updates a post's analytics; false when the same figures are already stored.
    func storePostAnalytics(accountID: String, id: String, mediaID: String, day: String, impressions: Int, reach: Int, likes: Int) async throws -> Bool
}

/// Every value sealed with the token cipher (integration tokens, requesters' addresses, subjects' values,
/// outbox recipients and bodies), by the id of the key that sealed it: what a key rotation re-seals, and
/// what says whether an old key is still in use.
public protocol SealedValuesRepository: Sendable {
    /// How many sealed values name each key id.
    func keyUsage() async throws -> [String: Int]
    /// Up to `limit` values sealed with a key other than `keyID`.
    func sealed(notWith keyID: String, limit: Int) async throws -> [SealedValue]
    /// Puts `resealed` in place of `value` if the row still holds what was read (false: it changed or went
    /// meanwhile, and is left as it is).
    func replace(_ value: SealedValue, with resealed: SealedValue.Content) async throws -> Bool
}

/// One sealed value where it is stored.
public struct SealedValue: Sendable, Equatable {
    public enum Column: String, Sendable, CaseIterable {
        case requesterEmail, subjectValues, outboxRecipient, outboxPayload, instagramToken, calendarTokens
    }

    public enum Content: Sendable, Equatable {
        /// A `TokenCipher.sealText` value: `<key id>:<base64>`.
        case text(String)
        /// Token ciphertexts beside one key-id column (the calendar's access and refresh token share one).
        case tokens([Data?], keyID: String)
    }

    public let column: Column
    /// The row's key: the request, message or account id.
    public let rowID: String
    public let content: Content

    public init(column: Column, rowID: String, content: Content) {
        self.column = column
        self.rowID = rowID
        self.content = content
    }
}

extension SealedValue.Column {
    /// Where the column is, by the same names in either store: its table, the row's key, the sealed
    /// column(s) (token columns share the table's `token_key_id`).
    public var place: (table: String, rowKey: String, columns: [String]) {
        switch self {
        case .requesterEmail: ("deletion_requests", "id", ["requester_email_sealed"])
        case .subjectValues: ("deletion_requests", "id", ["subject_values_sealed"])
        case .outboxRecipient: ("outbox", "id", ["recipient_sealed"])
        case .outboxPayload: ("outbox", "id", ["payload_sealed"])
        case .instagramToken: ("instagram_connections", "account_id", ["token_ciphertext"])
        case .calendarTokens: ("calendar_connections", "account_id", ["access_token_ciphertext", "refresh_token_ciphertext"])
        }
    }

    /// Ciphertext bytes with a key-id column, not `<key id>:<base64>` text.
    public var isToken: Bool { self == .instagramToken || self == .calendarTokens }

    /// As SQL: the key id of a row, and the condition that the row holds a sealed value. `textKeyID` is
    /// the store's expression for the part of a text column before its first `:`.
    public func keyIDAndPresence(textKeyID: (_ column: String) -> String) -> (keyID: String, present: String) {
        if isToken { return ("token_key_id", "(" + place.columns.map { "\($0) IS NOT NULL" }.joined(separator: " OR ") + ")") }
        let name = place.columns[0]
        return (textKeyID(name), "\(name) IS NOT NULL")
    }
}

/// Erasure of a scope in batches, each its own transaction with its progress (I4), and the proof.
public protocol ErasureRepository: Sendable {
    /// Runs or resumes job `jobID`; returns rows erased per table over every run of the job.
    @discardableResult
    /// Each batch's transaction also appends its audit entry (`erasure_batch`, the table and the rows) by
    /// `auditActor` when given: a batch is audited exactly when it commits, whoever runs it.
    func erase(
        jobID: String, accountID: String, scope: Scope, batchSize: Int, auditActor: String?,
        afterBatch: @Sendable (_ table: String, _ rows: Int) async throws -> Void
    ) async throws -> [String: Int]
    /// Every table of `scope`: rows still tied to the account, rows whose identifying value hashes to
    /// one of `subjectHashes` (`hash` must be the function that made them).
    func residualScan(
        accountID: String, scope: Scope, subjectHashes: Set<String>, hash: @escaping @Sendable (IdentifierKind, String) -> String
    ) async throws -> [ResidualScan.TableResult]
    /// How often each value occurs in the store's files, or nil where the store cannot tell (a server
    /// database): the proof then says the byte scan did not run.
    func byteScan(for values: [String]) async throws -> [String: Int]?
}

/// Named claims on work that one process does at a time (an erasure run, the retention sweep, a backup).
/// A claim lasts until its expiry and is renewed while the work goes on; a process that dies loses its
/// claims when they run out, and another takes the work over. Each call is its own transaction.
public protocol LeaseRepository: Sendable {
    /// Takes `name` for `holder` until `until`, or renews it: true when it is `holder`'s now (it was free,
    /// had run out as of `now`, or was `holder`'s already), false while another holds it.
    func acquire(_ name: String, holder: String, now: Date, until: Date) async throws -> Bool
    /// Gives `name` up, if `holder` holds it.
    func release(_ name: String, holder: String) async throws
}

/// A consistent copy of the whole store, for backups.
public protocol SnapshotSource: Sendable {
    /// The engine whose format the copy is in (an SQLite file, or a `pg_dump` archive).
    var engine: TableClassification.Engine { get }
    /// Writes the copy into the file at `path`, which exists, is empty and is private to this process.
    func writeSnapshot(toFile path: String) async throws
    /// Where `backups.restore` with target `name` goes on this store's engine: a new file `name` in
    /// `folder` (SQLite), or a new database `<store's database>.<name>` on the same server (PostgreSQL, whose
    /// scratch file goes in `folder`). Throws `InvalidRestoreName` for a name the engine cannot take.
    func restoreTarget(named name: String, in folder: URL) throws -> any RestoreTarget
}

/// What the policy keeps only for a while (P8).
public protocol RetentionRepository: Sendable {
    /// Logs past their period, billing past its `retain_until`, as of `now`; rows deleted per table.
    func sweep(now: Date) async throws -> [String: Int]
}

public protocol ContactsRepository: Sendable {
    func contact(accountID: String, id: String) async throws -> ContactRecord?
    func contacts(accountID: String, limit: Int) async throws -> [ContactRecord]
    /// Full-text search over the account's contacts and messages: the ids of matching records.
    func search(accountID: String, query: String, limit: Int) async throws -> [SearchHit]
}

public protocol LeadsRepository: Sendable {
    func lead(accountID: String, id: String) async throws -> LeadRecord?
}

public protocol CampaignsRepository: Sendable {
    func campaign(accountID: String, id: String) async throws -> CampaignRecord?
}

public struct SearchHit: Sendable, Equatable {
    public let kind: String
    public let id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }
}
