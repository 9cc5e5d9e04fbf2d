import ArgumentParser
import ErasureDomain
import ErasureService
import Foundation
import ISO8601Time

/// `deletiond requests overdue`: the requests past a deadline, for an operator to act on. An open request
/// past its 30 days (production), or an erased one past its 90 (backups): the same rule as
/// `deletion.list overdue=true` and the `deletion_requests_overdue` gauge. Reads the store; changes nothing.
struct Requests: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look at deletion requests from the operator's side.",
        subcommands: [Overdue.self]
    )

    struct Overdue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List requests past their deadline (30 days for production, 90 for backups), oldest deadline first.",
            discussion: "One tab-separated line per request: id, state, scope, the missed deadline, days past it, attempts, reason. Exit 0 with none, 1 with some."
        )

        @OptionGroup var store: StoreOptions

        @Flag(help: "One JSON object per line instead.")
        var json = false

        func run() async throws {
            let settings = try store.settings()
            let secrets = try StoreOptions.secrets(settings, allowGenerated: true)
            let environment = try DeletionEnvironment.from(secrets, clock: SystemClock(), devClock: nil)
            let now = environment.clock.now()
            let overdue = try await StoreOptions.withStore(settings) { opened in
                let reports = RequestReports(store: opened.erasureStore, environment: environment)
                var all: [RequestReport] = []
                var token: String?
                repeat {
                    let page = try await reports.list(state: nil, dueBefore: nil, overdue: true, pageSize: 100, pageToken: token)
                    all += page.reports
                    token = page.next
                } while token != nil
                return all
            }
            for report in overdue {
                let request = report.request
                let missed = request.state == .erased ? report.backupsDueBy : request.productionDueBy
                let days = Int(now.timeIntervalSince(missed) / 86_400)
                let fields: [(String, String)] = [
                    ("requestId", request.id), ("state", request.state.rawValue), ("scope", request.scope.rawValue),
                    ("deadline", request.state == .erased ? "backups" : "production"), ("dueBy", ISO8601Time.format(missed)),
                    ("daysOverdue", "\(days)"), ("attempts", "\(request.attempts)"), ("reason", request.reason ?? ""),
                ]
                if json {
                    let object = Dictionary(uniqueKeysWithValues: fields.map { ($0.0, $0.0 == "daysOverdue" || $0.0 == "attempts" ? Int($0.1) as Any : $0.1 as Any) })
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print(fields.map(\.1).joined(separator: "\t"))
                }
            }
            if !overdue.isEmpty { throw ExitCode(1) }
        }
    }
}
