import DequeModule
import JSONRPCNIO
import Synchronization

/// The answers waiting to be written on one connection. Calls enqueue without suspending (a cancelled
/// call's task can still hand over its answer); one writer takes everything queued at once and writes
/// it with a single flush, so answers finishing together share a syscall.
final class AnswerQueue: Sendable {
    private struct State {
        var frames: Deque<Frame> = []
        var waiter: CheckedContinuation<Void, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    func enqueue(_ frame: Frame) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.frames.append(frame)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    var isEmpty: Bool { state.withLock { $0.frames.isEmpty } }

    /// No more answers will come; the writer ends after the ones queued.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Everything queued, waiting while nothing is; nil once finished and written. One reader only.
    func next() async -> Deque<Frame>? {
        enum Step {
            case frames(Deque<Frame>)
            case finished
            case wait
        }
        while true {
            let step = state.withLock { state -> Step in
                if !state.frames.isEmpty {
                    defer { state.frames.removeAll(keepingCapacity: true) }
                    return .frames(state.frames)
                }
                return state.finished ? .finished : .wait
            }
            switch step {
            case .frames(let frames): return frames
            case .finished: return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.frames.isEmpty || state.finished { return true }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }
}
