/// Translates the document into the generator's model of Swift declarations: named types (from schema
/// titles), operations (one per method) and errors. Every problem names the method and JSON pointer.
struct Translator {
    let document: OpenRPCDocument

    private(set) var types: [String: TypeDeclaration] = [:]
    /// Which pointer first declared each type name, to report clashes.
    private var typeOrigins: [String: String] = [:]

    init(document: OpenRPCDocument) {
        self.document = document
    }

    mutating func translate() throws(Generator.Failure) -> APIModel {
        for (name, schema) in (document.components?.schemas ?? [:]).sorted(by: { $0.key < $1.key }) {
            _ = try typeReference(schema, pointer: "/components/schemas/\(name)", context: "components", suggested: name)
        }
        var operations: [Operation] = []
        var swiftNames: [String: String] = [:]
        for (index, method) in document.methods.enumerated() {
            let pointer = "/methods/\(index)"
            let operation = try translate(method, pointer: pointer)
            if let other = swiftNames[operation.typeName] {
                throw failure(method.name, pointer, "its Swift name \(operation.typeName) clashes with method \(other)")
            }
            swiftNames[operation.typeName] = method.name
            operations.append(operation)
        }
        let errors = (document.components?.errors ?? [:]).sorted { $0.key < $1.key }.compactMap { name, error -> ErrorCase? in
            guard let code = error.code else { return nil }
            return ErrorCase(name: name, caseName: Naming.lowerCamel(name), code: code, message: error.message ?? name)
        }
        return APIModel(
            title: document.info.title,
            version: document.info.version,
            types: types.values.sorted { $0.name < $1.name },
            operations: operations,
            errors: errors.sorted { $0.code > $1.code }
        )
    }

    private mutating func translate(_ method: OpenRPCDocument.Method, pointer: String) throws(Generator.Failure) -> Operation {
        guard let resultDescriptor = method.result else {
            throw failure(method.name, "\(pointer)/result", "has no result schema")
        }
        guard !(method.examples ?? []).isEmpty else {
            throw failure(method.name, "\(pointer)/examples", "has no example")
        }
        var parameters: [Field] = []
        for (position, descriptor) in method.params.enumerated() {
            let paramPointer = "\(pointer)/params/\(position)"
            let resolved = try resolve(descriptor, method: method.name, pointer: paramPointer)
            guard let name = resolved.name, let schema = resolved.schema else {
                throw failure(method.name, paramPointer, "a param needs a name and a schema")
            }
            let type = try typeReference(schema, pointer: "\(paramPointer)/schema", context: method.name, suggested: nil)
            parameters.append(
                Field(jsonName: name, swiftName: Naming.lowerCamel(name), type: type, isRequired: resolved.required == true, summary: resolved.description)
            )
        }
        let result = try resolve(resultDescriptor, method: method.name, pointer: "\(pointer)/result")
        guard let resultSchema = result.schema else {
            throw failure(method.name, "\(pointer)/result/schema", "has no result schema")
        }
        let resultType = try typeReference(resultSchema, pointer: "\(pointer)/result/schema", context: method.name, suggested: nil)
        var errorNames: [String] = []
        for (position, error) in (method.errors ?? []).enumerated() {
            guard let reference = error.ref else {
                throw failure(method.name, "\(pointer)/errors/\(position)", "declare errors in components.errors and refer to them")
            }
            let name = String(reference.split(separator: "/").last ?? "")
            guard reference.hasPrefix("#/components/errors/"), document.components?.errors?[name] != nil else {
                throw failure(method.name, "\(pointer)/errors/\(position)", "unresolved reference \(reference)")
            }
            errorNames.append(name)
        }
        return Operation(
            methodName: method.name,
            typeName: Naming.operationTypeName(method.name),
            functionName: Naming.operationFunctionName(method.name),
            summary: method.summary,
            description: method.description,
            parameters: parameters,
            result: resultType,
            isIdempotent: method.idempotent ?? false,
            errorNames: errorNames
        )
    }

    private func resolve(
        _ descriptor: OpenRPCDocument.ContentDescriptor,
        method: String,
        pointer: String
    ) throws(Generator.Failure) -> OpenRPCDocument.ContentDescriptor {
        guard let reference = descriptor.ref else { return descriptor }
        let name = String(reference.split(separator: "/").last ?? "")
        guard reference.hasPrefix("#/components/contentDescriptors/"),
            let target = document.components?.contentDescriptors?[name]
        else {
            throw failure(method, pointer, "unresolved reference \(reference)")
        }
        return target
    }

    /// The Swift type of a schema; object and enum schemas become named types (named by their title).
    private mutating func typeReference(
        _ schema: Schema,
        pointer: String,
        context: String,
        suggested: String?
    ) throws(Generator.Failure) -> TypeReference {
        if let reference = schema.ref {
            let name = String(reference.split(separator: "/").last ?? "")
            guard reference.hasPrefix("#/components/schemas/"), let target = document.components?.schemas?[name] else {
                throw failure(context, pointer, "unresolved reference \(reference)")
            }
            // The target decides: objects and enums are named types, anything else maps to its Swift type.
            return try typeReference(target, pointer: "/components/schemas/\(name)", context: "components", suggested: name)
        }
        let nonNull = schema.types.filter { $0 != "null" }
        if schema.properties != nil || schema.enumValues != nil {
            guard let title = schema.title ?? suggested else {
                throw failure(context, pointer, "a schema that names a type needs a title")
            }
            let name = Naming.typeName(title)
            if let origin = typeOrigins[name], origin != pointer {
                throw failure(context, pointer, "type name \(name) clashes with the schema at \(origin)")
            }
            typeOrigins[name] = pointer
            if let values = schema.enumValues {
                guard nonNull == ["string"] || nonNull.isEmpty else {
                    throw failure(context, pointer, "only string enums are supported")
                }
                types[name] = TypeDeclaration(name: name, summary: schema.description, kind: .stringEnum(values))
            } else {
                var fields: [Field] = []
                let required = Set(schema.required ?? [])
                for (property, child) in (schema.properties ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let type = try typeReference(child, pointer: "\(pointer)/properties/\(property)", context: context, suggested: nil)
                    fields.append(
                        Field(jsonName: property, swiftName: Naming.lowerCamel(property), type: type, isRequired: required.contains(property), summary: child.description)
                    )
                }
                types[name] = TypeDeclaration(name: name, summary: schema.description, kind: .object(fields))
            }
            return .named(name)
        }
        guard nonNull.count == 1, let type = nonNull.first else { return .json }
        switch type {
        case "string": return schema.format == "date-time" ? .date : .string
        case "integer": return .int
        case "number": return .double
        case "boolean": return .bool
        case "object":
            guard let values = schema.additionalProperties else { return .json }
            return .map(try typeReference(values, pointer: "\(pointer)/additionalProperties", context: context, suggested: nil))
        case "array":
            guard let items = schema.items else { return .array(.json) }
            return .array(try typeReference(items, pointer: "\(pointer)/items", context: context, suggested: nil))
        default: return .json
        }
    }

    private func failure(_ method: String, _ pointer: String, _ message: String) -> Generator.Failure {
        Generator.Failure(message: "\(method) (\(pointer)): \(message)")
    }
}

/// What the generator knows about the API, ready to render.
struct APIModel {
    let title: String
    let version: String
    let types: [TypeDeclaration]
    let operations: [Operation]
    let errors: [ErrorCase]
}

struct TypeDeclaration {
    enum Kind {
        case object([Field])
        case stringEnum([String])
    }

    let name: String
    let summary: String?
    let kind: Kind
}

struct Field {
    let jsonName: String
    let swiftName: String
    let type: TypeReference
    let isRequired: Bool
    let summary: String?
}

indirect enum TypeReference {
    case named(String)
    case string, int, double, bool, date, json
    case array(TypeReference)
    case map(TypeReference)

    var swift: String {
        switch self {
        case .named(let name): "Components.Schemas.\(name)"
        case .string: "String"
        case .int: "Int"
        case .double: "Double"
        case .bool: "Bool"
        case .date: "Date"
        case .json: "JSONValue"
        case .array(let element): "[\(element.swift)]"
        case .map(let value): "[String: \(value.swift)]"
        }
    }
}

struct Operation {
    let methodName: String
    let typeName: String
    let functionName: String
    let summary: String?
    let description: String?
    let parameters: [Field]
    let result: TypeReference
    let isIdempotent: Bool
    let errorNames: [String]
}

struct ErrorCase {
    let name: String
    let caseName: String
    let code: Int
    let message: String
}
