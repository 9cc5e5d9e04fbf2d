import ALTStore
import ALTErasureAPI
import JSONRPC
public import Logging
public import RPCServer

/// Assembles the ALT Erasure server: every method of `schemas/alt-erasure.openrpc.json` registered on a
/// dispatcher over the store, with authentication and logging. `deletiond serve` and the contract tests
/// both build the server here, so what is tested is what runs.
public enum ErasureServer {
    public static func makeDispatcher(
        callers: CallerDirectory,
        requests: DeletionRequests,
        meta: MetaSettings = .development,
        backups: Backups? = nil,
        state: ServingState = ServingState(),
        logger: Logger
    ) throws -> Dispatcher {
        var registry = MethodRegistry()
        registry.registerPlatformMethods(state: state, document: try RawJSON(OpenRPCDocument.text))
        registry.registerRecords(requests.store.records)
        registry.registerIntegrations(Integrations(requests: requests, meta: meta))
        registry.registerDeletion(requests, reports: RequestReports(store: requests.store, environment: requests.environment))
        registry.registerOutbox(Outbox(store: requests.store, environment: requests.environment), requests: requests)
        registry.registerRetention(Retention(store: requests.store, clock: requests.environment.clock, replicaID: requests.environment.replicaID), requests: requests)
        registry.registerBackups(backups, requests: requests)
        registry.registerAdmin(requests.environment)
        // Spans only when a tracer records: the no-op tracer costs not even an interceptor.
        let tracer = requests.environment.tracer
        let tracing: [any ServerInterceptor] = tracer.isRecording ? [TracingInterceptor(tracer: tracer)] : []
        return Dispatcher(
            registry: registry,
            interceptors: tracing + [
                LoggingInterceptor(),
                MetricsInterceptor(knownMethods: Set(registry.methodNames)),
                AuthInterceptor(),
            ],
            callers: callers,
            state: state,
            logger: logger
        )
    }
}
