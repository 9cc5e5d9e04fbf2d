public import ALTStore
public import JSONRPC

extension StoreWriteFault: RPCErrorConvertible {
    /// The store could not take the write: nothing was written (the transaction rolled back), and the
    /// same call may succeed once the fault is gone.
    public var rpcError: RPCError {
        RPCError(.unavailable, "the store cannot take writes now: \(reason)", details: ["reason": "store_unwritable"], retryable: true)
    }
}
