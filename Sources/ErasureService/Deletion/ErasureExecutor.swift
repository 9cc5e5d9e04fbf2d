/// Runs each request's erasure at most once at a time: a second caller (the background worker and
/// `deletion.execute` racing) joins the run in progress instead of starting another.
actor ErasureExecutor {
    private var running: [String: Task<Void, any Error>] = [:]

    /// Runs `work` for `requestID`, or waits for the run already under way. With `cancelWithCaller`
    /// the run stops (between batches) when the caller is cancelled, as the worker is on shutdown;
    /// an RPC caller that goes away leaves the erasure running.
    func run(_ requestID: String, cancelWithCaller: Bool, _ work: @escaping @Sendable () async throws -> Void) async throws {
        let task: Task<Void, any Error>
        if let current = running[requestID] {
            task = current
        } else {
            task = Task { try await work() }
            running[requestID] = task
        }
        defer { if running[requestID] == task { running[requestID] = nil } }
        if cancelWithCaller {
            try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        } else {
            try await task.value
        }
    }
}
