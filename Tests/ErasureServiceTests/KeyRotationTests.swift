import ALTErasureClient
import ALTStore
import Crypto
import ErasureService
import ServiceTestSupport
import Testing

/// Token key rotation on both stores: every sealed value (tokens, addresses, subjects, outbox) is
/// re-sealed under the current key in batches and opens to what it held; a replacement of a value that
/// changed since it was read does nothing.
@Suite("Token key rotation", .serialized)
struct KeyRotationTests {
    @Test("every value sealed with the old key is re-sealed under the new one, in batches, and opens to the same text", arguments: TestStore.all)
    func reseal(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            // Sealed values of every kind: tokens (seeded), addresses and outbox bodies (a request).
            _ = try await client.deletionCreate(accountId: "acc_demo", scope: .calendar, channel: .support)
            let old = server.requests.environment.cipher
            let before = try await Self.opened(server, cipher: old)
            #expect(Set(before.keys.map(\.column)).isSuperset(of: [.requesterEmail, .outboxRecipient, .outboxPayload, .instagramToken, .calendarTokens]))

            let rotated = old.rotated(to: SymmetricKey(size: .bits256), keyID: "k2")
            var rotation = TokenKeyRotation(store: server.requests.store, cipher: rotated)
            rotation.batchSize = 3
            #expect(try await rotation.usage() == ["k1": before.count])
            #expect(try await rotation.resealBatch() == 3, "one batch at a time")
            #expect(try await rotation.run() == before.count - 3)
            #expect(try await rotation.usage() == ["k2": before.count])
            #expect(try await Self.opened(server, cipher: rotated) == before, "each value opens to what it held")
            #expect(try await rotation.run() == 0, "nothing left")
        }
    }

    @Test("a value that changed since it was read is left as it is", arguments: TestStore.all)
    func staleReplace(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { _, server in
            let cipher = server.requests.environment.cipher
            let value = try #require(try await server.requests.store.read { tx in try await tx.sealed.sealed(notWith: "none", limit: 1) }.first)
            let first = try await server.requests.store.write { tx in
                try await tx.sealed.replace(value, with: try Self.resealed(value.content, cipher: cipher))
            }
            let second = try await server.requests.store.write { tx in
                try await tx.sealed.replace(value, with: try Self.resealed(value.content, cipher: cipher))
            }
            #expect(first && !second)
        }
    }

    struct Place: Hashable {
        let column: SealedValue.Column
        let rowID: String
    }

    /// Every sealed value, opened.
    static func opened(_ server: DemoServer, cipher: TokenCipher) async throws -> [Place: [String?]] {
        let values = try await server.requests.store.read { tx in try await tx.sealed.sealed(notWith: "none", limit: 10_000) }
        var opened: [Place: [String?]] = [:]
        for value in values {
            switch value.content {
            case .text(let text):
                opened[Place(column: value.column, rowID: value.rowID)] = [try cipher.openText(text)]
            case .tokens(let ciphertexts, let keyID):
                opened[Place(column: value.column, rowID: value.rowID)] = try ciphertexts.map { bytes in
                    try bytes.map { try cipher.open(TokenCipher.Sealed(ciphertext: $0, keyID: keyID)) }
                }
            }
        }
        return opened
    }

    static func resealed(_ content: SealedValue.Content, cipher: TokenCipher) throws -> SealedValue.Content {
        switch content {
        case .text(let text): .text(try cipher.sealText(try cipher.openText(text)))
        case .tokens(let ciphertexts, let keyID):
            .tokens(try ciphertexts.map { try $0.map { try cipher.seal(try cipher.open(.init(ciphertext: $0, keyID: keyID))).ciphertext } }, keyID: cipher.currentKeyID)
        }
    }
}
