import ALTErasureAPI
import ErasureDomain
import JSONRPC
import RPCServer

extension MethodRegistry {
    /// `admin.advanceClock`: only with `--dev`; otherwise the method does not exist for callers (-32601).
    mutating func registerAdmin(_ environment: DeletionEnvironment) {
        register(Operations.AdminAdvanceClock.self) { params, _ in
            guard let clock = environment.devClock else {
                throw RPCError(.unimplemented, "admin.advanceClock exists only when deletiond runs with --dev")
            }
            guard params.seconds.isFinite, params.seconds >= 0 else {
                throw DeletionError.invalidArgument(param: "seconds", message: "must be a number ≥ 0")
            }
            clock.advance(by: params.seconds)
            return .init(now: clock.now())
        }
    }
}
