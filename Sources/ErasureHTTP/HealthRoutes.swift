import Hummingbird
import RPCServer

/// `GET /healthz`: the process answers. `GET /readyz`: it should get traffic — the store takes writes
/// and it is not draining (503 with the reason otherwise).
struct HealthRoutes {
    let serving: ServingState

    func add(to router: Router<EdgeRequestContext>) {
        router.get("/healthz") { _, _ in Pages.text("ok\n") }
        router.get("/readyz") { [serving] _, _ in
            if serving.isDraining { return Pages.text("draining\n", status: .serviceUnavailable) }
            if let fault = serving.fault { return Pages.text("not ready: \(fault)\n", status: .serviceUnavailable) }
            return Pages.text("ready\n")
        }
    }
}
