import ErasureDomain
import Synchronization

/// The reports `deletion.status` read last, under the store's commit count taken before their reads
/// began (`ErasureStore.commitCount`): while the count has not moved, nothing was written since, so a
/// report is still what the store would say, and the call is answered from memory where it was read.
/// What depends on the time (overdue) or on the backup folder is worked out anew for each answer. A
/// store that cannot count its commits (PostgreSQL, shared by replicas) is read for every status.
final class StatusCache: Sendable {
    private struct State {
        var commits: UInt64
        var reports: [String: RequestReport] = [:]
    }

    /// Reports kept at most: all are dropped at the next commit anyway.
    static let capacity = 10_000

    private let state = Mutex<State?>(nil)

    /// The report of `requestID` read at `commits`, if that is still the store's count.
    func report(_ requestID: String, at commits: UInt64) -> RequestReport? {
        state.withLock { state in state?.commits == commits ? state?.reports[requestID] : nil }
    }

    /// Keeps `report`, read after the count was `commits`. A report read before a later count is not
    /// kept: it may miss what committed since.
    func keep(_ report: RequestReport, at commits: UInt64) {
        state.withLock { state in
            if state == nil || state!.commits < commits { state = State(commits: commits) }
            guard state!.commits == commits, state!.reports.count < Self.capacity else { return }
            state!.reports[report.request.id] = report
        }
    }
}
