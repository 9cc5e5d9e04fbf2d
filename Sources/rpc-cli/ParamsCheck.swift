import JSONRPC

/// Checks a call's params against the method's schemas in the server's OpenRPC document before sending,
/// so a typo gets a hint instead of a round trip. The server checks again; this is only for people.
struct ParamsCheck {
    let document: Document

    /// A problem with the params, or nil when they fit.
    func problem(method: String, params: JSONValue?) -> String? {
        guard let entry = document.method(method) else {
            return "no method \(method) in the server's document; see rpc-cli methods"
        }
        let declared = (entry["params"]?.arrayValue ?? []).map(document.resolve)
        var given: [String: JSONValue] = [:]
        switch params {
        case nil: break
        case .object(let members)?: given = members
        case .array(let items)?:
            guard items.count <= declared.count else { return "\(method) takes at most \(declared.count) params by position" }
            for (index, item) in items.enumerated() {
                if let name = declared[index]["name"]?.stringValue { given[name] = item }
            }
        default: return "params must be an object or an array"
        }
        let names = declared.compactMap { $0["name"]?.stringValue }
        for name in given.keys.sorted() where !names.contains(name) {
            return "\(method) has no param '\(name)' (it takes: \(names.isEmpty ? "none" : names.joined(separator: ", ")))"
        }
        for param in declared {
            guard let name = param["name"]?.stringValue else { continue }
            guard let value = given[name] else {
                if param["required"]?.boolValue == true { return "\(method) needs param '\(name)'" }
                continue
            }
            if let schema = param["schema"], let mismatch = check(value, against: document.resolve(schema)) {
                return "param '\(name)' \(mismatch)"
            }
        }
        return nil
    }

    /// The common JSON Schema keywords: type, enum, required, properties, items.
    private func check(_ value: JSONValue, against schema: JSONValue) -> String? {
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            return "must be one of \(options.map { $0.jsonText() }.joined(separator: ", "))"
        }
        let types = schema["type"].map { $0.arrayValue?.compactMap(\.stringValue) ?? [$0.stringValue].compactMap { $0 } } ?? []
        if !types.isEmpty, !types.contains(where: { Self.matches(value, type: $0) }) {
            return "must be \(types.joined(separator: " or ")), not \(value.jsonText())"
        }
        if case .object(let members) = value {
            for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[required] == nil {
                return "needs member '\(required)'"
            }
            for (name, member) in members {
                if let child = schema["properties"]?[name], let mismatch = check(member, against: document.resolve(child)) {
                    return "member '\(name)' \(mismatch)"
                }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() {
                if let mismatch = check(item, against: document.resolve(itemSchema)) { return "item \(index) \(mismatch)" }
            }
        }
        return nil
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("null", .null), ("object", .object), ("array", .array): true
        case ("integer", .int): true
        case ("integer", .double(let number)): number.rounded() == number
        case ("number", .int), ("number", .double): true
        default: false
        }
    }
}
