import ALTErasureClient
import Foundation

/// What another ALT backend does when an agent deletes a contact: one call through the generated client,
/// which removes the contact with its leads, messages, campaign recipients and search entries.
///
///     ALT_RPC_TOKEN=dev swift run ContactsBackend acc_demo con_demo_1 [host] [port]
@main
struct ContactsBackend {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: ContactsBackend ACCOUNT_ID CONTACT_ID [HOST] [PORT]\n".utf8))
            exit(64)
        }
        let values = Array(arguments)
        let configuration = ALTErasureClient.Configuration(
            host: values.count > 2 ? values[2] : "127.0.0.1",
            port: values.count > 3 ? Int(values[3]) ?? 7700 : 7700,
            token: ProcessInfo.processInfo.environment["ALT_RPC_TOKEN"]
        )
        do {
            let result = try await ALTErasureClient.run(configuration) { client in
                try await client.recordsDeleteContact(accountId: values[0], contactId: values[1])
            }
            let counts = result.deleted.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            print(result.alreadyDeleted ? "already deleted" : "deleted: \(counts)")
        } catch let error as ALTErasureError {
            FileHandle.standardError.write(Data("ContactsBackend: \(error)\n".utf8))
            exit(1)
        }
    }
}
