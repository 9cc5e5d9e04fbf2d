import ErasureDomain
import JSONRPC
import Synchronization

/// The reports `deletion.status` read last, under the store's commit count taken before their reads
/// began (`ErasureStore.commitCount`): while the count has not moved, nothing was written since, so a
/// report is still what the store would say, and the call is answered from memory where it was read.
/// What depends on the time (overdue) or on the backup folder is worked out anew for each answer; the
/// answer's JSON is kept beside its report and made again only when one of those two changed. A store
/// that cannot count its commits (PostgreSQL, shared by replicas) is read for every status.
final class StatusCache: Sendable {
    private struct Entry {
        var report: RequestReport
        /// The answer last made from `report`, and what it was made with.
        var answer: (overdue: Bool, backupsHoldingData: Int, json: RawJSON)?
    }

    private struct State {
        var commits: UInt64
        var entries: [String: Entry] = [:]
    }

    /// Reports kept at most: all are dropped at the next commit anyway.
    static let capacity = 10_000

    private let state = Mutex<State?>(nil)

    /// The report of `requestID` read at `commits`, if that is still the store's count.
    func report(_ requestID: String, at commits: UInt64) -> RequestReport? {
        state.withLock { state in state?.commits == commits ? state?.entries[requestID]?.report : nil }
    }

    /// Keeps `report`, read after the count was `commits`. A report read before a later count is not
    /// kept: it may miss what committed since.
    func keep(_ report: RequestReport, at commits: UInt64) {
        state.withLock { state in
            if state == nil || state!.commits < commits { state = State(commits: commits) }
            guard state!.commits == commits, state!.entries.count < Self.capacity else { return }
            state!.entries[report.request.id] = Entry(report: report)
        }
    }

    /// The answer for `report` (from memory, at `commits`): the one made before if its overdue flag and
    /// backup count are the same, else `make`'s, kept for the next call.
    func answer(for report: RequestReport, at commits: UInt64, make: (RequestReport) throws -> RawJSON) rethrows -> RawJSON {
        let id = report.request.id
        let made = state.withLock { state -> RawJSON? in
            guard state?.commits == commits, let answer = state?.entries[id]?.answer,
                answer.overdue == report.overdue, answer.backupsHoldingData == report.backupsHoldingData
            else { return nil }
            return answer.json
        }
        if let made { return made }
        let json = try make(report)
        state.withLock { state in
            guard state?.commits == commits, state?.entries[id] != nil else { return }
            state!.entries[id]!.answer = (report.overdue, report.backupsHoldingData, json)
        }
        return json
    }
}
