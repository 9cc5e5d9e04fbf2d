import ALTBackups
import ALTStore
public import ErasureDomain
public import Foundation
import JSONRPC
import ISO8601Time

/// A request as `deletion.status` reports it (P4): the record, rows erased so far, and what is kept.
public struct RequestReport: Sendable {
    public struct Kept: Sendable {
        public let category: String
        public let reason: String
        public let rows: Int?
        public let until: Date?
    }

    public let request: DeletionRequest
    public let erased: [String: Int]
    public let kept: [Kept]
    /// 90 days after the request was received (P4).
    public let backupsDueBy: Date
    public internal(set) var overdue: Bool
    /// Backups that may still hold the subject's data: those taken before the erasure (all of them
    /// while it has not happened).
    public var backupsHoldingData = 0
    /// The request's provider jobs still in the outbox, and those that failed for good or expired.
    public let providerJobsPending: Int
    public let providerFailures: [ProviderFailure]
}

extension RequestReports {
    public func status(requestID: String) async throws -> RequestReport {
        let now = self.now
        let policy = environment.policy
        let read = { try await store.read { tx in try await Self.report(tx, try await DeletionRequests.request(tx, requestID), now: now, policy: policy) } }
        guard let commits = store.commitCount else { return try withBackups(try await read()) }
        if let report = fromMemory(requestID, at: commits) { return report }
        return try withBackups(try await cache.coalescing(requestID, at: commits, read: read))
    }

    /// The status of `requestID` from memory, when nothing was written since it was last read (`StatusCache`);
    /// nil when the store must be read. Never waits: `deletion.status` asks it where the call was read.
    public func statusFromMemory(requestID: String) -> RequestReport? {
        guard let commits = store.commitCount else { return nil }
        return fromMemory(requestID, at: commits)
    }

    /// `statusFromMemory` as the JSON `encode` makes of it, made again only when the report's overdue
    /// flag or backup count changed since the last answer.
    func statusFromMemory(requestID: String, encode: (RequestReport) throws -> RawJSON) -> RawJSON? {
        guard let commits = store.commitCount, let report = fromMemory(requestID, at: commits) else { return nil }
        // A failure here is not swallowed: nil sends the call down the store path, which reports it.
        return try? cache.answer(for: report, at: commits, make: encode)
    }

    private func fromMemory(_ requestID: String, at commits: UInt64) -> RequestReport? {
        guard var report = cache.report(requestID, at: commits) else { return nil }
        report.overdue = Self.isOverdue(report.request, backupsDueBy: report.backupsDueBy, now: now)
        // An unreadable backup folder: nil, and the store path (`status`) throws the error to the caller.
        return try? withBackups(report)
    }

    static func isOverdue(_ request: DeletionRequest, backupsDueBy: Date, now: Date) -> Bool {
        RequestState.open.contains(request.state) ? now > request.productionDueBy : request.state == .erased && now > backupsDueBy
    }

    /// Backups taken before `date` that still exist: they may hold an erased subject's data. Times are
    /// kept to the second, so a backup of the same second counts as older (the safe side).
    func backups(takenBefore date: Date) throws -> Int {
        try environment.backupFolder?.list().filter { $0.createdAt <= date }.count ?? 0
    }

    func withBackups(_ report: RequestReport) throws -> RequestReport {
        guard environment.backupFolder != nil, report.request.state != .completed else { return report }
        var report = report
        report.backupsHoldingData = try backups(takenBefore: report.request.erasedAt ?? .distantFuture)
        return report
    }

    /// The status page's lookup. An unknown code costs what a known one in erasure or erased does (the
    /// state a request spends most of its life in): every read runs for a stand-in account request that
    /// matches no row, the backup listing included, and the answer says it was not found. The page of the
    /// stand-in is rendered too (and dropped) by the status page, so the time of a 404 does not say that
    /// the code is unknown.
    public func lookup(confirmationCode: String) async throws -> (report: RequestReport, found: Bool) {
        let now = self.now
        let policy = environment.policy
        let found = try await store.read { tx in
            let request = try await tx.requests.request(confirmationCode: confirmationCode)
            let report = try await Self.report(tx, request ?? Self.standIn(confirmationCode, now: now, policy: policy), now: now, policy: policy)
            return (report, request != nil)
        }
        return (try withBackups(found.0), found.1)
    }

    /// `lookup`, with an unknown code refused (`confirmationCodeNotFound`).
    public func status(confirmationCode: String) async throws -> RequestReport {
        let (report, found) = try await lookup(confirmationCode: confirmationCode)
        guard found else { throw DeletionError.confirmationCodeNotFound }
        return report
    }

    /// An account request in erasure with no id and no account: every read of `report` runs for it and finds nothing.
    static func standIn(_ confirmationCode: String, now: Date, policy: ErasurePolicy) -> DeletionRequest {
        let intake = DeletionRequest.Intake(
            id: "", confirmationCode: confirmationCode, scope: .account, channel: .support, accountID: "", subjectHash: "",
            requesterEmailSealed: nil, messageIdHash: nil, actor: "status-page"
        )
        var (request, _) = DeletionRequest.receive(intake, at: now, policy: policy)
        request.state = .erasing
        request.erasingAt = now
        return request
    }

    /// One page, in (productionDueBy, id) order. The page token is that pair for the last row, so pages
    /// stay stable while requests are added or change state.
    public func list(state: RequestState?, dueBefore: Date?, overdue: Bool?, pageSize: Int, pageToken: String?) async throws -> (reports: [RequestReport], next: String?) {
        guard (1...100).contains(pageSize) else { throw DeletionError.invalidArgument(param: "pageSize", message: "must be 1…100") }
        let cursor = try pageToken.map { token -> (due: Date, id: String) in
            guard let cursor = PageToken.decode(token) else { throw DeletionError.invalidArgument(param: "pageToken", message: "not a token this server issued") }
            return cursor
        }
        let now = self.now
        let policy = environment.policy
        let page = try await store.read { tx in
            let filter = RequestFilter(state: state, dueBefore: dueBefore, overdue: overdue.map { ($0, now, now - policy.backupWindow) })
            let page = try await tx.requests.requests(filter, after: cursor, limit: pageSize + 1)
            var reports: [RequestReport] = []
            for request in page.prefix(pageSize) { reports.append(try await Self.report(tx, request, now: now, policy: policy)) }
            let next = page.count > pageSize ? page[pageSize - 1] : nil
            return (reports, next.map { PageToken.encode(due: $0.productionDueBy, id: $0.id) })
        }
        return (try page.0.map(withBackups), page.1)
    }

    static func report(_ tx: any StoreTransaction, _ request: DeletionRequest, now: Date, policy: ErasurePolicy) async throws -> RequestReport {
        let state = request.state
        let backupsDueBy = policy.backupsDue(receivedAt: request.receivedAt)
        let overdue = isOverdue(request, backupsDueBy: backupsDueBy, now: now)
        // Provider jobs exist only once an erasure has started.
        let hasJobs = request.erasingAt != nil && state != .completed
        return RequestReport(
            request: request, erased: try await tx.progress(requestID: request.id), kept: try await kept(tx, request, state: state),
            backupsDueBy: backupsDueBy, overdue: overdue,
            providerJobsPending: hasJobs ? try await tx.outbox.count(requestID: request.id, kinds: OutboxKind.providerJobs) : 0,
            providerFailures: request.providerFailures ?? []
        )
    }

    /// What the policy keeps for this request (P8), from the table classification.
    static func kept(_ tx: any StoreTransaction, _ request: DeletionRequest, state: RequestState) async throws -> [RequestReport.Kept] {
        guard request.scope == .account else {
            return [.init(category: "rest_of_account", reason: "outside the scope of a \(request.scope.rawValue) request: the account and its other data stay", rows: nil, until: nil)]
        }
        guard let accountID = request.accountId, [.erasing, .erased, .completed, .failed].contains(state) else { return [] }
        var kept: [RequestReport.Kept] = []
        if case .retain(let reason, _, _)? = TableClassification.named("billing_records")?.category {
            let billing = try await tx.accounts.retainedBilling(accountID: accountID)
            kept.append(.init(category: "billing_records", reason: reason, rows: billing.count, until: billing.until))
        }
        if case .retain(let reason, _, let days?)? = TableClassification.named("application_logs")?.category {
            let logs = try await tx.accounts.retainedLogs(accountID: accountID)
            kept.append(.init(category: "application_logs", reason: reason, rows: logs.count, until: logs.newest.map { $0 + TimeInterval(days) * 86_400 }))
        }
        kept.append(.init(category: "usage_daily", reason: "aggregate, non-identifying usage counts (per-user events folded in, then erased)", rows: nil, until: nil))
        return kept
    }
}

/// The opaque cursor of `deletion.list`: base64url of `<productionDueBy>|<id>`.
enum PageToken {
    static func encode(due: Date, id: String) -> String {
        Data("\(ISO8601Time.format(due))|\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ token: String) -> (due: Date, id: String)? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let bar = text.firstIndex(of: "|"), let due = ISO8601Time.parse(String(text[..<bar]))
        else { return nil }
        return (due, String(text[text.index(after: bar)...]))
    }
}
