public import CoreMetrics
public import JSONRPC
import Synchronization

/// Counts calls by method and status (`rpc_calls_total`) and times them (`rpc_call_duration`), through
/// swift-metrics, so whichever backend the process bootstraps (Prometheus, OTel, …) receives them.
/// Methods the server does not know are counted as `unknown`, so random names cannot grow the label set.
public struct MetricsInterceptor: ServerInterceptor {
    public let knownMethods: Set<String>
    private let handlers: Handlers

    public init(knownMethods: Set<String>, factory: any MetricsFactory = MetricsSystem.factory) {
        self.knownMethods = knownMethods
        self.handlers = Handlers(methods: knownMethods.union(["unknown"]), factory: factory)
    }

    public func intercept(
        _ request: Request,
        context: CallContext,
        next: @Sendable (Request, CallContext) async throws -> RawJSON
    ) async throws -> RawJSON {
        let start = ContinuousClock.now
        return try await observing({ try await next(request, context) }) { record(request, since: start, error: $0) }
    }

    public func interceptImmediately(
        _ request: Request,
        context: CallContext,
        next: (Request, CallContext) throws -> RawJSON
    ) throws -> RawJSON {
        let start = ContinuousClock.now
        return try observing({ try next(request, context) }) { record(request, since: start, error: $0) }
    }

    private func record(_ request: Request, since start: ContinuousClock.Instant, error: (any Error)?) {
        let status = error.map { RPCError(serving: $0).code.status } ?? "OK"
        let method = knownMethods.contains(request.method) ? request.method : "unknown"
        let elapsed = ContinuousClock.now - start
        handlers.counter(method: method, status: status).increment()
        handlers.timers[method]?.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    /// The metric handlers, made once: a backend's factory looks each name and label set up under a lock
    /// (with arrays built for the labels), which every call paid twice before.
    private final class Handlers: Sendable {
        let timers: [String: Timer]
        private let okCounters: [String: Counter]
        private let otherCounters = Mutex<[String: Counter]>([:])
        private let factory: any MetricsFactory

        init(methods: Set<String>, factory: any MetricsFactory) {
            self.factory = factory
            timers = Dictionary(uniqueKeysWithValues: methods.map { ($0, Timer(label: "rpc_call_duration", dimensions: [("method", $0)], factory: factory)) })
            okCounters = Dictionary(uniqueKeysWithValues: methods.map { method in
                (method, Counter(label: "rpc_calls_total", dimensions: [("method", method), ("status", "OK")], factory: factory))
            })
        }

        func counter(method: String, status: String) -> Counter {
            if status == "OK", let counter = okCounters[method] { return counter }
            let key = method + " " + status
            return otherCounters.withLock { counters in
                if let counter = counters[key] { return counter }
                let counter = Counter(label: "rpc_calls_total", dimensions: [("method", method), ("status", status)], factory: factory)
                counters[key] = counter
                return counter
            }
        }
    }
}
