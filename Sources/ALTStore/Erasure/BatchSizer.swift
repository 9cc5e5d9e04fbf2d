/// How many rows the eraser's next batch deletes: as many as fit in `target` of write-transaction time
/// at the rows per second the last batch showed, never more than `ceiling`, never more than twice the
/// last size (a table's rows can cost more than the previous table's). The first batch is small, so no
/// table's first transaction can hold the writer long, whatever its rows cost.
public struct BatchSizer: Sendable, Equatable {
    public let ceiling: Int
    public let target: Duration
    /// The size of the next batch.
    public private(set) var size: Int
    /// The longest batch seen, and how many batches were recorded (for benchmarks and logs).
    public private(set) var longest: Duration = .zero
    public private(set) var batches = 0
    private let first: Int

    public init(ceiling: Int, target: Duration = .milliseconds(50), first: Int = 256) {
        self.ceiling = max(1, ceiling)
        self.target = target
        self.first = min(max(1, first), self.ceiling)
        size = self.first
    }

    /// A new table's rows may cost more than the last table's: its first batch is a quarter of the
    /// last size (at least the first size), and grows from there.
    public mutating func startTable() {
        size = min(size, max(first, size / 4))
    }

    /// Takes in a batch of `rows` that took `duration`, from the start of its transaction to its commit.
    public mutating func record(rows: Int, took duration: Duration) {
        batches += 1
        longest = max(longest, duration)
        guard rows > 0 else { return }
        // Aim at 80% of the target, leaving room for the noise of a shared machine.
        let fitting = duration > .zero ? Int((target * 0.8) / (duration / rows)) : ceiling
        size = min(ceiling, size * 2, max(1, fitting))
    }
}
