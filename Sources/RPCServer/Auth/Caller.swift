/// An authenticated caller: a name for logs and audit, and the methods it may call.
public struct Caller: Sendable, Equatable {
    public var name: String
    public var allowedMethods: [MethodPattern]

    public init(name: String, allowedMethods: [MethodPattern]) {
        self.name = name
        self.allowedMethods = allowedMethods
    }

    public func mayCall(_ method: String) -> Bool {
        allowedMethods.contains { $0.matches(method) }
    }
}

/// A method name, `group.*` for every method of a group, or `*` for every method.
public struct MethodPattern: Sendable, Equatable, Codable, CustomStringConvertible {
    public let pattern: String

    public init(_ pattern: String) { self.pattern = pattern }

    public init(from decoder: any Decoder) throws {
        self.pattern = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(pattern)
    }

    public func matches(_ method: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return method.hasPrefix(pattern.dropLast()) }
        return method == pattern
    }

    public var description: String { pattern }
}
