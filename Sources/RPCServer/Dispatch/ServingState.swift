import Synchronization

/// Whether the server takes new calls. Draining is one-way: once set, new calls are answered
/// UNAVAILABLE with `processed: false` and `health.check` reports NOT_SERVING.
public final class ServingState: Sendable {
    private let draining = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    public func startDraining() { draining.store(true, ordering: .releasing) }
}
