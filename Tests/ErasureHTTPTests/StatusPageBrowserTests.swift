import ALTErasureClient
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceTestSupport
import Testing

/// The status page in a real browser: headless Chromium loads it over a real socket for requests in
/// several states and for an unknown code, writes a screenshot of each (into `ALT_SCREENSHOT_DIR` when
/// set, as `docs/status-page/` was made, else a temporary folder) and checks that each page loaded, has
/// its title and headings, rendered, and wrote nothing to the console (a page of ours runs no script, so
/// any line there is a Content-Security-Policy refusal, a failed load or a script error).
///
/// Chromium is Debian's `chromium`, which `.ci/run` installs; without it the case is skipped, except in
/// CI (`CI` set), where it runs and fails.
@Suite("The status page in headless Chromium")
struct StatusPageBrowserTests {
    static let chromium = HeadlessChromium.find()
    static let required = chromium != nil || ProcessInfo.processInfo.environment["CI"] != nil

    /// A page to load: its file name, its path, its HTTP status and what its DOM must hold.
    struct Screen: Sendable {
        let name: String
        let path: String
        let title: String
        let expected: [String]
        var absent: [String] = []
    }

    @Test(
        "each state's page and the 404 load without console errors, with title and headings, and render",
        .enabled(if: required, "no chromium on PATH (apt-get install -y chromium, as .ci/run does)")
    )
    func screenshots() async throws {
        let chromium = try #require(Self.chromium, "CI must run the browser test: install Debian's chromium")
        let folder = try Self.screenshotFolder()
        try await DemoServer.withClient { client, server in
            let screens = try await Self.prepareStates(client: client, server: server)
            try await HTTPEdgeTests.application(server).test(.live) { http in
                let port = try #require(http.port)
                // What an empty page's screenshot weighs: a rendered status page is several times heavier.
                let blank = folder.appendingPathComponent("blank.png")
                _ = try await chromium.screenshot("about:blank", to: blank)
                let blankSize = try Data(contentsOf: blank).count
                try? FileManager.default.removeItem(at: blank)

                for screen in screens {
                    let url = "http://127.0.0.1:\(port)\(screen.path)"
                    let load = try await chromium.load(url)
                    #expect(load.console.isEmpty, "\(screen.name): console \(load.console)")
                    #expect(load.dom.contains("<title>\(screen.title) · Agent Lead Tracker</title>"), "\(screen.name): title")
                    #expect(load.dom.contains("<h1>Your data deletion request</h1>"), "\(screen.name): heading")
                    for text in screen.expected { #expect(load.dom.contains(text), "\(screen.name): \(text)") }
                    for text in screen.absent { #expect(!load.dom.contains(text), "\(screen.name) has no \(text)") }
                    for hidden in ["demo@example.com", "acc_other@agents.example", "Dana Demo", "acc_demo", "acc_other"] {
                        #expect(!load.dom.contains(hidden), "\(screen.name) shows no \(hidden)")
                    }

                    let file = folder.appendingPathComponent("\(screen.name).png")
                    let console = try await chromium.screenshot(url, to: file)
                    #expect(console.isEmpty, "\(screen.name): console \(console)")
                    let png = try Data(contentsOf: file)
                    let header = PNGHeader(png)
                    #expect(header?.width == HeadlessChromium.window.width && header?.height == HeadlessChromium.window.height, "\(screen.name): PNG")
                    #expect(png.count > blankSize * 4, "\(screen.name) rendered (\(png.count) bytes; blank \(blankSize))")
                }
            }
        }
    }

    @Test("the console check sees a script's error and a refused style", .enabled(if: required, "no chromium on PATH"))
    func consoleCheckCanFail() async throws {
        let chromium = try #require(Self.chromium)
        let script = "<!doctype html><title>t</title><h1>x</h1><script>console.error('broken')</script>"
        let scripted = try await chromium.load("data:text/html;base64,\(Data(script.utf8).base64EncodedString())")
        #expect(scripted.console.contains { $0.contains("broken") }, "\(scripted.console)")
        #expect(scripted.dom.contains("<h1>x</h1>"))

        let styled = #"<!doctype html><meta http-equiv="Content-Security-Policy" content="style-src 'none'"><style>h1 { color: red }</style><h1>x</h1>"#
        let refused = try await chromium.load("data:text/html;base64,\(Data(styled.utf8).base64EncodedString())")
        #expect(refused.console.contains { $0.contains("Content Security Policy") }, "\(refused.console)")
    }

    /// Requests in the states a person meets: waiting for the code (the form), confirmed and scheduled,
    /// erased with backups to follow, refused with its reason; and an unknown code.
    static func prepareStates(client: ALTErasureClient, server: DemoServer) async throws -> [Screen] {
        // Scheduled: a calendar request of acc_demo, confirmed with the emailed code.
        let calendar = try await client.deletionCreate(accountId: "acc_demo", scope: .calendar, channel: .support)
        _ = try await client.deletionVerifyIdentity(requestId: calendar.requestId, code: try await Mailer.code(for: calendar.requestId, client: client))
        let scheduled = try await client.deletionStatus(requestId: calendar.requestId)
        try #require(scheduled.state == .scheduled)

        // Erased: the demo's Instagram request, confirmed and carried out, a backup taken before it.
        _ = try await client.backupsCreate()
        _ = try await client.deletionVerifyIdentity(requestId: "req_demo_ig", code: "123456")
        let erased = try await server.executeUntilDone("req_demo_ig", client: client)
        try #require(erased.state == .erased)

        return [
            Screen(
                name: "awaiting-code", path: "/deletion-status/DEMO-AC-0001",
                title: "Deletion request: Waiting for you to confirm it is you: enter the code we emailed you.",
                expected: ["<form method=\"post\" action=\"/deletion-status/DEMO-AC-0001/verify\">", "whole Agent Lead Tracker account", "<h2>Deadlines</h2>"]
            ),
            Screen(
                name: "scheduled", path: "/deletion-status/\(scheduled.confirmationCode)",
                title: "Deletion request: Confirmed. Your data will be erased by \(Self.day(scheduled.deadlines.productionDueBy)).",
                expected: ["Google Calendar", "<span>Confirmed</span>", "<h2>What we keep, and why</h2>"]
            ),
            Screen(
                name: "erased", path: "/deletion-status/DEMO-IG-0001",
                title: "Deletion request: Your data has been erased from our live systems; backups follow by their deadline.",
                expected: ["Instagram", "<span>Erased from live systems</span>", "90 days after", "The rest of your account stays"]
            ),
            Screen(
                name: "rejected", path: "/deletion-status/DEMO-RJ-0001", title: "Deletion request: We could not act on this request.",
                expected: ["Reason: no account uses the sender"], absent: ["<h2>Deadlines</h2>"]
            ),
            Screen(
                name: "not-found", path: "/deletion-status/NO-SUCH-CODE-0000", title: "Deletion request not found",
                expected: ["We have no request with this confirmation code."]
            ),
        ]
    }

    static func day(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .long, time: .omitted, timeZone: TimeZone(identifier: "UTC")!).locale(Locale(identifier: "en_US")))
    }

    static func screenshotFolder() throws -> URL {
        let folder = ProcessInfo.processInfo.environment["ALT_SCREENSHOT_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("status-page-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
