import ArgumentParser
import Foundation
import JSONRPC
import JSONRPCNIO

struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call a method and print its result.",
        discussion: """
            Params are one JSON object or array, or key=value pairs (value is a string) and key:=json
            pairs (value is JSON), e.g.
              rpc-cli call deletion.status requestId=req_123
              rpc-cli call records.deleteContact '{"accountId": "acc_1", "contactId": "con_9"}'
              rpc-cli call outbox.claim limit:=10
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The method, e.g. health.check.")
    var method: String

    @Argument(help: "Params: a JSON object or array, or key=value / key:=json pairs.")
    var params: [String] = []

    @Flag(help: "Send the params without checking them against the method's schema first.")
    var noCheck = false

    func run() async throws {
        let rawParams = try Self.parseParams(params)
        if !noCheck, let document = try await Document.fetchIfAllowed(connection),
            let problem = ParamsCheck(document: document).problem(method: method, params: try rawParams.map { try JSONValue(parsing: $0.bytes) })
        {
            Output.fail("\(problem)\nsee: rpc-cli describe \(method)")
            throw ExitCode(64)
        }
        let response = try await connection.withConnection { connection in
            try await connection.call(method, params: rawParams, timeout: self.connection.timeout?.duration)
        }
        try Self.show(response)
    }

    static func show(_ response: Response) throws {
        switch response.outcome {
        case .result(let result):
            Output.printJSON(try JSONValue(parsing: result.bytes))
        case .error(let error):
            Output.printError(error)
            throw ExitCode(1)
        }
    }

    static func parseParams(_ arguments: [String]) throws -> RawJSON? {
        guard let first = arguments.first else { return nil }
        if arguments.count == 1, let start = first.first, start == "{" || start == "[" {
            do {
                return try RawJSON(first)
            } catch {
                throw ValidationError("params are not valid JSON: \(error)")
            }
        }
        var members: [String: JSONValue] = [:]
        for argument in arguments {
            if let separator = argument.range(of: ":=") {
                let key = String(argument[..<separator.lowerBound])
                let text = String(argument[separator.upperBound...])
                guard let value = try? JSONValue(parsing: text) else {
                    throw ValidationError("\(key):= takes JSON, and \(text) is not valid JSON")
                }
                members[key] = value
            } else if let separator = argument.firstIndex(of: "=") {
                members[String(argument[..<separator])] = .string(String(argument[argument.index(after: separator)...]))
            } else {
                throw ValidationError("'\(argument)' is neither JSON nor key=value nor key:=json")
            }
        }
        return try RawJSON(JSONValue.object(members).jsonText())
    }
}

struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the server's health (SERVING or NOT_SERVING).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let response = try await connection.withConnection { connection in
            try await connection.call("health.check", timeout: self.connection.timeout?.duration)
        }
        try Call.show(response)
        if let status = try response.result.map({ try JSONValue(parsing: $0.bytes) })?["status"]?.stringValue, status != "SERVING" {
            throw ExitCode(1)
        }
    }
}

struct Batch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a file's JSON (one request or a batch array) as one frame and print the answers.",
        discussion: "The file is sent as it is; use - for standard input."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The file with the JSON body, or - for standard input.")
    var file: String

    func run() async throws {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            data = contents
        }
        let body = Array(data)
        let ids = try Self.requestIDs(in: body)
        let responses = try await connection.withConnection { connection in
            try await connection.sendRaw(body, expecting: ids, timeout: self.connection.timeout?.duration)
        }
        let answers = try responses.map { response -> JSONValue in
            var object: [String: JSONValue] = ["jsonrpc": "2.0", "id": try JSONValue(parsing: response.id.json)]
            switch response.outcome {
            case .result(let result): object["result"] = try JSONValue(parsing: result.bytes)
            case .error(let error):
                object["error"] = ["code": .int(Int64(error.code.rawValue)), "message": .string(error.message), "data": error.data]
            }
            return .object(object)
        }
        Output.printJSON(answers.count == 1 && !(body.first { $0 > 0x20 } == UInt8(ascii: "[")) ? answers[0] : .array(answers))
        if responses.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }

    /// The ids of the requests in the body (notifications have none), so their answers can be awaited.
    static func requestIDs(in body: [UInt8]) throws -> [RequestID] {
        guard case .success(let message) = MessageParser.parse(body) else {
            throw ValidationError("the file is not a valid JSON-RPC request or batch")
        }
        let items: [RequestItem] =
            switch message {
            case .single(let item): [item]
            case .batch(let items): items
            }
        return items.compactMap { item in
            switch item {
            case .request(let request): request.id
            case .invalid(let id, _): id
            }
        }
    }
}
