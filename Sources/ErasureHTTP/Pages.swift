import Crypto
import Foundation
import Hummingbird

/// Responses of the public listener: small JSON answers for Meta, plain text for probes, HTML for people.
enum Pages {
    /// No script, no resource from anywhere, and no style but the pages' own sheet (by its SHA-256).
    static let contentSecurityPolicy: String = {
        let styleHash = Data(SHA256.hash(data: Data(StatusPage.style.utf8))).base64EncodedString()
        return "default-src 'none'; style-src 'sha256-\(styleHash)'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    }()

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ object: [String: any Sendable], status: HTTPResponse.Status = .ok) -> Response {
        // Strings and booleans only: serialising them cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{"error": {"message": …, "reason": …}}`: short, and never an internal error's text.
    static func jsonError(_ message: String, reason: String, status: HTTPResponse.Status) -> Response {
        json(["error": ["message": message, "reason": reason] as [String: String]], status: status)
    }

    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A page for an error the listener answers itself (413 for a body over the limit, 404, 500).
    static func error(status: HTTPResponse.Status) -> Response {
        let title = status.code == 404 ? "Not found" : status.code == 413 ? "Too large" : status.code < 500 ? "Not accepted" : "Something went wrong"
        return html(StatusPage.frame(title: title, body: "<h1>\(escape(title))</h1><p>\(escape(status.reasonPhrase)).</p>"), status: status)
    }

    /// Text as HTML text or attribute value.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
