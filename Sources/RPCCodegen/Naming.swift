/// Swift names for schema titles, param names and method names.
enum Naming {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "func", "import", "init", "inout", "internal",
        "let", "operator", "private", "protocol", "public", "static", "struct", "subscript", "typealias", "var",
        "break", "case", "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in",
        "repeat", "return", "switch", "where", "while", "as", "catch", "false", "is", "nil", "rethrows", "super",
        "self", "Self", "throw", "throws", "true", "try", "Type", "Protocol", "any", "some",
    ]

    /// Words split at non-alphanumerics, `_` and `.`, keeping the case inside each word.
    static func words(_ text: String) -> [String] {
        text.split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    static func typeName(_ title: String) -> String {
        let name = words(title).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return name.first?.isNumber == true ? "_" + name : name
    }

    static func lowerCamel(_ text: String) -> String {
        let parts = words(text)
        guard let first = parts.first else { return "_" }
        var name = lowerFirstWord(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if name.first?.isNumber == true { name = "_" + name }
        return keywords.contains(name) ? "`\(name)`" : name
    }

    /// `deletion.status` → `DeletionStatus`; `rpc.discover` → `RPCDiscover`.
    static func operationTypeName(_ method: String) -> String {
        words(method).map { $0 == "rpc" ? "RPC" : $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `deletion.status` → `deletionStatus`.
    static func operationFunctionName(_ method: String) -> String {
        lowerCamel(method)
    }

    /// `NOT_SERVING` → `notServing`, `SERVING` → `serving`, `account` → `account`.
    static func enumCaseName(_ value: String) -> String {
        let parts = words(value)
        let allCaps = value.uppercased() == value
        let normalised = allCaps ? parts.map { $0.lowercased() } : parts
        return lowerCamel(normalised.joined(separator: "_"))
    }

    private static func lowerFirstWord(_ word: String) -> String {
        // An all-caps word (an acronym) is lowered whole: `RPC` → `rpc`, `URL` → `url`.
        if word.uppercased() == word { return word.lowercased() }
        return word.prefix(1).lowercased() + word.dropFirst()
    }
}
