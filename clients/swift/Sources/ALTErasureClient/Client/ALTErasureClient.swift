@_exported public import JSONRPC
@_exported public import JSONRPCNIO

/// The client library of the ALT Erasure Service: the generated API (`Generated/`, made by
/// `rpc-codegen` from `schemas/alt-erasure.openrpc.json`) over the shared JSON-RPC wire.
public enum ALTErasureAPI {
    /// The OpenRPC document this library was generated from.
    public static var document: String { OpenRPCDocument.text }
}
