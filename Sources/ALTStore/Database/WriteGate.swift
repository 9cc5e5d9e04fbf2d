import Synchronization

/// One writer at a time, across suspension points: a unit of work holds the gate from its `BEGIN` to its
/// `COMMIT` while its repository calls go to the database one by one, and every other write waits its
/// turn (first come, first served). SQLite has one writer anyway; the gate makes the wait asynchronous
/// and keeps a write of another task out of an open transaction.
final class WriteGate: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Set while the current task holds the gate: a nested write would wait for itself forever.
    @TaskLocal static var isHeld = false

    func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        precondition(!Self.isHeld, "a store write inside a store write of the same task would wait for itself")
        await acquire()
        defer { release() }
        return try await Self.$isHeld.withValue(true) { try await body() }
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state -> Bool in
                guard state.held else {
                    state.held = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst()  // the gate passes straight to the next writer
        }
        next?.resume()
    }
}
