/// One answer: a result (already encoded JSON text) or an error, for the call with `id`.
public struct Response: Sendable {
    public enum Outcome: Sendable {
        case result(RawJSON)
        case error(RPCError)
    }

    public var id: RequestID
    public var outcome: Outcome

    public init(id: RequestID, outcome: Outcome) {
        self.id = id
        self.outcome = outcome
    }

    public static func error(id: RequestID, _ error: RPCError) -> Self { Self(id: id, outcome: .error(error)) }
    public static func result(id: RequestID, _ result: RawJSON) -> Self { Self(id: id, outcome: .result(result)) }

    public var error: RPCError? { if case .error(let error) = outcome { error } else { nil } }
    public var result: RawJSON? { if case .result(let result) = outcome { result } else { nil } }
}

extension Response {
    /// Appends the response object's JSON text. Written by hand: the result is already JSON text, and
    /// the envelope is a handful of bytes that need no encoder.
    public func write(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        switch id {
        case .string(let value): JSONText.appendQuoted(value, to: &out)
        case .number(let literal): out.append(contentsOf: literal.utf8)
        case .null: out.append(contentsOf: "null".utf8)
        }
        switch outcome {
        case .result(let result):
            out.append(contentsOf: #","result":"#.utf8)
            out.append(contentsOf: result.bytes)
        case .error(let error):
            out.append(contentsOf: #","error":{"code":"#.utf8)
            out.append(contentsOf: String(error.code.rawValue).utf8)
            out.append(contentsOf: #","message":"#.utf8)
            JSONText.appendQuoted(error.message, to: &out)
            out.append(contentsOf: #","data":"#.utf8)
            out.append(contentsOf: error.data.jsonText().utf8)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The JSON text of a single response.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + (result?.bytes.count ?? 64))
        write(to: &out)
        return out
    }

    /// The JSON text of a batch answer: responses in the order given.
    public static func batchBytes(_ responses: [Response]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, response) in responses.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            response.write(to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}
