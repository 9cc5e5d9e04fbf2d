/// Describes one method of an API: its wire name and its parameter and result types.
///
/// The same descriptor serves both ends: a server registers a handler for it, a client calls it.
/// Generated code declares one per method of the OpenRPC document.
public protocol RPCMethod: Sendable {
    associatedtype Params: Codable & Sendable
    associatedtype Result: Codable & Sendable

    /// The method name on the wire, e.g. `deletion.status`.
    static var name: String { get }
    /// The parameter names in positional order, so by-position params map onto `Params`. A call by
    /// name may use only these names.
    static var parameterNames: [String] { get }
    /// Whether a call may be repeated safely; clients retry only such calls on transient failures.
    static var isIdempotent: Bool { get }
}

extension RPCMethod {
    public static var isIdempotent: Bool { false }
}

/// The parameters of a method that takes none: `params` absent, `{}` or `[]`.
public struct NoParams: Codable, Sendable, Equatable {
    public init() {}
}
