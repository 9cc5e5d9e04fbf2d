import ArgumentParser
import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// `deletiond`'s spans to an OpenTelemetry collector over OTLP/HTTP (swift-otel), when
/// `tracing.otlpEndpoint` is set: the process's tracer is bootstrapped once, before the service is built,
/// so the calls', erasures', outbox's and backups' spans all go there. Only traces: metrics stay on
/// `/metrics`, logs on standard error. The `OTEL_*` variables of the OpenTelemetry specification
/// (sampler, batch sizes, headers, certificates, even the endpoint) apply on top of these settings.
/// A collector that is down costs dropped spans and a diagnostic line, never a call.
enum SpanExport {
    /// The exporter's service, or nil when no endpoint is set (then the no-op tracer stays: no span is made).
    static func bootstrap(_ settings: Settings, logger: Logger) throws -> (any Service)? {
        guard let endpoint = settings.otlpEndpoint else { return nil }
        guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https", url.host != nil, url.query == nil else {
            throw ValidationError("--otlp-endpoint must be an http:// or https:// URL, the collector's OTLP/HTTP base (e.g. http://otel-collector:4318), not \(endpoint)")
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "deletiond"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.propagators = [.traceContext]
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.traces.exporter = .otlp
        // A base URL, as OTEL_EXPORTER_OTLP_ENDPOINT is: traces go to its /v1/traces.
        configuration.traces.otlpExporter.endpoint = endpoint.hasSuffix("/") ? endpoint + "v1/traces" : endpoint + "/v1/traces"
        configuration.traces.otlpExporter.protocol = settings.otlpProtocol == "http/json" ? .httpJSON : .httpProtobuf
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        logger.info("tracing", metadata: ["otlp_endpoint": "\(url.scheme ?? "")://\(url.host ?? ""):\(url.port.map(String.init) ?? "")", "otlp_protocol": "\(settings.otlpProtocol)"])
        return backend.service
    }
}
