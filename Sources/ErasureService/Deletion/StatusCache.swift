import ErasureDomain
import JSONRPC
import Synchronization

/// The reports `deletion.status` read last, under the store's commit count taken before their reads
/// began (`ErasureStore.commitCount`): while the count has not moved, nothing was written since, so a
/// report is still what the store would say, and the call is answered from memory where it was read.
/// What depends on the time (overdue) or on the backup folder is worked out anew for each answer; the
/// answer's JSON is kept beside its report and made again only when one of those two changed. While the
/// store cannot vouch for its count (PostgreSQL before its change feed listens, or after it lost its
/// connection), every status is read from the store.
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

    /// A read of one request's report at one commit count, and the calls waiting for it.
    private struct Flight: Hashable {
        let requestID: String
        let commits: UInt64
    }

    private enum Turn {
        case read
        case readAlone
        case done(RequestReport)
    }

    /// Reports kept at most: all are dropped at the next commit anyway.
    static let capacity = 10_000

    private let state = Mutex<State?>(nil)
    private let flights = Mutex<[Flight: [CheckedContinuation<Turn, Never>]]>([:])

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

    /// `read`'s report of `requestID`, kept at `commits`: when calls miss together (after each commit of
    /// an erasure, the 50 calls in flight), one reads and the others wait for its report instead of each
    /// reading the store. If that read fails, each waiting call reads for itself.
    func coalescing(_ requestID: String, at commits: UInt64, read: () async throws -> RequestReport) async throws -> RequestReport {
        let flight = Flight(requestID: requestID, commits: commits)
        switch await turn(in: flight) {
        case .done(let report):
            return report
        case .readAlone:
            return try await read()
        case .read:
            let report: RequestReport
            do {
                report = try await read()
            } catch {
                land(flight, with: nil)
                throw error
            }
            keep(report, at: commits)
            land(flight, with: report)
            return report
        }
    }

    /// The first call of a flight reads; the others wait for its report (or, if it failed, read alone).
    private func turn(in flight: Flight) async -> Turn {
        await withCheckedContinuation { continuation in
            let first = flights.withLock { flights -> Bool in
                guard flights[flight] != nil else {
                    flights[flight] = []
                    return true
                }
                flights[flight]!.append(continuation)
                return false
            }
            if first { continuation.resume(returning: .read) }
        }
    }

    /// How many calls wait for the read of `requestID` at `commits` (for tests).
    func waiting(_ requestID: String, at commits: UInt64) -> Int {
        flights.withLock { $0[Flight(requestID: requestID, commits: commits)]?.count ?? 0 }
    }

    private func land(_ flight: Flight, with report: RequestReport?) {
        let waiting = flights.withLock { $0.removeValue(forKey: flight) ?? [] }
        for continuation in waiting { continuation.resume(returning: report.map(Turn.done) ?? .readAlone) }
    }
}
