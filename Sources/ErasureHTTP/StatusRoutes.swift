import ErasureDomain
import ErasureService
import Foundation
import Hummingbird

/// `GET /deletion-status/{confirmation_code}`: the status page (an unknown code is a 404 page of the same
/// shape, after the same lookup). `POST /deletion-status/{confirmation_code}/verify` with field `code`:
/// the emailed code, with `deletion.verifyIdentity`'s limits and answers, rendered as the page.
/// Both are limited per client (`429` with `Retry-After`): lookups, so codes cannot be guessed by trying
/// pages; entries, beyond each request's own 5 tries.
struct StatusRoutes {
    let requests: DeletionRequests
    let lookups: RateLimit
    let entries: RateLimit
    let proxies: TrustedProxies

    func add(to router: Router<EdgeRequestContext>) {
        let reports = RequestReports(store: requests.store, environment: requests.environment)
        router.group("/deletion-status").add(middleware: RateLimited(limit: lookups, proxies: proxies)).get(":code") { request, context in
            let code = try context.parameters.require("code")
            let (report, found) = try await reports.lookup(confirmationCode: code)
            // An unknown code's stand-in is rendered too, so a 404 takes what a found page takes.
            let page = StatusPage.render(report)
            return found ? Pages.html(page) : Pages.html(StatusPage.notFound(), status: .notFound)
        }
        router.group("/deletion-status").add(middleware: RateLimited(limit: entries, proxies: proxies)).post(":code/verify") { [requests] request, context in
            let confirmation = try context.parameters.require("code")
            let report: RequestReport
            do {
                report = try await reports.status(confirmationCode: confirmation)
            } catch DeletionError.confirmationCodeNotFound {
                return Pages.html(StatusPage.notFound(), status: .notFound)
            }
            let entered: String
            do {
                entered = try await FormBody.read(request).fields["code"]?.trimmingCharacters(in: .whitespaces) ?? ""
            } catch is FormBody.Refusal {
                return Pages.html(StatusPage.render(report, notice: .init(text: "Enter the 6-digit code from our email.", isGood: false)), status: .badRequest)
            }
            guard entered.count == 6, entered.allSatisfy(\.isASCII), entered.allSatisfy(\.isNumber) else {
                return Pages.html(StatusPage.render(report, notice: .init(text: "Enter the 6-digit code from our email.", isGood: false)), status: .badRequest)
            }
            do {
                _ = try await requests.verifyIdentity(requestID: report.request.id, code: entered, actor: "status-page")
            } catch let error as DeletionError {
                guard let text = Self.refusal(error) else { throw error }
                // The page after the refusal (tries left); if that read fails, the page before it says enough.
                let latest = (try? await reports.status(confirmationCode: confirmation)) ?? report
                return Pages.html(StatusPage.render(latest, notice: .init(text: text, isGood: false)), status: .badRequest)
            }
            let confirmed = try await reports.status(confirmationCode: confirmation)
            return Pages.html(StatusPage.render(confirmed, notice: .init(text: "Thank you: it is confirmed that the request is yours.", isGood: true)))
        }
    }

    /// What a person reads when a code is refused (`deletion.verifyIdentity`'s answers).
    static func refusal(_ error: DeletionError) -> String? {
        switch error {
        case .wrongCode(let left): "That code is not right. \(left) \(left == 1 ? "try" : "tries") left."
        case .codeExpired: "That code has expired. Ask us for a new one by replying to our email."
        case .codeBurned, .tooManyAttempts: "Too many wrong tries: this code no longer works. Ask us for a new one by replying to our email."
        case .noCode: "No code has been sent for this request yet."
        case .illegalState: "This request does not need a code any more."
        default: nil
        }
    }
}
