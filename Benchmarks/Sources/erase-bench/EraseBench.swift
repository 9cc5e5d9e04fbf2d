import ALTStore
import Foundation
import Synchronization

/// erase-bench DB ACCOUNT [BATCH] — erases ACCOUNT from the store at DB with `Eraser` (account plan,
/// batches of at most BATCH rows, default 5,000, sized to 50 ms write transactions) and prints rows,
/// seconds, batches, the longest batch's milliseconds and the 99th percentile of the batches (time
/// from one committed batch to the next, which is the batch's transaction) as one JSON line.
/// With ERASE_BENCH_TRACE set, each batch's table, rows and milliseconds go to standard error.
@main
struct EraseBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3 else {
            FileHandle.standardError.write(Data("usage: erase-bench DB ACCOUNT [BATCH]\n".utf8))
            exit(64)
        }
        let database = try AppDatabase.open(path: arguments[1])
        let eraser = Eraser(database: database, batchSize: arguments.count > 3 ? Int(arguments[3]) ?? 5_000 : 5_000)
        let start = ContinuousClock.now
        let batches = Batches(start: start)
        let trace = ProcessInfo.processInfo.environment["ERASE_BENCH_TRACE"] != nil
        let sizer = Mutex<BatchSizer?>(nil)
        let erased = try await eraser.erase(
            jobID: "bench", accountID: arguments[2], plan: ErasurePlan(scope: .account),
            afterBatch: { table, rows in
                let took = batches.mark()
                if trace { FileHandle.standardError.write(Data("\(table) \(rows) \(String(format: "%.1f", took)) ms\n".utf8)) }
            },
            sizing: { final in sizer.withLock { $0 = final } }
        )
        let seconds = milliseconds(ContinuousClock.now - start) / 1e3
        let times = batches.times.withLock { $0 }.sorted()
        let longest = sizer.withLock { $0.map { milliseconds($0.longest) } } ?? 0
        let p99 = times.isEmpty ? 0 : times[min(times.count - 1, times.count * 99 / 100)]
        print(#"{"rows": \#(erased.values.reduce(0, +)), "seconds": \#(String(format: "%.3f", seconds)), "batches": \#(times.count), "longest_batch_ms": \#(String(format: "%.1f", longest)), "p99_batch_ms": \#(String(format: "%.1f", p99))}"#)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    }
}

/// The time between committed batches.
final class Batches: Sendable {
    let times = Mutex<[Double]>([])
    private let last: Mutex<ContinuousClock.Instant>

    init(start: ContinuousClock.Instant) { last = Mutex(start) }

    /// Marks a committed batch; returns the milliseconds since the last one.
    @discardableResult
    func mark() -> Double {
        let now = ContinuousClock.now
        let previous = last.withLock { last in
            defer { last = now }
            return last
        }
        let took = EraseBench.milliseconds(now - previous)
        times.withLock { $0.append(took) }
        return took
    }
}
