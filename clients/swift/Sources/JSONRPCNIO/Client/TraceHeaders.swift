import Instrumentation

/// The trace-context headers a frame carries: an instrument injects `traceparent` (W3C) here. Other keys
/// (`tracestate`, baggage) are dropped: the wire has no header for them.
struct TraceHeaders {
    var traceparent: String?

    struct Injector: Instrumentation.Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout TraceHeaders) {
            if key.lowercased() == "traceparent" { carrier.traceparent = value }
        }
    }
}
