import ErasureDomain
import ErasureService
import Foundation
import Hummingbird

/// Meta's callbacks as Meta sends them: `POST` with a form field `signed_request`. The same code paths as
/// `instagram.deauthorize` and `instagram.dataDeletionCallback`; a forged, stale or malformed signed request
/// is `400` with a short JSON error and changes nothing.
struct MetaRoutes {
    let integrations: Integrations

    func add(to router: Router<EdgeRequestContext>) {
        router.post("/meta/instagram/deauthorize") { [integrations] request, _ in
            try await Self.signed(request) { signed in
                let result = try await integrations.deauthorize(signedRequest: signed, actor: "meta")
                return Pages.json(["user_known": result != nil, "already_disconnected": result?.alreadyDisconnected ?? false])
            }
        }
        router.post("/meta/instagram/data-deletion") { [integrations] request, _ in
            try await Self.signed(request) { signed in
                let answer = try await integrations.dataDeletionCallback(signedRequest: signed, actor: "meta")
                return Pages.json(["url": answer.url, "confirmation_code": answer.confirmationCode])
            }
        }
    }

    /// Reads `signed_request` and runs `body`, or answers why not.
    static func signed(_ request: Request, _ body: (String) async throws -> Response) async throws -> Response {
        let form: FormBody
        do {
            form = try await FormBody.read(request)
        } catch FormBody.Refusal.notAForm {
            return Pages.jsonError("expected application/x-www-form-urlencoded", reason: "unsupported_content_type", status: .unsupportedMediaType)
        } catch FormBody.Refusal.malformed {
            return Pages.jsonError("the form is not valid", reason: "malformed_form", status: .badRequest)
        }
        guard let signed = form.fields["signed_request"], !signed.isEmpty else {
            return Pages.jsonError("the form has no signed_request", reason: "missing_signed_request", status: .badRequest)
        }
        do {
            return try await body(signed)
        } catch IntegrationError.signedRequest(let failure) {
            return Pages.jsonError(failure.description, reason: failure.reason, status: .badRequest)
        }
    }
}
