public import JSONRPC
import Synchronization

/// Lets `rpc.cancel` cancel the task that runs one call.
///
/// The call's task attaches itself while it runs and detaches before it ends, both under the lock, so
/// the task reference is only ever used while the task is alive. This avoids a task group and a watcher
/// task per call on the hot path; cancellation stays cooperative, as everywhere in Swift concurrency.
/// The task stays cancelled afterwards, so whoever runs a call must hand its answer on without
/// suspending (the TCP transport enqueues it for the connection's writer).
final class CallCancellation: Sendable {
    private enum State {
        case idle
        case running(TaskReference)
        case cancelled
        case finished
    }

    /// The running task. Sendable by construction: it is only touched under the lock, and only while
    /// the task is attached (alive and inside `run`).
    private struct TaskReference: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private let state = Mutex(State.idle)

    /// Runs `body` in the current task, which `cancel()` may cancel meanwhile.
    func run<T>(_ body: () async -> T) async -> T {
        withUnsafeCurrentTask { task in
            guard let task else { return }
            let reference = TaskReference(task: task)
            let cancelNow = state.withLock { state -> Bool in
                if case .cancelled = state { return true }
                state = .running(reference)
                return false
            }
            if cancelNow { task.cancel() }
        }
        let result = await body()
        state.withLock { $0 = .finished }
        return result
    }

    func cancel() {
        state.withLock { state in
            switch state {
            case .running(let reference):
                reference.task.cancel()
                state = .cancelled
            case .idle:
                state = .cancelled
            case .cancelled, .finished:
                break
            }
        }
    }
}

/// The calls in flight on one connection, so `rpc.cancel {id}` can find them.
public final class ConnectionCalls: Sendable {
    private let calls = Mutex<[RequestID: [CallCancellation]]>([:])

    public init() {}

    func register(_ id: RequestID, _ call: CallCancellation) {
        calls.withLock { $0[id, default: []].append(call) }
    }

    func unregister(_ id: RequestID, _ call: CallCancellation) {
        calls.withLock { calls in
            calls[id]?.removeAll { $0 === call }
            if calls[id]?.isEmpty == true { calls[id] = nil }
        }
    }

    /// Cancels every call in flight (the end of a drain's grace period).
    public func cancelAll() {
        let cancelled = calls.withLock { calls in
            defer { calls.removeAll() }
            return calls.values.flatMap { $0 }
        }
        cancelled.forEach { $0.cancel() }
    }

    /// Cancels every call in flight with `id`; returns how many there were.
    @discardableResult
    public func cancel(_ id: RequestID) -> Int {
        let cancelled = calls.withLock { $0.removeValue(forKey: id) ?? [] }
        cancelled.forEach { $0.cancel() }
        return cancelled.count
    }
}
