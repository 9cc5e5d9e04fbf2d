public import Foundation
import Synchronization

/// The time as the domain sees it. Injected, so 15 minutes, 7, 30 and 90 days can be tested from outside.
public protocol ErasureClock: Sendable {
    func now() -> Date
}

/// The wall clock.
public struct SystemClock: ErasureClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told (tests, and `admin.advanceClock` with `--dev`).
public final class ManualClock: ErasureClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        precondition(seconds >= 0, "time does not go backwards")
        current.withLock { $0 += seconds }
    }
}

/// The wall clock moved forward by an offset that only grows: `--dev` runs on it, and
/// `admin.advanceClock` moves it, so deadlines of days are reached in seconds.
public final class OffsetClock: ErasureClock {
    private let offset = Mutex<TimeInterval>(0)

    public init() {}

    public func now() -> Date { Date() + offset.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        precondition(seconds >= 0, "time does not go backwards")
        offset.withLock { $0 += seconds }
    }
}
