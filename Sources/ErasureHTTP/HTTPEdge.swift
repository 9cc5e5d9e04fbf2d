public import ErasureService
import HTTPTypes
public import Hummingbird
public import Logging
public import Prometheus
public import RPCServer

/// The public HTTP listener (`deletiond serve --http-port`), apart from the JSON-RPC port: Meta's
/// callbacks as form posts, the deletion status page a person reads, and health probes for orchestrators.
/// No RPC method is reachable here; every page is HTML-escaped and carries no internal error.
public enum HTTPEdge {
    /// What the listener serves from.
    public struct Services: Sendable {
        public let integrations: Integrations
        public let requests: DeletionRequests
        public let serving: ServingState
        /// Per client: status page lookups, and codes entered in the form.
        public let statusLookups: RateLimit
        public let codeEntries: RateLimit
        /// The proxies whose `X-Forwarded-For` names the client the limits count (none: never read).
        public let trustedProxies: TrustedProxies
        /// What `GET /metrics` shows (the registry swift-metrics was bootstrapped with); nil: no `/metrics`.
        public let metrics: PrometheusCollectorRegistry?

        public init(
            integrations: Integrations, requests: DeletionRequests, serving: ServingState,
            statusLookups: RateLimit.Rule = .init(burst: 60, interval: .seconds(1)),
            codeEntries: RateLimit.Rule = .init(burst: 10, interval: .seconds(30)),
            trustedProxies: TrustedProxies = .none,
            metrics: PrometheusCollectorRegistry? = nil
        ) {
            self.trustedProxies = trustedProxies
            self.metrics = metrics
            self.integrations = integrations
            self.requests = requests
            self.serving = serving
            self.statusLookups = RateLimit(statusLookups)
            self.codeEntries = RateLimit(codeEntries)
        }
    }

    /// The largest request body the listener reads (Meta's signed requests are a few hundred bytes).
    public static let maximumBody = 64 * 1_024

    /// The routes, behind the headers every answer carries.
    public static func router(_ services: Services) -> Router<EdgeRequestContext> {
        let router = Router(context: EdgeRequestContext.self)
        router.add(middleware: SecurityHeaders())
        HealthRoutes(serving: services.serving, metrics: services.metrics).add(to: router)
        MetaRoutes(integrations: services.integrations).add(to: router)
        StatusRoutes(requests: services.requests, lookups: services.statusLookups, entries: services.codeEntries, proxies: services.trustedProxies).add(to: router)
        return router
    }

    /// The listener as a service (for the `ServiceGroup`); `onListening` gets the port it bound.
    public static func application(
        _ services: Services, host: String, port: Int, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(services),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}

/// `X-Content-Type-Options`, a `Content-Security-Policy` that allows no script and posts only to this
/// origin, no referrer (the confirmation code is in the URL), no caching of a status.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = Pages.error(status: error.status)
        } catch {
            // Never a stack trace or an internal error's text on a public page.
            context.logger.error("http edge", metadata: ["error": "\(type(of: error))"])
            response = Pages.error(status: .internalServerError)
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.contentSecurityPolicy] = Pages.contentSecurityPolicy
        response.headers[Self.referrerPolicy] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
