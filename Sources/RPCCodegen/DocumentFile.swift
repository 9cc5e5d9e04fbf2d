/// Renders the OpenRPC document into Swift source as one raw string literal, so the server's
/// `rpc.discover` answers with the very file, and the drift check keeps the two identical.
enum DocumentFile {
    static func render(documentText: String, header: String) -> String {
        // Enough `#` that no `"#…` run inside the text can end the literal early.
        var longestRun = 0
        var run = 0
        var afterQuote = false
        for character in documentText {
            if character == "#" && afterQuote {
                run += 1
                longestRun = max(longestRun, run)
            } else {
                afterQuote = character == "\"" || character == "\\"
                run = 0
            }
        }
        let delimiter = String(repeating: "#", count: longestRun + 1)
        return """
            \(header)

            /// The OpenRPC document of the ALT Erasure API.
            public enum OpenRPCDocument {
                /// The document, byte for byte the file it was generated from.
                public static let text: String = \(delimiter)\"\"\"
            \(documentText)
            \"\"\"\(delimiter)
            }

            """
    }
}
