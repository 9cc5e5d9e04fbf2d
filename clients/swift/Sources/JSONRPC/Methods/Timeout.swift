/// The `Timeout` header in gRPC's `grpc-timeout` format: 1–8 ASCII digits and a unit
/// (`H` hours, `M` minutes, `S` seconds, `m` milliseconds, `u` microseconds, `n` nanoseconds).
public enum Timeout {
    public static func parse(_ text: String) throws(RPCError) -> Duration {
        let utf8 = Array(text.utf8)
        guard (2...9).contains(utf8.count), let unit = utf8.last,
            utf8.dropLast().allSatisfy({ $0 &- UInt8(ascii: "0") < 10 })
        else { throw invalid(text) }
        let amount = utf8.dropLast().reduce(Int64(0)) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
        switch unit {
        case UInt8(ascii: "H"): return .seconds(amount * 3600)
        case UInt8(ascii: "M"): return .seconds(amount * 60)
        case UInt8(ascii: "S"): return .seconds(amount)
        case UInt8(ascii: "m"): return .milliseconds(amount)
        case UInt8(ascii: "u"): return .microseconds(amount)
        case UInt8(ascii: "n"): return .nanoseconds(amount)
        default: throw invalid(text)
        }
    }

    /// Formats a duration for the header, rounded up to the unit that keeps at most 8 digits.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
        let units: [(String, Int64)] = [("n", 1), ("u", 1_000), ("m", 1_000_000), ("S", 1_000_000_000), ("M", 60_000_000_000)]
        for (unit, scale) in units {
            let amount = (nanoseconds + scale - 1) / scale
            if amount < 100_000_000 { return "\(amount)\(unit)" }
        }
        return "\(min(99_999_999, nanoseconds / 3_600_000_000_000 + 1))H"
    }

    private static func invalid(_ text: String) -> RPCError {
        .invalidParams("malformed Timeout header: expected 1-8 digits and a unit H, M, S, m, u or n")
    }
}
