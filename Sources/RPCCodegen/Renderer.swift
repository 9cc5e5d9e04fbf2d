import Foundation

/// Renders the API model as Swift files of the client library.
struct Renderer {
    let model: APIModel
    let header: String

    /// Path under the client package's `Sources/` → contents.
    func files() -> [String: String] {
        [
            "\(GeneratedLayout.apiFolder)/Types.swift": types(),
            "\(GeneratedLayout.apiFolder)/Operations.swift": operations(),
            "\(GeneratedLayout.apiFolder)/Errors.swift": errors(),
            "\(GeneratedLayout.clientFolder)/Client.swift": client(),
        ]
    }

    /// Foundation is imported only where a `Date` appears.
    private var foundationIfNeeded: [String] {
        func usesDate(_ type: TypeReference) -> Bool {
            switch type {
            case .date: true
            case .array(let element), .map(let element): usesDate(element)
            default: false
            }
        }
        let fields = model.types.flatMap { type -> [Field] in
            if case .object(let fields) = type.kind { fields } else { [] }
        } + model.operations.flatMap(\.parameters)
        let results = model.operations.map(\.result)
        return (fields.map(\.type) + results).contains(where: usesDate) ? ["Foundation"] : []
    }

    private func start(_ imports: [String]) -> SwiftWriter {
        var writer = SwiftWriter()
        for line in header.split(separator: "\n") { writer.line(String(line)) }
        writer.line()
        for module in imports { writer.line("public import \(module)") }
        writer.line()
        return writer
    }

    // MARK: Types

    private func types() -> String {
        var writer = start(foundationIfNeeded + ["JSONRPC"])
        writer.doc("The shared types of \(model.title) \(model.version), named by their schema titles.")
        writer.block("public enum Components") { writer in
            writer.block("public enum Schemas") { writer in
                for (index, type) in model.types.enumerated() {
                    if index > 0 { writer.line() }
                    render(type, into: &writer)
                }
            }
        }
        return writer.text
    }

    private func render(_ type: TypeDeclaration, into writer: inout SwiftWriter) {
        writer.doc(type.summary)
        switch type.kind {
        case .object(let fields):
            writer.block("public struct \(type.name): Codable, Hashable, Sendable") { writer in
                renderFields(fields, into: &writer)
            }
        case .stringEnum(let values):
            writer.doc(type.summary == nil ? "One of the values the document lists; values added later decode too." : nil)
            writer.block("public struct \(type.name): RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible") { writer in
                writer.line("public let rawValue: String")
                writer.line()
                writer.line("public init(rawValue: String) { self.rawValue = rawValue }")
                writer.line()
                writer.line("public var description: String { rawValue }")
                writer.line()
                for value in values {
                    writer.line("public static let \(Naming.enumCaseName(value)) = Self(rawValue: \(quoted(value)))")
                }
                writer.line()
                writer.line("/// Every value the document lists, in its order.")
                writer.line("public static let documented: [Self] = [\(values.map { "." + Naming.enumCaseName($0) }.joined(separator: ", "))]")
            }
        }
    }

    /// Stored properties, a memberwise public initialiser, and coding keys when a name differs.
    private func renderFields(_ fields: [Field], into writer: inout SwiftWriter) {
        for field in fields {
            writer.doc(field.summary)
            writer.line("public var \(field.swiftName): \(field.type.swift)\(field.isRequired ? "" : "?")")
        }
        if !fields.isEmpty { writer.line() }
        let arguments = fields.map { "\($0.swiftName): \($0.type.swift)\($0.isRequired ? "" : "? = nil")" }.joined(separator: ", ")
        writer.block("public init(\(arguments))") { writer in
            for field in fields {
                let name = field.swiftName.trimmingBackticks
                writer.line("self.\(name) = \(field.swiftName)")
            }
        }
        if fields.contains(where: { $0.swiftName.trimmingBackticks != $0.jsonName }) {
            writer.line()
            writer.block("enum CodingKeys: String, CodingKey") { writer in
                for field in fields {
                    let name = field.swiftName
                    writer.line(name.trimmingBackticks == field.jsonName ? "case \(name)" : "case \(name) = \(quoted(field.jsonName))")
                }
            }
        }
    }

    // MARK: Operations

    private func operations() -> String {
        var writer = start(foundationIfNeeded + ["JSONRPC"])
        writer.doc("One method descriptor per method of the document: its wire name, params and result.")
        writer.block("public enum Operations") { writer in
            for (index, operation) in model.operations.enumerated() {
                if index > 0 { writer.line() }
                writer.doc(documentation(operation))
                writer.block("public enum \(operation.typeName): DocumentedMethod") { writer in
                    writer.line("public static let name = \(quoted(operation.methodName))")
                    let names = operation.parameters.map { quoted($0.jsonName) }.joined(separator: ", ")
                    writer.line("public static let parameterNames: [String] = [\(names)]")
                    writer.line("public static let isIdempotent = \(operation.isIdempotent)")
                    writer.line("/// The errors the document declares for this method.")
                    let codes = operation.errorNames.compactMap { name in model.errors.first { $0.name == name }?.code }
                    writer.line("public static let declaredErrorCodes: [Int] = [\(codes.map(String.init).joined(separator: ", "))]")
                    writer.line("public typealias Result = \(operation.result.swift)")
                    if operation.parameters.isEmpty {
                        writer.line("public typealias Params = NoParams")
                    } else {
                        writer.line()
                        writer.block("public struct Params: Codable, Hashable, Sendable") { writer in
                            renderFields(operation.parameters, into: &writer)
                        }
                    }
                }
            }
            writer.line()
            writer.line("/// Every method of the document, in its order.")
            writer.line("public static let all: [any DocumentedMethod.Type] = [")
            for operation in model.operations { writer.line("    \(operation.typeName).self,") }
            writer.line("]")
        }
        return writer.text
    }

    // MARK: Client

    private func client() -> String {
        var writer = start(foundationIfNeeded + ["ALTErasureAPI", "JSONRPC"])
        writer.block("extension ALTErasureClient") { writer in
            for (index, operation) in model.operations.enumerated() {
                if index > 0 { writer.line() }
                writer.doc(documentation(operation))
                if !operation.errorNames.isEmpty {
                    writer.line("///")
                    writer.line("/// Declared errors: \(operation.errorNames.map { "`.\(Naming.lowerCamel($0).trimmingBackticks)`" }.joined(separator: ", ")).")
                }
                var arguments = operation.parameters.map { "\($0.swiftName.trimmingBackticks): \($0.type.swift)\($0.isRequired ? "" : "? = nil")" }
                arguments.append("options: CallOptions = CallOptions()")
                let signature = "public func \(operation.functionName)(\(arguments.joined(separator: ", "))) async throws(ALTErasureError) -> \(operation.result.swift)"
                writer.block(signature) { writer in
                    let params =
                        operation.parameters.isEmpty
                        ? "NoParams()"
                        : "Operations.\(operation.typeName).Params(\(operation.parameters.map { "\($0.swiftName.trimmingBackticks): \($0.swiftName)" }.joined(separator: ", ")))"
                    writer.line("try await call(Operations.\(operation.typeName).self, \(params), options: options)")
                }
            }
        }
        return writer.text
    }

    // MARK: Errors

    private func errors() -> String {
        var writer = start(["JSONRPC"])
        writer.doc(
            """
            Every error the document declares, one case each, plus `undeclared` for a code it does not
            declare (a newer server may add some). Each case carries the full `RPCError`.
            """
        )
        writer.block("public enum ALTErasureError: Error, Sendable, CustomStringConvertible") { writer in
            for error in model.errors {
                writer.line("/// \(error.code): \(error.message)")
                writer.line("case \(error.caseName)(RPCError)")
            }
            writer.line("/// A code the document does not declare.")
            writer.line("case undeclared(RPCError)")
            writer.line()
            writer.block("public init(_ error: RPCError)") { writer in
                writer.block("switch error.code.rawValue") { writer in
                    for error in model.errors { writer.line("case \(error.code): self = .\(error.caseName)(error)") }
                    writer.line("default: self = .undeclared(error)")
                }
            }
            writer.line()
            writer.line("/// The error as it came over the wire.")
            writer.block("public var rpcError: RPCError") { writer in
                writer.block("switch self") { writer in
                    for name in model.errors.map(\.caseName) + ["undeclared"] {
                        writer.line("case .\(name)(let error): error")
                    }
                }
            }
            writer.line()
            writer.line("public var description: String { rpcError.description }")
        }
        return writer.text
    }

    private func documentation(_ operation: Operation) -> String {
        var text = "`\(operation.methodName)`"
        if let summary = operation.summary { text += ": \(summary)" }
        if let description = operation.description { text += "\n\n\(description)" }
        if operation.isIdempotent { text += "\n\nIdempotent: the client retries it on transient failures." }
        return text
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

extension String {
    var trimmingBackticks: String { trimmingCharacters(in: ["`"]) }
}
