public import Instrumentation

/// Moves a trace context between an instrument and header fields kept as a dictionary keyed by the
/// lowercase header name (`traceparent`, `tracestate`), the carrier W3C propagators read and write.
public struct HeaderCarrier: Injector, Extractor {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key.lowercased()] = value
    }

    public func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key.lowercased()]
    }
}
