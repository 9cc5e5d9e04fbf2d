public import JSONRPC

/// A method descriptor generated from the document, which also knows the errors it declares.
public protocol DocumentedMethod: RPCMethod {
    static var declaredErrorCodes: [Int] { get }
}
