public import ALTErasureClient
import Foundation

/// The mailer's side: claims messages and reads the code sent for a request.
public enum Mailer {
    public static func code(for requestID: String, client: ALTErasureClient) async throws -> String {
        let batch = try await client.outboxClaim(kinds: [.identityCode], limit: 100)
        guard let message = batch.messages.last(where: { $0.requestId == requestID }), let code = message.payload["code"]?.stringValue else {
            throw HelperFailure("no code in the outbox for \(requestID)")
        }
        _ = try await client.outboxAck(ids: batch.messages.map(\.id))
        return code
    }
}

/// The integration worker's side: claims provider jobs (Meta unsubscribe, Google stop and revoke; the
/// revoke job comes only after the stop job is acknowledged) and acknowledges each as sent.
public enum IntegrationWorker {
    public static let kinds: [Components.Schemas.OutboxKind] = [.instagramUnsubscribe, .calendarStopChannel, .calendarRevokeToken]

    @discardableResult
    public static func acknowledgeAll(client: ALTErasureClient) async throws -> [Components.Schemas.OutboxKind] {
        var done: [Components.Schemas.OutboxKind] = []
        while true {
            let batch = try await client.outboxClaim(kinds: kinds, limit: 100).messages
            guard !batch.isEmpty else { return done }
            _ = try await client.outboxAck(ids: batch.map(\.id))
            done += batch.map(\.kind)
        }
    }
}

extension ALTErasureClient {
    /// `deletion.execute` answers once the erasure has started; a caller that needs it done polls the status.
    public func executeUntilErased(requestId: String) async throws -> Components.Schemas.DeletionStatus {
        let started = try await deletionExecute(requestId: requestId)
        guard started.state != .erased else { return started }
        return try await waitForState(.erased, requestID: requestId, client: self)
    }
}

/// Polls `deletion.status` until the request reaches `state` (the executor runs in the background);
/// throws when it does not within `timeout`.
public func waitForState(
    _ state: Components.Schemas.RequestState, requestID: String, client: ALTErasureClient, timeout: Duration = .seconds(30)
) async throws -> Components.Schemas.DeletionStatus {
    let deadline = ContinuousClock.now + timeout
    while true {
        let status = try await client.deletionStatus(requestId: requestID)
        if status.state == state { return status }
        guard ContinuousClock.now < deadline else {
            throw HelperFailure("request \(requestID) stayed \(status.state) (waited for \(state))")
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// The RPC error a call failed with (nil when it succeeded, or failed otherwise).
public func rpcError<T>(_ call: () async throws -> T) async -> RPCError? {
    do {
        _ = try await call()
        return nil
    } catch let error as ALTErasureError {
        return error.rpcError
    } catch {
        return nil
    }
}

/// A helper's expectation that did not hold.
public struct HelperFailure: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
