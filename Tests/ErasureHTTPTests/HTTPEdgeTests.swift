import ALTErasureClient
import ErasureDomain
@testable import ErasureHTTP
import ErasureService
import Foundation
import CoreMetrics
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Prometheus
import RPCServer
import ServiceTestSupport
import Testing

/// The public HTTP listener over a real socket (HummingbirdTesting's live server): Meta's callbacks as
/// form posts, the status page, code entry, probes and the limits of an internet-facing listener.
@Suite("The public HTTP edge")
struct HTTPEdgeTests {
    static func application(
        _ server: DemoServer, serving: ServingState = ServingState(),
        lookups: RateLimit.Rule = .init(burst: 60, interval: .seconds(1)), entries: RateLimit.Rule = .init(burst: 10, interval: .seconds(30)),
        trustedProxies: TrustedProxies = .none, metrics: PrometheusCollectorRegistry? = nil
    ) -> some ApplicationProtocol {
        var meta = MetaSettings.development
        meta.signedRequestTolerance = 600
        let services = HTTPEdge.Services(
            integrations: Integrations(requests: server.requests, meta: meta), requests: server.requests, serving: serving,
            statusLookups: lookups, codeEntries: entries, trustedProxies: trustedProxies, metrics: metrics
        )
        return Application(router: HTTPEdge.router(services))
    }

    static let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let text = fields.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return ByteBuffer(string: text)
    }

    static func signed(user: String, age: Int = 0, secret: String = "dev-app-secret") throws -> String {
        let now = Int(Date().timeIntervalSince1970) - age
        return try SignedRequest.sign(payload: ["algorithm": "HMAC-SHA256", "issued_at": now, "user_id": user], appSecret: secret)
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
    }

    @Test("data deletion over HTTP: Meta's answer, and its url opens a page with the state and deadlines and no email, name or account id")
    func dataDeletionToPage() async throws {
        try await DemoServer.withClient { _, server in
            try await Self.application(server).test(.live) { http in
                let body = Self.form([("signed_request", try Self.signed(user: "ig_acc_demo"))])
                let answer = try await http.execute(uri: "/meta/instagram/data-deletion", method: .post, headers: Self.formType, body: body)
                #expect(answer.status == .ok && answer.headers[.contentType] == "application/json")
                let fields = try Self.json(answer)
                let code = try #require(fields["confirmation_code"] as? String)
                let url = try #require(fields["url"] as? String)
                #expect(url == "http://127.0.0.1:7700/deletion-status/\(code)")

                let page = try await http.execute(uri: "/deletion-status/\(code)", method: .get)
                #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.headers[.xContentTypeOptions] == "nosniff")
                #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                let html = String(buffer: page.body)
                for expected in ["<h1>Your data deletion request</h1>", "Instagram", "30 days after", "90 days after", "Billing records are kept for 7 years", code] {
                    #expect(html.contains(expected), "the page shows \(expected)")
                }
                for hidden in ["demo@example.com", "Dana Demo", "acc_demo", "<script"] { #expect(!html.contains(hidden), "the page shows no \(hidden)") }
            }
        }
    }

    @Test("forged, stale and malformed signed requests, a missing field and a wrong content type: a short JSON error, nothing changed")
    func refusedCallbacks() async throws {
        try await DemoServer.withClient { client, server in
            try await Self.application(server).test(.live) { http in
                let refusals: [(HTTPFields, ByteBuffer, HTTPResponse.Status, String)] = [
                    (Self.formType, Self.form([("signed_request", try Self.signed(user: "ig_acc_other", secret: "not-the-secret"))]), .badRequest, "bad_signature"),
                    (Self.formType, Self.form([("signed_request", try Self.signed(user: "ig_acc_other", age: 3_600))]), .badRequest, "stale_signed_request"),
                    (Self.formType, Self.form([("signed_request", "no-dot-in-it")]), .badRequest, "malformed_signed_request"),
                    (Self.formType, Self.form([("signed_request", "%%%.###")]), .badRequest, "bad_base64url"),
                    (Self.formType, Self.form([("other", "x")]), .badRequest, "missing_signed_request"),
                    ([.contentType: "application/json"], ByteBuffer(string: #"{"signed_request": "x"}"#), .unsupportedMediaType, "unsupported_content_type"),
                ]
                for path in ["/meta/instagram/deauthorize", "/meta/instagram/data-deletion"] {
                    for (headers, body, status, reason) in refusals {
                        let answer = try await http.execute(uri: path, method: .post, headers: headers, body: body)
                        #expect(answer.status == status, "\(path) \(reason)")
                        let error = try #require(try Self.json(answer)["error"] as? [String: String])
                        #expect(error["reason"] == reason, "\(path): \(error)")
                    }
                }
            }
            #expect(try await client.integrationsStatus(accountId: "acc_other").instagram == .connected, "nothing changed")
        }
    }

    @Test("deauthorize over HTTP disconnects the user's Instagram")
    func deauthorize() async throws {
        try await DemoServer.withClient { client, server in
            try await Self.application(server).test(.live) { http in
                let body = Self.form([("signed_request", try Self.signed(user: "ig_acc_other"))])
                let answer = try await http.execute(uri: "/meta/instagram/deauthorize", method: .post, headers: Self.formType, body: body)
                let known = try Self.json(answer)["user_known"] as? Bool
                #expect(answer.status == .ok && known == true)
            }
            #expect(try await client.integrationsStatus(accountId: "acc_other").instagram == .disconnected)
        }
    }

    @Test("the code form: a wrong code says how many tries are left, the right one confirms, five wrong ones burn the code")
    func codeEntry() async throws {
        try await DemoServer.withClient { client, server in
            try await Self.application(server).test(.live) { http in
                let request = try await client.deletionCreate(accountId: "acc_demo", scope: .calendar, channel: .support)
                let code = try await Mailer.code(for: request.requestId, client: client)
                let confirmation = try await client.deletionStatus(requestId: request.requestId).confirmationCode
                let page = String(buffer: try await http.execute(uri: "/deletion-status/\(confirmation)", method: .get).body)
                #expect(page.contains("<form method=\"post\" action=\"/deletion-status/\(confirmation)/verify\">"))

                let wrongCode = code == "000000" ? "111111" : "000000"
                let wrong = try await http.execute(
                    uri: "/deletion-status/\(confirmation)/verify", method: .post, headers: Self.formType, body: Self.form([("code", wrongCode)])
                )
                #expect(wrong.status == .badRequest && String(buffer: wrong.body).contains("That code is not right. 4 tries left."))
                let right = try await http.execute(
                    uri: "/deletion-status/\(confirmation)/verify", method: .post, headers: Self.formType, body: Self.form([("code", code)])
                )
                #expect(right.status == .ok && String(buffer: right.body).contains("Thank you"))
                #expect(try await client.deletionStatus(requestId: request.requestId).state == .scheduled)

                let other = try await client.deletionCreate(accountId: "acc_other", scope: .calendar, channel: .support)
                let otherCode = try await Mailer.code(for: other.requestId, client: client)
                let otherConfirmation = try await client.deletionStatus(requestId: other.requestId).confirmationCode
                let wrongOther = otherCode == "000000" ? "111111" : "000000"
                var last = ""
                for _ in 1...6 {
                    let answer = try await http.execute(
                        uri: "/deletion-status/\(otherConfirmation)/verify", method: .post, headers: Self.formType, body: Self.form([("code", wrongOther)])
                    )
                    last = String(buffer: answer.body)
                }
                #expect(last.contains("Too many wrong tries"), "\(last)")
                let late = try await http.execute(
                    uri: "/deletion-status/\(otherConfirmation)/verify", method: .post, headers: Self.formType, body: Self.form([("code", otherCode)])
                )
                #expect(late.status == .badRequest, "a burned code stays burned")
            }
        }
    }

    @Test("an unknown code is a 404 page of the same shape; probes; a body over 64 KiB is refused; no RPC method over HTTP")
    func limitsAndProbes() async throws {
        try await DemoServer.withClient { _, server in
            let serving = ServingState()
            try await Self.application(server, serving: serving).test(.live) { http in
                let missing = try await http.execute(uri: "/deletion-status/NOPE-NOPE-NOPE-NOPE", method: .get)
                #expect(missing.status == .notFound && String(buffer: missing.body).contains("<h1>Your data deletion request</h1>"))
                #expect(try await http.execute(uri: "/healthz", method: .get).status == .ok)
                #expect(try await http.execute(uri: "/readyz", method: .get).status == .ok)
                serving.reportFault("the store is read-only")
                let unready = try await http.execute(uri: "/readyz", method: .get)
                #expect(unready.status == .serviceUnavailable && String(buffer: unready.body).contains("read-only"))
                serving.reportFault(nil)

                let big = Self.form([("signed_request", String(repeating: "a", count: 70_000))])
                let tooLarge = try await http.execute(uri: "/meta/instagram/data-deletion", method: .post, headers: Self.formType, body: big)
                #expect(tooLarge.status == .contentTooLarge)
                #expect(tooLarge.headers[.xContentTypeOptions] == "nosniff")

                let rpc = try await http.execute(
                    uri: "/", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"jsonrpc": "2.0", "method": "health.check", "id": 1}"#)
                )
                #expect(rpc.status == .notFound, "no RPC method over HTTP")
            }
        }
    }

    @Test("per-client limits: status lookups and code entries beyond their burst answer 429 with Retry-After; probes are not limited")
    func rateLimits() async throws {
        try await DemoServer.withClient { _, server in
            let app = Self.application(
                server, lookups: .init(burst: 3, interval: .seconds(60)), entries: .init(burst: 2, interval: .seconds(60))
            )
            try await app.test(.live) { http in
                for _ in 1...3 { #expect(try await http.execute(uri: "/deletion-status/DEMO-IG-0001", method: .get).status != .tooManyRequests) }
                let limited = try await http.execute(uri: "/deletion-status/NOPE-NOPE-NOPE-NOPE", method: .get)
                #expect(limited.status == .tooManyRequests && Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
                #expect(String(buffer: limited.body).contains("Too many requests"))
                for _ in 1...2 {
                    let entry = try await http.execute(
                        uri: "/deletion-status/DEMO-IG-0001/verify", method: .post, headers: Self.formType, body: Self.form([("code", "000000")])
                    )
                    #expect(entry.status != .tooManyRequests)
                }
                let third = try await http.execute(
                    uri: "/deletion-status/DEMO-IG-0001/verify", method: .post, headers: Self.formType, body: Self.form([("code", "000000")])
                )
                #expect(third.status == .tooManyRequests)
                #expect(try await http.execute(uri: "/healthz", method: .get).status == .ok)
            }
        }
    }

    @Test("behind a trusted proxy each X-Forwarded-For client has its own bucket; from anyone else the header is ignored")
    func limitsBehindAProxy() async throws {
        let ingress = try TrustedProxies("127.0.0.1")
        try await DemoServer.withClient { _, server in
            // The test client connects from 127.0.0.1: here it is the ingress.
            let proxied = Self.application(server, lookups: .init(burst: 2, interval: .seconds(60)), trustedProxies: ingress)
            let behindProxy = try await proxied.test(.live) { http in
                var statuses: [HTTPResponse.Status] = []
                for client in ["203.0.113.7", "203.0.113.7", "203.0.113.7", "198.51.100.1, 203.0.113.8", "198.51.100.1, 203.0.113.7"] {
                    statuses.append(try await Self.lookup(http, from: client))
                }
                return statuses
            }
            // The third from one client is limited; another client (the hop the proxy wrote) is not; a hop the
            // client wrote itself picks no bucket.
            #expect(behindProxy == [.ok, .ok, .tooManyRequests, .ok, .tooManyRequests])

            let direct = Self.application(server, lookups: .init(burst: 2, interval: .seconds(60)))
            let fromPeer = try await direct.test(.live) { http in
                var statuses: [HTTPResponse.Status] = []
                for client in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] { statuses.append(try await Self.lookup(http, from: client)) }
                return statuses
            }
            #expect(fromPeer == [.ok, .ok, .tooManyRequests], "no trusted proxy: the header is not read")
        }
    }

    @Test("the client behind trusted proxies: X-Forwarded-For from the right, past every trusted hop; networks of both families")
    func clientBehindProxies() throws {
        let proxies = try TrustedProxies("10.0.0.0/8, 192.168.1.5, fd00::/8")
        #expect(proxies.client(peer: "203.0.113.9", forwardedFor: ["198.51.100.1"]) == "203.0.113.9", "an untrusted peer is the client")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["198.51.100.1"]) == "198.51.100.1")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["6.6.6.6, 198.51.100.1", "192.168.1.5"]) == "198.51.100.1", "two proxies, two fields")
        #expect(proxies.client(peer: "fd12::1", forwardedFor: ["2001:db8::7"]) == "2001:db8::7")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["192.168.1.5"]) == "192.168.1.5", "only proxies: the farthest one")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["198.51.100.1, unknown"]) == "10.1.2.3", "a hop that is no address stops the walk")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: []) == "10.1.2.3")
        #expect(proxies.client(peer: "192.168.1.6", forwardedFor: ["198.51.100.1"]) == "192.168.1.6", "a single address is /32")
        #expect(TrustedProxies.none.client(peer: "10.1.2.3", forwardedFor: ["198.51.100.1"]) == "10.1.2.3")
        #expect(throws: TrustedProxies.InvalidEntry.self) { try TrustedProxies("10.0.0.0/33") }
        #expect(throws: TrustedProxies.InvalidEntry.self) { try TrustedProxies("ingress.internal") }
    }

    /// A status lookup sent with `X-Forwarded-For: <client>`.
    static func lookup(_ http: any TestClientProtocol, from client: String) async throws -> HTTPResponse.Status {
        try await http.execute(uri: "/deletion-status/DEMO-IG-0001", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: client]).status
    }

    @Test("a token bucket refills at its rate")
    func bucketRefills() {
        let limit = RateLimit(.init(burst: 2, interval: .seconds(10)))
        let start = ContinuousClock.now
        #expect(limit.take("a", now: start) == nil && limit.take("a", now: start) == nil)
        #expect(limit.take("a", now: start) == 10)
        #expect(limit.take("b", now: start) == nil, "each client has its own bucket")
        #expect(limit.take("a", now: start + .seconds(10)) == nil)
        #expect(limit.take("a", now: start + .seconds(10)) == 10)
    }

    /// swift-metrics bootstrapped once for the test process, as `deletiond serve` does (before any server
    /// is built: the RPC metrics interceptor takes the factory when it is made).
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// The value of the series `name` with exactly `labels`, from Prometheus text; nil when absent.
    static func sample(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let seriesName = series.prefix { $0 != "{" }
            guard seriesName == name else { continue }
            var found: [String: String] = [:]
            if let open = series.firstIndex(of: "{"), series.last == "}" {
                for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2 else { continue }
                    found[String(parts[0])] = String(parts[1].dropFirst().dropLast())
                }
            }
            if found == labels { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }

    /// Serialized: the gauges are the process's, and each case records its own store's.
    @Test("/metrics: Prometheus text; RPC calls, erasure rows, the newest backup's age and the store's gauges after known calls", .serialized, arguments: TestStore.all)
    func metrics(store: TestStore) async throws {
        let registry = Self.registry
        try await DemoServer.withClient(on: store) { client, server in
            let health = ["method": "health.check", "status": "OK"]
            let callsBefore = Self.sample(registry.emitToString(), "rpc_calls_total", health) ?? 0
            let rowsBefore = Self.sample(registry.emitToString(), "erasure_rows_total") ?? 0
            for _ in 0..<3 { _ = try await client.healthCheck() }
            _ = try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: "123456")
            let erased = try await server.executeUntilDone("req_demo_ig", client: client)
            _ = try await client.backupsCreate()
            server.backups.recordNewestBackupAge()
            try await StoreGauges(store: server.requests.store, environment: server.requests.environment).record()
            let states = try await client.deletionList(pageSize: 100).requests.map(\.state)

            try await Self.application(server, metrics: registry).test(.live) { http in
                let response = try await http.execute(uri: "/metrics", method: .get)
                #expect(response.status == .ok && response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                    #expect(Double(line.split(separator: " ").last ?? "") != nil, "a sample line: \(line)")
                }
                #expect((Self.sample(text, "rpc_calls_total", health) ?? 0) >= callsBefore + 3)
                #expect(text.contains("rpc_call_duration"))
                let rows = Double(erased.erased.values.reduce(0, +))
                #expect((Self.sample(text, "erasure_rows_total") ?? 0) >= rowsBefore + rows && rows > 0)
                let age = try #require(Self.sample(text, "backup_newest_age_seconds"))
                #expect(age >= 0 && age < 60)
                // The gauges read the store: here the demo's requests, as deletion.list shows them.
                #expect(Self.sample(text, "deletion_requests", ["state": "erased"]) == Double(states.filter { $0 == .erased }.count))
                #expect(Self.sample(text, "deletion_requests", ["state": "rejected"]) == Double(states.filter { $0 == .rejected }.count))
                #expect(Self.sample(text, "deletion_requests_overdue") == 0)
                #expect(Self.sample(text, "outbox_depth", ["kind": "identity_code"]) != nil)
            }
        }
    }
}
