import Synchronization

/// Whether the server takes new calls, and whether it is healthy. Draining is one-way: once set, new calls
/// are answered UNAVAILABLE with `processed: false` and `health.check` reports NOT_SERVING. A fault (the
/// store cannot be written, say) makes `health.check` report NOT_SERVING with its reason until it is
/// cleared; calls are still served, and each fails or succeeds on its own.
public final class ServingState: Sendable {
    private let draining = Atomic<Bool>(false)
    private let currentFault = Mutex<String?>(nil)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    public func startDraining() { draining.store(true, ordering: .releasing) }

    /// Why the server is unhealthy, or nil.
    public var fault: String? { currentFault.withLock { $0 } }

    /// Reports a fault (nil clears it).
    public func reportFault(_ reason: String?) { currentFault.withLock { $0 = reason } }
}
