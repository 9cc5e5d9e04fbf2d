import RPCServer
import Synchronization
import Tracing

/// An `erasure.batch` span per committed batch of a run, a child of the run's span: the eraser reports a
/// batch once it has committed, so each span runs from the end of the one before (or the run's start)
/// to that report. Table and row count only. Nothing at all with the no-op tracer.
final class BatchSpans: Sendable {
    private let tracer: any Tracer
    private let parent: ServiceContext?
    private let lastEnd: Mutex<DefaultTracerClock.Timestamp>

    init(tracer: any Tracer) {
        self.tracer = tracer
        self.parent = ServiceContext.current
        self.lastEnd = Mutex(DefaultTracerClock.now)
    }

    func batchCommitted(table: String, rows: Int) {
        guard tracer.isRecording else { return }
        let now = DefaultTracerClock.now
        let start = lastEnd.withLock { last in
            defer { last = now }
            return last
        }
        let span: any Span = tracer.startSpan("erasure.batch", context: parent ?? .topLevel, ofKind: .internal, at: start)
        span.attributes["erasure.table"] = table
        span.attributes["erasure.rows"] = rows
        span.end(at: now)
    }
}
