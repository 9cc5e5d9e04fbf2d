public import JSONRPC
import Synchronization

/// A one-shot signal that `rpc.cancel` fires for one call.
final class CancelSignal: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Void, Never>)
        case fired
    }

    private let state = Mutex(State.idle)

    func fire() {
        let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
            defer { state = .fired }
            if case .waiting(let continuation) = state { return continuation }
            return nil
        }
        continuation?.resume()
    }

    /// Returns once fired, or once the waiting task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if case .idle = state, !Task.isCancelled {
                        state = .waiting(continuation)
                        return false
                    }
                    return true
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.fire()
        }
    }
}

/// The calls in flight on one connection, so `rpc.cancel {id}` can find them.
public final class ConnectionCalls: Sendable {
    private let calls = Mutex<[RequestID: [CancelSignal]]>([:])

    public init() {}

    func register(_ id: RequestID, _ signal: CancelSignal) {
        calls.withLock { $0[id, default: []].append(signal) }
    }

    func unregister(_ id: RequestID, _ signal: CancelSignal) {
        calls.withLock { calls in
            calls[id]?.removeAll { $0 === signal }
            if calls[id]?.isEmpty == true { calls[id] = nil }
        }
    }

    /// Cancels every call in flight with `id`; returns how many there were.
    @discardableResult
    public func cancel(_ id: RequestID) -> Int {
        let signals = calls.withLock { $0.removeValue(forKey: id) ?? [] }
        signals.forEach { $0.fire() }
        return signals.count
    }

    /// How many calls are in flight.
    public var count: Int { calls.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
