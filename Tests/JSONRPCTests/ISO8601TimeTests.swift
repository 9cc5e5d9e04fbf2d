import Foundation
import ISO8601Time
import Testing

@Suite("ISO 8601 timestamps")
struct ISO8601TimeTests {
    @Test("formatting matches Foundation's ISO 8601 output to the second, over centuries and leap days")
    func matchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        let samples = [0, -1, 951_782_400, 1_709_164_800, 4_107_542_399, -2_208_988_800]
            + (0..<2_000).map { _ in Double(Int64.random(in: -2_000_000_000...5_000_000_000, using: &generator)) + 0.75 }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: Double(seconds))
            let expected = date.formatted(.iso8601)
            #expect(ISO8601Time.format(date) == expected)
            #expect(ISO8601Time.parse(expected) == Date(timeIntervalSince1970: Double(seconds).rounded(.down)))
        }
    }

    @Test("parses offsets and fractions; refuses anything malformed")
    func parsing() {
        #expect(ISO8601Time.parse("2026-11-29T10:00:00+01:00") == ISO8601Time.parse("2026-11-29T09:00:00Z"))
        #expect(ISO8601Time.parse("2026-11-29T09:00:00.500Z")?.timeIntervalSince1970 == ISO8601Time.parse("2026-11-29T09:00:00Z")!.timeIntervalSince1970 + 0.5)
        for bad in ["", "2026-11-29", "2026-11-29 09:00:00Z", "2026-02-30T09:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T09:00:00",
                    "2026-11-29T09:00:00Zjunk", "2026-11-29T09:00:00.Z", "2026-13-01T00:00:00Z", "2026-11-29T09:00:00+1:00"] {
            #expect(ISO8601Time.parse(bad) == nil, "\(bad)")
        }
    }
}
