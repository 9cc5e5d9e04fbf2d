import JSONRPC

// libFuzzer calls this with each input: one message body. The validating scanner must never crash or
// hang (deep nesting, huge numbers, bad UTF-8 and escapes included), and a whole-message failure is only
// ever Parse error, Invalid Request (an empty batch) or RESOURCE_EXHAUSTED (a batch over the limit). (Foundation's JSONDecoder is no oracle here: it accepts trailing
// commas and guesses UTF-16/32 from NUL bytes, which RFC 8259 and JSON-RPC bodies do not.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessages(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    switch MessageParser.parse(bytes, maximumBatchSize: 16) {
    case .success(.single(let item)):
        inspect(item)
    case .success(.batch(let items)):
        precondition(!items.isEmpty && items.count <= 16, "a batch of \(items.count) items was accepted")
        items.forEach(inspect)
    case .failure(let error):
        precondition(
            [RPCErrorCode.parseError, .invalidRequest, .resourceExhausted].contains(error.code), "unexpected whole-message error \(error.code)"
        )
    }
    return 0
}

/// Reads what a server reads of each call: the id it echoes and the method it routes on.
func inspect(_ item: RequestItem) {
    switch item {
    case .request(let request):
        _ = request.method.utf8.count
        _ = request.id.map { Response.error(id: $0, .invalidRequest("x")).bytes }
    case .invalid(let id, let error):
        _ = Response.error(id: id, error).bytes
    }
}
