import ALTStore
import Foundation

/// erase-bench DB ACCOUNT [BATCH] — erases ACCOUNT from the store at DB with `Eraser` (account plan,
/// batches of BATCH rows, default 5,000) and prints rows, seconds and batches as one JSON line.
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
        let erased = try await eraser.erase(jobID: "bench", accountID: arguments[2], plan: ErasurePlan(scope: .account))
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(#"{"rows": \#(erased.values.reduce(0, +)), "seconds": \#(String(format: "%.3f", seconds))}"#)
    }
}
