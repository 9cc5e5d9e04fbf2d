import Foundation
import Hummingbird
import HTTPTypes
import Synchronization

/// Per-client limits of an internet-facing listener: a token bucket per client address, refilled at a
/// steady rate; a client out of tokens is answered `429` with `Retry-After`, before the route runs.
public final class RateLimit: Sendable {
    /// `burst` calls at once, then one more every `interval`.
    public struct Rule: Sendable {
        public var burst: Int
        public var interval: Duration

        public init(burst: Int, interval: Duration) {
            self.burst = burst
            self.interval = interval
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let rule: Rule
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Clients remembered at most; past it, buckets that have refilled are forgotten (they start full anyway).
    private let remembered = 10_000

    public init(_ rule: Rule) { self.rule = rule }

    /// Takes one token for `client`; nil when allowed, else the seconds until the next token.
    func take(_ client: String, now: ContinuousClock.Instant = .now) -> Int? {
        let rule = self.rule
        let perToken = Double(rule.interval.components.seconds) + Double(rule.interval.components.attoseconds) / 1e18
        return buckets.withLock { buckets in
            if buckets.count >= remembered {
                buckets = buckets.filter { Self.refilled($0.value, rule: rule, perToken: perToken, now: now) < Double(rule.burst) }
            }
            var bucket = buckets[client] ?? Bucket(tokens: Double(rule.burst), updated: now)
            bucket.tokens = Self.refilled(bucket, rule: rule, perToken: perToken, now: now)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[client] = bucket
                return max(1, Int(((1 - bucket.tokens) * perToken).rounded(.up)))
            }
            bucket.tokens -= 1
            buckets[client] = bucket
            return nil
        }
    }

    private static func refilled(_ bucket: Bucket, rule: Rule, perToken: Double, now: ContinuousClock.Instant) -> Double {
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return min(Double(rule.burst), bucket.tokens + seconds / perToken)
    }
}

/// Applies a `RateLimit` to the routes after it, per client as the trusted proxies tell it.
struct RateLimited: RouterMiddleware {
    typealias Context = EdgeRequestContext
    let limit: RateLimit
    let proxies: TrustedProxies

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client = proxies.client(peer: context.client, forwardedFor: request.headers[values: Self.forwardedFor])
        guard let wait = limit.take(client) else { return try await next(request, context) }
        var response = Pages.html(
            StatusPage.frame(title: "Too many requests", body: "<h1>Too many requests</h1>\n<p>Please wait \(wait) seconds and try again.</p>\n"),
            status: .tooManyRequests
        )
        response.headers[.retryAfter] = String(wait)
        return response
    }
}
