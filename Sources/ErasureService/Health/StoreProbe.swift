public import ALTStore
import Foundation

public import RPCServer
public import ServiceLifecycle
import Synchronization

/// Keeps `health.check` honest about the store: every `interval` it commits a one-row write
/// (`ErasureStore.probeWrite`). A write that fails — the file or file system read-only, the disk full, a
/// lock held by another process — or one still waiting after `stallLimit` is reported to the
/// `ServingState` as a fault (NOT_SERVING with the reason); the next write that commits clears it, so the
/// service recovers by itself when the store does.
public struct StoreProbe: Service {
    public let store: any ErasureStore
    public let state: ServingState
    public let interval: Duration
    public let stallLimit: Duration

    public init(store: any ErasureStore, state: ServingState, interval: Duration = .seconds(2), stallLimit: Duration = .seconds(2)) {
        self.store = store
        self.state = state
        self.interval = interval
        self.stallLimit = stallLimit
    }

    public func run() async {
        let probing = InFlight()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                // A write can wait (a lock held elsewhere waits out the busy timeout): a watcher reports a
                // probe that has not committed within the stall limit without waiting for it to end.
                group.addTask {
                    while !Task.isCancelled {
                        if let since = probing.since, ContinuousClock.now - since > stallLimit {
                            state.reportFault("the store has not completed a write for \(Self.seconds(ContinuousClock.now - since)) s (locked or stalled)")
                        }
                        do { try await Task.sleep(for: .milliseconds(250)) } catch { return }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        probing.set(.now)
                        let fault = await probeOnce()
                        probing.set(nil)
                        state.reportFault(fault)
                        do { try await Task.sleep(for: interval) } catch { return }
                    }
                }
            }
        }
    }

    /// One probe write; the fault it found, or nil.
    func probeOnce() async -> String? {
        do {
            try await store.probeWrite(at: .now)
            return nil
        } catch let fault as StoreWriteFault {
            return fault.reason
        } catch is CancellationError {
            return nil
        } catch {
            return "the store cannot be written (\(type(of: error)))"
        }
    }

    private static func seconds(_ duration: Duration) -> Int { Int(duration.components.seconds) }
}

/// When the probe write under way began (nil between probes).
private final class InFlight: Sendable {
    private let started = Mutex<ContinuousClock.Instant?>(nil)
    var since: ContinuousClock.Instant? { started.withLock { $0 } }
    func set(_ instant: ContinuousClock.Instant?) { started.withLock { $0 = instant } }
}
