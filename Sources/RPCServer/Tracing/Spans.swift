public import Tracing

extension Tracer {
    /// Whether spans go anywhere: false for the no-op tracer (nothing bootstrapped), whose callers skip
    /// even binding the task-local context, so tracing costs nothing until a tracer is installed.
    public var isRecording: Bool { !(self is NoOpTracer) }
}

/// Runs `operation` in a span of `tracer` named `name`, a child of `parent` (by default the task's
/// current context), with the span's context current inside. A thrown error marks the span failed by
/// its type only: error descriptions may carry personal data, spans never do. With the no-op tracer it
/// only calls `operation`.
public func withTracedSpan<T>(
    _ name: String,
    tracer: any Tracer,
    parent: ServiceContext? = nil,
    ofKind kind: SpanKind = .internal,
    _ operation: (any Span) async throws -> T
) async throws -> T {
    guard tracer.isRecording else { return try await operation(NoOpTracer.NoOpSpan(context: .topLevel)) }
    let span: any Span = tracer.startSpan(name, context: parent ?? ServiceContext.current ?? .topLevel, ofKind: kind)
    defer { span.end() }
    do {
        return try await ServiceContext.$current.withValue(span.context) { try await operation(span) }
    } catch {
        span.markFailed(error)
        throw error
    }
}

extension Span {
    /// Error status and the error's type; never its description.
    public func markFailed(_ error: any Error) {
        attributes["error.type"] = "\(type(of: error))"
        setStatus(SpanStatus(code: .error))
    }
}
