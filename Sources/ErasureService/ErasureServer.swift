import ALTErasureClient
public import Logging
public import RPCServer

/// Assembles the ALT Erasure server: every method of `schemas/alt-erasure.openrpc.json` registered on a
/// dispatcher, with authentication and logging. `deletiond serve` and the contract tests both build the
/// server here, so what is tested is what runs.
public enum ErasureServer {
    public static func makeDispatcher(
        callers: CallerDirectory,
        state: ServingState = ServingState(),
        logger: Logger
    ) throws -> Dispatcher {
        var registry = MethodRegistry()
        registry.registerPlatformMethods(state: state, document: try RawJSON(ALTErasureAPI.document))
        return Dispatcher(
            registry: registry,
            interceptors: [LoggingInterceptor(), AuthInterceptor()],
            callers: callers,
            state: state,
            logger: logger
        )
    }
}
