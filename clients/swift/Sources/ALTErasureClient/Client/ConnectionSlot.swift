import JSONRPCNIO
import Synchronization

/// One connection of the client's pool, kept open: reconnects with exponential backoff and jitter
/// while the client runs. Calls wait while a connection is being made, and fail at once (as not sent)
/// while the last attempt has failed and the next one waits its backoff. A connection whose server
/// drains is retired: new calls wait for the next connection while the old one is closed once the calls
/// it carries have their answers.
final class ConnectionSlot: Sendable {
    private enum State {
        case connecting([Int: CheckedContinuation<RPCConnection, any Error>])
        case ready(RPCConnection, retire: AsyncStream<Void>.Continuation)
        case failed(any Error)
        case stopped
    }

    private let state = Mutex(State.connecting([:]))
    private let nextKey = Atomic<Int>(0)

    func connection() async throws -> RPCConnection {
        let key = nextKey.add(1, ordering: .relaxed).oldValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = state.withLock { state -> Result<RPCConnection, any Error>? in
                    switch state {
                    case .ready(let connection, _): return .success(connection)
                    case .failed(let error): return .failure(error)
                    case .stopped: return .failure(CancellationError())
                    case .connecting(var waiters):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[key] = continuation
                        state = .connecting(waiters)
                        return nil
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<RPCConnection, any Error>? in
                guard case .connecting(var waiters) = state, let waiter = waiters.removeValue(forKey: key) else { return nil }
                state = .connecting(waiters)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Keeps a connection open until the task is cancelled.
    func maintain(_ configuration: ALTErasureClient.Configuration, options: RPCConnection.Options) async {
        var failures = 0
        while !Task.isCancelled {
            set(.connecting([:]), keepingWaiters: true)
            do {
                try await RPCConnection.connect(host: configuration.host, port: configuration.port, options: options) { connection in
                    failures = 0
                    let (retirement, retire) = AsyncStream.makeStream(of: Void.self)
                    set(.ready(connection, retire: retire), keepingWaiters: false)
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { await connection.waitUntilClosed() }
                        group.addTask { for await _ in retirement { return } }
                        await group.next()
                        group.cancelAll()
                    }
                    set(.connecting([:]), keepingWaiters: true)
                    await connection.waitUntilIdle()
                }
            } catch {
                failures += 1
                set(.failed(error), keepingWaiters: false)
            }
            guard !Task.isCancelled else { break }
            do {
                try await Task.sleep(for: configuration.retryPolicy.backoff(after: max(1, failures)))
            } catch {
                break
            }
        }
        set(.stopped, keepingWaiters: false)
    }

    /// Stops sending calls on `connection` (its server answered UNAVAILABLE with `processed: false`: it
    /// drains). Calls wait for the next connection; `connection` closes once its calls are answered.
    func retire(_ connection: RPCConnection) {
        let retire = state.withLock { state -> AsyncStream<Void>.Continuation? in
            guard case .ready(let current, let retire) = state, current === connection else { return nil }
            state = .connecting([:])
            return retire
        }
        retire?.yield()
        retire?.finish()
    }

    /// Moves to `next`; waiters are kept when still connecting, else answered from `next`.
    private func set(_ next: State, keepingWaiters: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<RPCConnection, any Error>] in
            var pending: [Int: CheckedContinuation<RPCConnection, any Error>] = [:]
            if case .connecting(let waiters) = state { pending = waiters }
            if keepingWaiters, case .connecting = next {
                state = .connecting(pending)
                return []
            }
            state = next
            return Array(pending.values)
        }
        for waiter in waiters {
            switch next {
            case .ready(let connection, _): waiter.resume(returning: connection)
            case .failed(let error): waiter.resume(throwing: error)
            case .stopped, .connecting: waiter.resume(throwing: CancellationError())
            }
        }
    }
}
