public import JSONRPC

/// `health.check`: SERVING, or NOT_SERVING with a reason while the server drains or has a fault (the store
/// cannot be written). Needs no token.
public enum HealthCheckMethod: RPCMethod {
    public static let name = "health.check"
    public static let parameterNames: [String] = []
    public typealias Params = NoParams

    public struct Result: Codable, Sendable, Equatable {
        public enum Status: String, Codable, Sendable { case serving = "SERVING", notServing = "NOT_SERVING" }
        public var status: Status
        /// Why it is NOT_SERVING.
        public var reason: String?
        public init(status: Status, reason: String? = nil) {
            self.status = status
            self.reason = reason
        }
    }
}

/// `rpc.cancel {id}`: cancels the call with that id on the same connection, which then answers CANCELLED.
/// Meant as a notification; sent as a request it answers whether a call was found.
public enum CancelMethod: RPCMethod {
    public static let name = "rpc.cancel"
    public static let parameterNames = ["id"]

    public struct Params: Codable, Sendable {
        public var id: RequestID
        public init(id: RequestID) { self.id = id }
    }

    public struct Result: Codable, Sendable {
        public var cancelled: Bool
    }
}

extension MethodRegistry {
    /// Registers `health.check`, and `rpc.discover` answering with `document` (the OpenRPC document);
    /// both answer from memory, so both are immediate: a probe is answered even while every in-flight
    /// slot of its connection is taken.
    public mutating func registerPlatformMethods(state: ServingState, document: RawJSON) {
        // The usual answer, encoded once: a probe's call is the cheapest there is.
        // (Cannot fail for this value; if it did, each probe would encode its answer itself below.)
        let serving = try? JSONRPCCoding.encode(HealthCheckMethod.Result(status: .serving))
        registerRawImmediate(HealthCheckMethod.name, parameterNames: HealthCheckMethod.parameterNames) { params, _ in
            _ = try JSONRPCCoding.decodeParams(NoParams.self, from: params, names: HealthCheckMethod.parameterNames)
            if state.isDraining {
                return try JSONRPCCoding.encode(HealthCheckMethod.Result(status: .notServing, reason: "draining: the server is shutting down"))
            }
            if let fault = state.fault { return try JSONRPCCoding.encode(HealthCheckMethod.Result(status: .notServing, reason: fault)) }
            return try serving ?? JSONRPCCoding.encode(HealthCheckMethod.Result(status: .serving))
        }
        registerRawImmediate("rpc.discover", parameterNames: []) { params, _ in
            _ = try JSONRPCCoding.decodeParams(NoParams.self, from: params, names: [])
            return document
        }
    }
}
