import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, at most `HTTPEdge.maximumBody` bytes.
struct FormBody {
    let fields: [String: String]

    /// Why a body is not a form this listener takes.
    enum Refusal: Error {
        case notAForm
        case malformed
    }

    static func read(_ request: Request) async throws -> FormBody {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else { throw Refusal.notAForm }
        var request = request
        let buffer = try await request.collectBody(upTo: HTTPEdge.maximumBody)
        return try FormBody(String(buffer: buffer))
    }

    init(_ text: String) throws {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else { throw Refusal.malformed }
            // The first of a repeated field counts.
            if fields[name] == nil { fields[name] = value }
        }
        self.fields = fields
    }

    private static func decode(_ part: Substring) -> String? {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
