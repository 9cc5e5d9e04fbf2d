import JSONRPC

/// Runs a call against its deadline: whichever comes first decides the answer, and the other is
/// cancelled. Handlers are cancelled cooperatively (`Task.isCancelled`, `Task.checkCancellation()`).
enum CallRace {
    static func run(
        deadline: ContinuousClock.Instant?,
        _ call: @escaping @Sendable () async -> Response.Outcome
    ) async -> Response.Outcome {
        guard let deadline else { return await call() }
        if deadline <= .now { return .error(deadlineExceeded) }
        return await withTaskGroup(of: Response.Outcome?.self) { group in
            group.addTask { await call() }
            group.addTask {
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    return .error(deadlineExceeded)
                } catch {
                    return nil
                }
            }
            defer { group.cancelAll() }
            while let outcome = await group.next() {
                if let outcome { return outcome }
            }
            return .error(RPCError(.cancelled, "the call was cancelled"))
        }
    }

    static let deadlineExceeded = RPCError(.deadlineExceeded, "the call's deadline passed before it finished")
}
