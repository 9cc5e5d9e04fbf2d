import JSONRPC

/// Runs a call against its deadline and its `rpc.cancel` signal: whichever comes first decides the
/// answer, and the others are cancelled. Handlers are cancelled cooperatively (`Task.isCancelled`,
/// `Task.checkCancellation()`), as everywhere in Swift concurrency.
enum CallRace {
    static func run(
        deadline: ContinuousClock.Instant?,
        cancel signal: CancelSignal?,
        _ call: @escaping @Sendable () async -> Response.Outcome
    ) async -> Response.Outcome {
        if deadline == nil && signal == nil { return await call() }
        if let deadline, deadline <= .now { return .error(deadlineExceeded) }
        return await withTaskGroup(of: Response.Outcome?.self) { group in
            group.addTask { await call() }
            if let signal {
                group.addTask {
                    await signal.wait()
                    return Task.isCancelled ? nil : .error(RPCError(.cancelled, "the call was cancelled by rpc.cancel"))
                }
            }
            if let deadline {
                group.addTask {
                    do {
                        try await Task.sleep(until: deadline, clock: .continuous)
                        return .error(deadlineExceeded)
                    } catch {
                        return nil
                    }
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
