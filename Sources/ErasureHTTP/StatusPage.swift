import ErasureDomain
import ErasureService
import Foundation

/// The page a person reads about their deletion request (Meta's callback answer links to it): what was
/// asked, where it stands in plain language, the deadlines, what is kept and why, and, while the request
/// waits for it, a form for the emailed code. It shows no email address, name or account id; every value
/// is escaped. Works without JavaScript and on a phone.
enum StatusPage {
    /// The page of `report`; `notice` is the answer to a code just entered.
    static func render(_ report: RequestReport, notice: Notice? = nil) -> String {
        let request = report.request
        var body = "<h1>Your data deletion request</h1>\n"
        if let notice { body += "<p class=\"notice \(notice.isGood ? "good" : "bad")\" role=\"status\">\(Pages.escape(notice.text))</p>\n" }
        body += "<p class=\"state\"><strong>\(Pages.escape(headline(request)))</strong></p>\n"
        if let reason = request.reason, [.rejected, .failed, .expired, .cancelled].contains(request.state) {
            body += "<p>Reason: \(Pages.escape(reason))</p>\n"
        }
        if request.state == .awaitingVerification || request.state == .received {
            body += form(request)
        }
        body += "<h2>What you asked</h2>\n<p>\(Pages.escape(scope(request.scope)))</p>\n"
        body += "<h2>Where it stands</h2>\n<ol class=\"timeline\">\n"
        for (label, date) in timeline(request) { body += "<li><span>\(Pages.escape(label))</span> <time>\(day(date))</time></li>\n" }
        body += "</ol>\n"
        // A request that ended without erasing (refused, cancelled, expired, superseded) has no deadlines left.
        if ![.rejected, .cancelled, .expired, .superseded].contains(request.state) {
            body += "<h2>Deadlines</h2>\n<ul>\n"
            body += "<li>Erased from our live systems by <time>\(day(request.productionDueBy))</time> (30 days after we received it).</li>\n"
            body += "<li>Gone from our encrypted backups by <time>\(day(report.backupsDueBy))</time> (90 days after we received it).</li>\n"
            body += "</ul>\n"
        }
        body += "<h2>What we keep, and why</h2>\n<ul>\n"
        for kept in report.kept {
            let until = kept.until.map { " until <time>\(day($0))</time>" } ?? ""
            let reason = kept.category == "rest_of_account" ? "The rest of your account stays: this request covers only the data named above" : kept.reason
            body += "<li>\(Pages.escape(reason))\(until).</li>\n"
        }
        body += """
            <li>Billing records are kept for 7 years, because tax law requires it.</li>
            <li>Application logs are kept for 90 days, for security, then deleted.</li>
            <li>Counts that describe no one (how many messages were sent on a day) are kept.</li>
            </ul>
            <p class="code">Confirmation code: <code>\(Pages.escape(request.confirmationCode))</code></p>

            """
        return frame(title: "Deletion request: \(headline(request))", body: body)
    }

    /// The same page's shape for a code that names no request.
    static func notFound() -> String {
        frame(
            title: "Deletion request not found",
            body: """
                <h1>Your data deletion request</h1>
                <p class="state"><strong>We have no request with this confirmation code.</strong></p>
                <p>Check the link in the message you received.</p>

                """
        )
    }

    /// The answer to a code entered in the form.
    struct Notice {
        let text: String
        let isGood: Bool
    }

    static func headline(_ request: DeletionRequest) -> String {
        switch request.state {
        case .received, .awaitingVerification: "Waiting for you to confirm it is you: enter the code we emailed you."
        case .scheduled:
            "Confirmed. Your data will be erased by \(day(request.productionDueBy))."
        case .erasing: "We are erasing your data now."
        case .erased: "Your data has been erased from our live systems; backups follow by their deadline."
        case .completed: "Done: your data has been erased, from backups too."
        case .cancelled: "This request was cancelled. Nothing was erased."
        case .rejected: "We could not act on this request."
        case .expired: "This request expired before it was confirmed. Nothing was erased."
        case .failed: "Erasing hit a problem; we retry on our own, within the same deadline."
        case .superseded: "A newer request covers this one."
        }
    }

    static func scope(_ scope: Scope) -> String {
        switch scope {
        case .account: "Delete your whole Agent Lead Tracker account and everything in it."
        case .instagram: "Delete the data Agent Lead Tracker holds from your Instagram account."
        case .calendar: "Delete the data Agent Lead Tracker holds from your Google Calendar."
        }
    }

    static func timeline(_ request: DeletionRequest) -> [(String, Date)] {
        let steps: [(String, Date?)] = [
            ("Received", request.receivedAt), ("Confirmed", request.verifiedAt), ("Erasing started", request.erasingAt),
            ("Erased from live systems", request.erasedAt), ("Completed", request.completedAt),
            ("Ended", request.completedAt == nil ? request.endedAt : nil),
        ]
        return steps.compactMap { label, date in date.map { (label, $0) } }
    }

    static func form(_ request: DeletionRequest) -> String {
        let action = "/deletion-status/\(Pages.escape(request.confirmationCode.addingPercentEncoding(withAllowedCharacters: Self.pathSafe) ?? ""))/verify"
        return """
            <form method="post" action="\(action)">
            <label for="code">The 6-digit code from our email</label>
            <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
            <button type="submit">Confirm</button>
            </form>

            """
    }

    /// What a confirmation code may keep unescaped in a path (they are letters, digits and hyphens).
    static let pathSafe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_"))

    static func day(_ date: Date) -> String {
        Pages.escape(date.formatted(Date.FormatStyle(date: .long, time: .omitted, timeZone: TimeZone(identifier: "UTC")!).locale(Locale(identifier: "en_US"))))
    }

    /// The pages' one style sheet, inline; the Content-Security-Policy allows exactly it by its hash.
    static let style = """

        body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #f7f7f8; }
        main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; background: #fff; min-height: 100vh; box-sizing: border-box; }
        h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 1.75rem; }
        .state { font-size: 1.1rem; } .notice { padding: .75rem; border-radius: .5rem; }
        .good { background: #e7f6ec; } .bad { background: #fdecea; }
        form { display: grid; gap: .5rem; margin: 1rem 0; } input, button { font: inherit; padding: .6rem; }
        button { background: #1d4ed8; color: #fff; border: 0; border-radius: .4rem; }
        .timeline time, li time { color: #555; } .code { color: #555; font-size: .9rem; margin-top: 2rem; }

        """

    static func frame(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Pages.escape(title)) · Agent Lead Tracker</title>
        <style>\(style)</style>
        </head>
        <body>
        <main>
        \(body)</main>
        </body>
        </html>

        """
    }
}
