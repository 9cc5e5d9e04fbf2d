public import JSONRPC

/// `health.check`: SERVING, or NOT_SERVING while the server drains. Needs no token.
public enum HealthCheckMethod: RPCMethod {
    public static let name = "health.check"
    public static let parameterNames: [String] = []
    public typealias Params = NoParams

    public struct Result: Codable, Sendable, Equatable {
        public enum Status: String, Codable, Sendable { case serving = "SERVING", notServing = "NOT_SERVING" }
        public var status: Status
        public init(status: Status) { self.status = status }
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
    /// Registers `health.check`, and `rpc.discover` answering with `document` (the OpenRPC document).
    public mutating func registerPlatformMethods(state: ServingState, document: RawJSON) {
        register(HealthCheckMethod.self) { _, _ in
            HealthCheckMethod.Result(status: state.isDraining ? .notServing : .serving)
        }
        registerRaw("rpc.discover", parameterNames: []) { params, _ in
            _ = try JSONRPCCoding.decodeParams(NoParams.self, from: params, names: [])
            return document
        }
    }
}
