public import InMemoryTracing
import JSONRPC
public import Tracing

/// The in-memory tracer with W3C propagation: contexts travel as a `traceparent` header, as a real
/// tracer's (swift-otel's) do, so a test sees the trace cross the wire. Ids are random hex of W3C's sizes.
public struct W3CTestTracer: Tracer {
    public typealias Span = InMemorySpan

    /// What the test reads: the spans, finished and active.
    public let recorded: InMemoryTracer

    public init() {
        recorded = InMemoryTracer(idGenerator: .init(nextTraceID: { Self.hex(bytes: 16) }, nextSpanID: { Self.hex(bytes: 8) }))
    }

    public var finishedSpans: [FinishedInMemorySpan] { recorded.finishedSpans }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> InMemorySpan {
        recorded.startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    public func forceFlush() {}

    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let span = context.inMemorySpanContext else { return }
        injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier), let parent = TraceParent(header) else { return }
        context.inMemorySpanContext = InMemorySpanContext(traceID: String(parent.traceID), spanID: String(parent.parentID), parentSpanID: nil)
    }

    private static func hex(bytes: Int) -> String {
        (0..<bytes).map { _ in
            let byte = UInt8.random(in: 0...255)
            return String(byte >> 4, radix: 16) + String(byte & 0xf, radix: 16)
        }.joined()
    }
}
