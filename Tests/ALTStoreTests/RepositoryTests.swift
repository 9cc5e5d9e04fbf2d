import ALTStore
import Foundation
import GRDB
import Testing

@Suite("Repositories per aggregate")
struct RepositoryTests {
    @Test("accounts by id and by email (case-insensitive); contacts, leads and campaigns only within their account")
    func lookups() async throws {
        try await StoreFixture.with { store in
            let repository = SQLiteStore(database: store.database, cipher: store.cipher)
            let byID = try await repository.account(id: "acc_demo")
            let byEmail = try await repository.account(email: " DEMO@example.com ")
            let nobody = try await repository.account(email: "nobody@example.com")
            #expect(byID?.email == "demo@example.com")
            #expect(byEmail?.id == "acc_demo")
            #expect(nobody == nil)
            let contact = try await repository.contact(accountID: "acc_demo", id: "con_demo_1")
            let foreign = try await repository.contact(accountID: "acc_other", id: "con_demo_1")
            let contacts = try await repository.contacts(accountID: "acc_demo", limit: 10)
            #expect(contact?.name == "Avery Buyer")
            #expect(foreign == nil)
            #expect(contacts.map(\.id) == ["con_demo_1", "con_demo_2", "con_demo_3"])
            let lead = try await repository.lead(accountID: "acc_demo", id: "lead_demo_1")
            let foreignCampaign = try await repository.campaign(accountID: "acc_other", id: "cmp_demo_1")
            let campaign = try await repository.campaign(accountID: "acc_demo", id: "cmp_demo_1")
            #expect(lead?.contactID == "con_demo_1")
            #expect(foreignCampaign == nil)
            #expect(campaign != nil)
        }
    }

    @Test("search finds contacts and messages of the account only, and ignores query syntax")
    func search() async throws {
        try await StoreFixture.with { store in
            let repository = SQLiteStore(database: store.database, cipher: store.cipher)
            let avery = try await repository.search(accountID: "acc_demo", query: "Avery", limit: 10)
            let elsewhere = try await repository.search(accountID: "acc_other", query: "Avery", limit: 10)
            let message = try await repository.search(accountID: "acc_demo", query: "msg_demo_2_1", limit: 10)
            let syntax = try await repository.search(accountID: "acc_demo", query: "Avery OR \" NEAR(", limit: 10)
            #expect(avery == [SearchHit(kind: "contact", id: "con_demo_1")])
            #expect(elsewhere.isEmpty)
            #expect(message.map(\.id) == ["msg_demo_2_1"])
            #expect(syntax.isEmpty)
        }
    }

    @Test("integration tokens are sealed when stored, opened when read, and never on disk in plaintext")
    func tokens() async throws {
        try await StoreFixture.with { store in
            let repository = SQLiteStore(database: store.database, cipher: store.cipher)
            let token = "IGQVJ-\(UUID().uuidString)"
            let refresh = "1//refresh-\(UUID().uuidString)"
            try await repository.connectInstagram(accountID: "acc_other", igUserID: "ig_other", token: token, at: "2026-11-29T00:00:00Z")
            try await repository.connectCalendar(accountID: "acc_other", googleEmail: "other@gmail.example", accessToken: "ya29.a", refreshToken: refresh, at: "2026-11-29T00:00:00Z")
            let opened = try await repository.instagramToken(accountID: "acc_other")
            let calendar = try await repository.calendarTokens(accountID: "acc_other")
            let connection = try await repository.instagramConnection(accountID: "acc_other")
            #expect(opened == token)
            #expect(calendar?.refresh == refresh)
            #expect(connection?.tokenKeyID == "k1")
            try await store.database.checkpoint()
            let raw = try store.rawFiles()
            #expect(raw.range(of: Data(token.utf8)) == nil)
            #expect(raw.range(of: Data(refresh.utf8)) == nil)
        }
    }
}
