import Hummingbird
import Prometheus
import RPCServer

/// `GET /healthz`: the process answers. `GET /readyz`: it should get traffic — the store takes writes
/// and it is not draining (503 with the reason otherwise). `GET /metrics`: the Prometheus text of every
/// swift-metrics series the process records (when a registry is given).
struct HealthRoutes {
    let serving: ServingState
    let metrics: PrometheusCollectorRegistry?

    func add(to router: Router<EdgeRequestContext>) {
        router.get("/healthz") { _, _ in Pages.text("ok\n") }
        router.get("/readyz") { [serving] _, _ in
            if serving.isDraining { return Pages.text("draining\n", status: .serviceUnavailable) }
            if let fault = serving.fault { return Pages.text("not ready: \(fault)\n", status: .serviceUnavailable) }
            return Pages.text("ready\n")
        }
        if let metrics {
            router.get("/metrics") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer()))
                )
            }
        }
    }
}
