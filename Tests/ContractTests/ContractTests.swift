import ALTErasureClient
import ALTStore
import ErasureService
import Foundation
import Logging
import RPCCodegen
import RPCServer
import ServiceTestSupport
import Testing

@Suite("Contract: server, schema and generated client", .serialized, .timeLimit(.minutes(3)))
struct ContractTests {
    let document: JSONValue
    let methods: [JSONValue]

    init() throws {
        document = try JSONValue(parsing: OpenRPCDocument.text)
        methods = document["methods"]?.arrayValue ?? []
    }

    func method(_ name: String) -> JSONValue? { methods.first { $0["name"]?.stringValue == name } }

    @Test("the server, the document and the generated operations name the same methods")
    func sameMethods() throws {
        var logger = Logger(label: "contract")
        logger.logLevel = .critical
        let database = try AppDatabase.inMemory()
        let requests = DeletionRequests(store: SQLiteErasureStore(database: database), environment: .ephemeral())
        let served = try ErasureServer.makeDispatcher(callers: CallerDirectory(), requests: requests, logger: logger).methodNames
        let documented = methods.compactMap { $0["name"]?.stringValue }.sorted()
        #expect(served == documented)
        #expect(Operations.all.map { $0.name }.sorted() == documented)
    }

    @Test("every example, through the generated client, gives the documented result", arguments: ContractTarget.all)
    func examples(target: ContractTarget) async throws {
        let methods = self.methods
        try await target.run { port in
            let configuration = ALTErasureClient.Configuration(port: port, token: ContractTarget.devToken)
            var instances: [JSONValue] = []
            var examplesRun = 0
            try await ALTErasureClient.run(configuration) { client in
                for operation in Operations.all {
                    let entry = try #require(methods.first { $0["name"]?.stringValue == operation.name })
                    for example in entry["examples"]?.arrayValue ?? [] {
                        let result = try await Self.run(example, of: operation, on: client)
                        examplesRun += 1
                        instances.append(["method": .string(operation.name), "kind": "result", "value": result])
                        // deletion.execute answers once the erasure has started; the examples after it need it done.
                        if operation.name == Operations.DeletionExecute.name, let id = result["requestId"]?.stringValue {
                            _ = try await waitForState(.erased, requestID: id, client: client)
                        }
                        guard example["x-compare"]?.stringValue != "shape" else { continue }
                        #expect(result == example["result"]?["value"], "\(operation.name) example \(example["name"] ?? "")")
                    }
                }
            }
            #expect(examplesRun >= methods.count)
            try validate(instances)
        }
    }

    /// Decodes the example's params into the operation's `Params`, calls it, and re-encodes the result.
    static func run<M: RPCMethod>(_ example: JSONValue, of operation: M.Type, on client: ALTErasureClient) async throws -> JSONValue {
        var object: [String: JSONValue] = [:]
        for param in example["params"]?.arrayValue ?? [] {
            if let name = param["name"]?.stringValue { object[name] = param["value"] ?? .null }
        }
        let params = try JSONRPCCoding.decodeParams(
            M.Params.self,
            from: try RawJSON(JSONValue.object(object).jsonText()),
            names: M.parameterNames
        )
        let result = try await client.call(M.self, params)
        return try JSONValue(parsing: JSONRPCCoding.encode(result).bytes)
    }

    @Test("every declared error is driven once, and its data matches ErrorData", arguments: ContractTarget.all)
    func declaredErrors(target: ContractTarget) async throws {
        let methods = self.methods
        try await target.run { port in
            var instances: [JSONValue] = []
            for operation in Operations.all {
                let entry = try #require(methods.first { $0["name"]?.stringValue == operation.name })
                let declared = operation.declaredErrorCodes
                for code in declared {
                    let driver = try #require(ErrorDrivers.driver(for: code, method: operation.name), "no way to provoke \(code) from \(operation.name): add a driver")
                    let response = try await driver(port, entry)
                    let error = try #require(response.error, "\(operation.name) answered \(response.outcome) where \(code) was expected")
                    #expect(error.code.rawValue == code, "\(operation.name): \(error)")
                    #expect(declared.contains(error.code.rawValue), "\(operation.name) returned undeclared \(error.code)")
                    instances.append(["method": .string(operation.name), "kind": "errorData", "value": error.data])
                }
            }
            try validate(instances)
        }
    }

    @Test("rpc.discover returns the very file in schemas/")
    func discoverIsTheFile() async throws {
        let file = try String(contentsOf: packageRoot.appendingPathComponent("schemas/alt-erasure.openrpc.json"), encoding: .utf8)
        #expect(OpenRPCDocument.text == file)
        try await ContractTarget.inProcess.run { port in
            try await ALTErasureClient.run(.init(port: port, token: ContractTarget.devToken)) { client in
                let discovered = try await client.rpcDiscover()
                #expect(discovered == (try JSONValue(parsing: file)))
            }
        }
    }

    @Test("the committed client is what the document generates (no drift)")
    func noDrift() throws {
        let schema = packageRoot.appendingPathComponent("schemas/alt-erasure.openrpc.json")
        let generated = try Generator().generate(documentText: try String(contentsOf: schema, encoding: .utf8))
        let drift = GeneratedLayout.drift(of: generated, under: packageRoot.appendingPathComponent("clients/swift/Sources"))
        #expect(drift.isEmpty, "differs from what rpc-codegen generates (run swift run rpc-codegen): \(drift)")
    }

    @Test("the document is valid OpenRPC and every example fits its schemas, with nothing pip-installed")
    func documentIsValid() throws {
        try runValidator([packageRoot.appendingPathComponent("schemas/alt-erasure.openrpc.json").path])
    }

    /// Checks values the server returned with the real validator (`schemas/validate.py --instances`).
    func validate(_ instances: [JSONValue]) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("instances-\(UUID().uuidString).json")
        try Data(JSONValue.array(instances).jsonText().utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try runValidator(["--instances", file.path, packageRoot.appendingPathComponent("schemas/alt-erasure.openrpc.json").path])
    }

    /// Runs `schemas/validate.py` (Python's `jsonschema` and the committed OpenRPC meta-schema, nothing else).
    private func runValidator(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("schemas/validate.py").path] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "schema validation failed:\n\(output)")
    }
}
