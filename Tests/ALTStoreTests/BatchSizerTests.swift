import ALTStore
import Testing

@Suite("Erasure batches sized to the write-transaction target")
struct BatchSizerTests {
    @Test("starts small, grows at most twofold, shrinks at once to what fits in 60% of the target, never past the ceiling")
    func sizing() {
        var sizer = BatchSizer(ceiling: 5_000, target: .milliseconds(50), first: 256)
        #expect(sizer.size == 256)
        sizer.record(rows: 256, took: .milliseconds(1))  // 4 µs a row: 10,000 would fit
        #expect(sizer.size == 512)
        for _ in 0..<5 { sizer.record(rows: sizer.size, took: .milliseconds(1)) }
        #expect(sizer.size == 5_000)
        sizer.record(rows: 5_000, took: .milliseconds(200))  // 40 µs a row: 750 fit in 30 ms
        #expect(sizer.size == 750)
        #expect(sizer.longest == .milliseconds(200))
        #expect(sizer.batches == 7)
        sizer.record(rows: 0, took: .milliseconds(300))  // an empty batch says nothing of the rows
        #expect(sizer.size == 750 && sizer.longest == .milliseconds(300))
        sizer.startTable()
        #expect(sizer.size == 256)
    }

    @Test("a cheap batch after a costly one (a checkpoint in its commit) does not let the size jump back")
    func costlyBatchesAreRemembered() {
        var sizer = BatchSizer(ceiling: 5_000, target: .milliseconds(50), first: 1_000)
        sizer.record(rows: 1_000, took: .milliseconds(40))  // 40 µs a row: 750 fit in 30 ms
        #expect(sizer.size == 750)
        sizer.record(rows: 750, took: .microseconds(7_500))  // 10 µs, but the estimate only fades to 36 µs
        #expect(sizer.size == 833)
        sizer.startTable()  // a new table forgets the estimate: 1 µs a row lets it double
        #expect(sizer.size == 833)
        sizer.record(rows: 833, took: .microseconds(833))
        #expect(sizer.size == 1_666)
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
