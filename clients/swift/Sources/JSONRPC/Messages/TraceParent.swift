/// A W3C `traceparent` value (`00-<trace-id>-<parent-id>-<flags>`, lowercase hex), as the `Traceparent`
/// frame header carries it. Anything else is not a trace context: W3C says to start a new trace then.
public struct TraceParent: Sendable, Equatable {
    /// 32 hex digits, not all zero.
    public let traceID: Substring
    /// 16 hex digits, not all zero.
    public let parentID: Substring
    public let flags: Substring

    public init?(_ header: String) {
        let fields = header.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count >= 4, fields[0].count == 2, fields[0] != "ff",
              fields[1].count == 32, fields[2].count == 16, fields[3].count == 2,
              fields[0...3].allSatisfy(Self.isLowercaseHex),
              fields[1].contains(where: { $0 != "0" }), fields[2].contains(where: { $0 != "0" })
        else { return nil }
        // Version 00 has exactly four fields; a later version may add more after them.
        guard fields[0] != "00" || fields.count == 4 else { return nil }
        traceID = fields[1]
        parentID = fields[2]
        flags = fields[3]
    }

    private static func isLowercaseHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
