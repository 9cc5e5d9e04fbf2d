/// How many rows the eraser's next batch deletes: as many as fit in `target` of write-transaction time
/// at the cost per row recent batches showed, never more than `ceiling`, never more than twice the last
/// size. The estimate is the costliest recent batch's, fading by a tenth per batch: on SQLite every few
/// batches the commit also checkpoints the WAL, and the cheap batches between must not hide that. Each
/// table starts small and without an estimate (its rows can cost more than the last table's).
public struct BatchSizer: Sendable, Equatable {
    public let ceiling: Int
    public let target: Duration
    /// The size of the next batch.
    public private(set) var size: Int
    /// The longest batch seen, and how many batches were recorded (for benchmarks and logs).
    public private(set) var longest: Duration = .zero
    public private(set) var batches = 0
    private let first: Int
    private var costPerRow: Duration?

    public init(ceiling: Int, target: Duration = .milliseconds(50), first: Int = 256) {
        self.ceiling = max(1, ceiling)
        self.target = target
        self.first = min(max(1, first), self.ceiling)
        size = self.first
    }

    /// A new table's rows may cost more than the last table's: its first batch is a quarter of the
    /// last size (at least the first size), and grows from there; the estimate starts again.
    public mutating func startTable() {
        size = min(size, max(first, size / 4))
        costPerRow = nil
    }

    /// Takes in a batch of `rows` that took `duration`, from the start of its transaction to its commit.
    public mutating func record(rows: Int, took duration: Duration) {
        batches += 1
        longest = max(longest, duration)
        guard rows > 0 else { return }
        let observed = duration / rows
        let cost = max(observed, (costPerRow ?? observed) * 0.9)
        costPerRow = cost
        // Aim at 60% of the target: a commit that checkpoints the WAL, and a core shared with the server's
        // event loops, stretch a batch past its estimate (aiming at 80%, the p99 was 49-52 ms alone and
        // 59-64 ms beside 50 connections of load; at 60%, 37-39 and 42-46: Benchmarks/RESULTS.md).
        let fitting = cost > .zero ? Int((target * 0.6) / cost) : ceiling
        size = min(ceiling, size * 2, max(1, fitting))
    }
}
