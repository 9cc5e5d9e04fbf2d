import ALTStore
import Foundation
import GRDB
import Testing

@Suite("Cascading deletes (P10, I2, I3)")
struct CascadeTests {
    @Test("deleteContact removes the contact and every dependent row, counted as independent SQL counts them")
    func deleteContact() async throws {
        try await StoreFixture.with { store in
            let records = SQLiteRecordsRepository(database: store.database)
            let id = "con_demo_1"
            let expected: [String: Int] = [
                "contacts": 1,
                "leads": try await store.count("SELECT count(*) FROM leads WHERE contact_id = ?", [id]),
                "lead_scores": try await store.count("SELECT count(*) FROM lead_scores WHERE lead_id IN (SELECT id FROM leads WHERE contact_id = ?)", [id]),
                "messages": try await store.count("SELECT count(*) FROM messages WHERE contact_id = ?", [id]),
                "campaign_recipients": try await store.count("SELECT count(*) FROM campaign_recipients WHERE contact_id = ?", [id]),
                "campaign_events": try await store.count("SELECT count(*) FROM campaign_events WHERE recipient_id IN (SELECT id FROM campaign_recipients WHERE contact_id = ?)", [id]),
                "search_index": 1 + (try await store.count("SELECT count(*) FROM messages WHERE contact_id = ?", [id])),
            ]
            #expect(expected["messages"] == 2 && expected["campaign_events"] == 1)
            let other = try await store.checksum(account: "acc_other")

            let result = try await records.deleteContact(accountID: "acc_demo", contactID: id, actor: "test")
            #expect(result == CascadeResult(deleted: expected, alreadyDeleted: false))
            for (table, column) in [("contacts", "id"), ("leads", "contact_id"), ("messages", "contact_id"), ("campaign_recipients", "contact_id")] {
                #expect(try await store.count("SELECT count(*) FROM \(table) WHERE \(column) = ?", [id]) == 0)
            }
            #expect(try await store.count("SELECT count(*) FROM search_index WHERE ref_id = ? OR ref_id LIKE 'msg_demo_1_%'", [id]) == 0)
            #expect(try await store.checksum(account: "acc_other") == other)
            // The other contacts of the same account are untouched.
            #expect(try await store.count("SELECT count(*) FROM contacts WHERE account_id = 'acc_demo'") == 2)
            // The audit entry has ids and counts, no personal data.
            let audit = try await store.database.writer.read { db in try String.fetchOne(db, sql: "SELECT details FROM audit_trail ORDER BY id DESC") }
            #expect(audit?.contains(id) == true)
            #expect(audit?.contains("Avery") == false)
        }
    }

    @Test("no trace of a deleted contact stays in the search entries or the raw files (I2)")
    func forensic() async throws {
        try await StoreFixture.with { store in
            let records = SQLiteRecordsRepository(database: store.database)
            #expect(try await store.count("SELECT count(*) FROM search_index WHERE content LIKE '%avery%'") == 1)
            let secrets = ["Avery Buyer", "avery.buyer@example.com", "[con_demo_1]", "[msg_demo_1_1]", "[msg_demo_1_2]"]
            let before = try store.rawFiles()
            for secret in secrets { #expect(before.range(of: Data(secret.utf8)) != nil, "\(secret) should be on disk before") }
            _ = try await records.deleteContact(accountID: "acc_demo", contactID: "con_demo_1", actor: "test")
            #expect(try await store.count("SELECT count(*) FROM search_index WHERE content LIKE '%avery%'") == 0)
            let raw = try store.rawFiles()
            for secret in secrets + ["avery", "Avery"] {
                #expect(raw.range(of: Data(secret.utf8)) == nil, "\(secret) is still in the database file or WAL")
            }
            // What stays: the other contacts.
            #expect(raw.range(of: Data("Blake Seller".utf8)) != nil)
        }
    }

    @Test("deleteLead and deleteCampaign remove their dependents; repeats answer alreadyDeleted")
    func leadAndCampaign() async throws {
        try await StoreFixture.with { store in
            let records = SQLiteRecordsRepository(database: store.database)
            let lead = try await records.deleteLead(accountID: "acc_demo", leadID: "lead_demo_2", actor: "test")
            #expect(lead == CascadeResult(deleted: ["lead_scores": 1, "messages": 2, "leads": 1, "search_index": 2], alreadyDeleted: false))
            let again = try await records.deleteLead(accountID: "acc_demo", leadID: "lead_demo_2", actor: "test")
            #expect(again == CascadeResult(deleted: ["lead_scores": 0, "messages": 0, "leads": 0, "search_index": 0], alreadyDeleted: true))

            let campaign = try await records.deleteCampaign(accountID: "acc_demo", campaignID: "cmp_demo_1", actor: "test")
            #expect(campaign == CascadeResult(deleted: ["campaign_events": 1, "campaign_recipients": 3, "campaigns": 1], alreadyDeleted: false))
            #expect(try await store.count("SELECT count(*) FROM campaign_recipients WHERE campaign_id = 'cmp_demo_1'") == 0)

            // A lead removed by its contact's cascade is already deleted, not unknown.
            _ = try await records.deleteContact(accountID: "acc_demo", contactID: "con_demo_1", actor: "test")
            #expect(try await records.deleteLead(accountID: "acc_demo", leadID: "lead_demo_1", actor: "test").alreadyDeleted)
        }
    }

    @Test("an id of another account, or no id at all, is NOT_FOUND and changes nothing")
    func isolation() async throws {
        try await StoreFixture.with { store in
            let records = SQLiteRecordsRepository(database: store.database)
            let before = try await store.checksum(account: "acc_other")
            let demoBefore = try await store.checksum(account: "acc_demo")
            await #expect(throws: RecordsError.notFound(kind: "contact", id: "con_acc_other_0")) {
                try await records.deleteContact(accountID: "acc_demo", contactID: "con_acc_other_0", actor: "test")
            }
            await #expect(throws: RecordsError.notFound(kind: "campaign", id: "nope")) {
                try await records.deleteCampaign(accountID: "acc_demo", campaignID: "nope", actor: "test")
            }
            #expect(try await store.checksum(account: "acc_other") == before)
            #expect(try await store.checksum(account: "acc_demo") == demoBefore)
            #expect(try await store.count("SELECT count(*) FROM audit_trail") == 0)
        }
    }
}
