import ALTStore
import Testing

@Suite("Erasure batches sized to the write-transaction target")
struct BatchSizerTests {
    @Test("starts small, grows at most twofold, shrinks at once to what fits in 80% of the target, never past the ceiling")
    func sizing() {
        var sizer = BatchSizer(ceiling: 5_000, target: .milliseconds(50), first: 256)
        #expect(sizer.size == 256)
        sizer.record(rows: 256, took: .milliseconds(1))  // 4 µs a row: 10,000 would fit
        #expect(sizer.size == 512)
        for _ in 0..<5 { sizer.record(rows: sizer.size, took: .milliseconds(1)) }
        #expect(sizer.size == 5_000)
        sizer.record(rows: 5_000, took: .milliseconds(200))  // 40 µs a row: 1,000 fit in 40 ms
        #expect(sizer.size == 1_000)
        #expect(sizer.longest == .milliseconds(200))
        #expect(sizer.batches == 7)
        sizer.record(rows: 0, took: .milliseconds(300))  // an empty batch says nothing of the rows
        #expect(sizer.size == 1_000 && sizer.longest == .milliseconds(300))
        sizer.startTable()
        #expect(sizer.size == 256)
    }

    @Test("a cheap batch after a costly one (a checkpoint in its commit) does not let the size jump back")
    func costlyBatchesAreRemembered() {
        var sizer = BatchSizer(ceiling: 5_000, target: .milliseconds(50), first: 1_000)
        sizer.record(rows: 1_000, took: .milliseconds(40))  // 40 µs a row: 1,000 fit in 40 ms
        #expect(sizer.size == 1_000)
        sizer.record(rows: 1_000, took: .milliseconds(10))  // 10 µs, but the estimate only fades to 36 µs
        #expect(sizer.size == 1_111)
        sizer.startTable()  // a new table forgets the estimate: 1 µs a row lets it double
        #expect(sizer.size == 1_000)
        sizer.record(rows: 1_000, took: .milliseconds(1))
        #expect(sizer.size == 2_000)
    }

    @Test("a ceiling below the first size wins; a batch that took no time grows it")
    func ceiling() {
        var sizer = BatchSizer(ceiling: 3)
        #expect(sizer.size == 3)
        sizer.record(rows: 3, took: .zero)
        #expect(sizer.size == 3)
        sizer.startTable()
        #expect(sizer.size == 3)
    }
}
