public import ErasureDomain
public import JSONRPC

/// Why a deletion call is refused. Each case is its own code and `details.reason`, so a client can
/// tell a wrong code from an expired one without reading the message; no message holds personal data.
public enum DeletionError: Error, Sendable, Equatable, RPCErrorConvertible {
    case requestNotFound(String)
    case accountNotFound(String)
    case confirmationCodeNotFound
    /// The request's state does not allow the action.
    case illegalState(RequestState, action: String)
    case unrecognisedSubject(String)
    case wrongCode(attemptsLeft: Int)
    case codeExpired
    case codeBurned
    case noCode
    case tooManyAttempts
    case tooManyCodes(retryAfterSeconds: Int)
    case invalidArgument(param: String, message: String)

    public var rpcError: RPCError {
        switch self {
        case .requestNotFound(let id):
            RPCError(.notFound, "no deletion request \(id)", details: ["kind": "request", "id": .string(id)])
        case .accountNotFound(let id):
            RPCError(.notFound, "no account \(id)", details: ["kind": "account", "id": .string(id)])
        case .confirmationCodeNotFound:
            RPCError(.notFound, "no deletion request has this confirmation code", details: ["kind": "request"])
        case .illegalState(let state, let action):
            RPCError(
                .failedPrecondition, "the request is \(state.rawValue): it cannot \(action)",
                details: ["reason": "illegal_state", "state": .string(state.rawValue)]
            )
        case .unrecognisedSubject(let accepted):
            RPCError(.invalidArgument, "subject: \(accepted)", details: ["reason": "unrecognised_subject", "param": "subject"])
        case .wrongCode(let left):
            RPCError(.invalidArgument, "code: wrong code, \(left) tries left", details: ["reason": "wrong_code", "attemptsLeft": .int(Int64(left))])
        case .codeExpired:
            RPCError(.failedPrecondition, "the code has expired: ask for a new one (deletion.resendCode)", details: ["reason": "code_expired"])
        case .codeBurned:
            RPCError(.failedPrecondition, "the code was already used or burned: ask for a new one", details: ["reason": "code_burned"])
        case .noCode:
            RPCError(.failedPrecondition, "no code was sent for this request: ask for one (deletion.resendCode)", details: ["reason": "no_code"])
        case .tooManyAttempts:
            RPCError(.resourceExhausted, "too many tries for this code: ask for a new one", details: ["reason": "too_many_attempts"])
        case .tooManyCodes(let seconds):
            RPCError(
                .resourceExhausted, "at most 3 codes an hour: try again in \(seconds) s",
                details: ["reason": "too_many_codes", "retryAfterSeconds": .int(Int64(seconds))]
            )
        case .invalidArgument(let param, let message):
            RPCError(.invalidArgument, "\(param): \(message)", details: ["param": .string(param)])
        }
    }
}

/// A stored value the code cannot use: the store was written by something else.
struct StoreCorruption: Error, CustomStringConvertible {
    let field: String
    let value: String
    var description: String { "unusable \(field) \(value) in the store" }
}

extension RequestStateMachine.IllegalTransition: RPCErrorConvertible {
    /// A transition the request's state does not allow: the same answer as `DeletionError.illegalState`.
    public var rpcError: RPCError { DeletionError.illegalState(state, action: "take \(event.rawValue)").rpcError }
}
