/// The parts of an OpenRPC 1.x document the generator reads. Unknown members are ignored; `$ref`s to
/// `#/components/...` are followed by the translator.
struct OpenRPCDocument: Decodable {
    struct Info: Decodable {
        let title: String
        let version: String
    }

    struct Method: Decodable {
        let name: String
        let summary: String?
        let description: String?
        let paramStructure: String?
        let params: [ContentDescriptor]
        let result: ContentDescriptor?
        let errors: [ErrorObject]?
        let examples: [ExamplePairing]?
        let idempotent: Bool?

        enum CodingKeys: String, CodingKey {
            case name, summary, description, paramStructure, params, result, errors, examples
            case idempotent = "x-idempotent"
        }
    }

    struct ContentDescriptor: Decodable {
        let name: String?
        let description: String?
        let required: Bool?
        let schema: Schema?
        let ref: String?

        enum CodingKeys: String, CodingKey {
            case name, description, required, schema
            case ref = "$ref"
        }
    }

    struct ErrorObject: Decodable {
        let code: Int?
        let message: String?
        let ref: String?

        enum CodingKeys: String, CodingKey {
            case code, message
            case ref = "$ref"
        }
    }

    struct ExamplePairing: Decodable {
        let name: String
    }

    struct Components: Decodable {
        let schemas: [String: Schema]?
        let errors: [String: ErrorObject]?
        let contentDescriptors: [String: ContentDescriptor]?
    }

    let openrpc: String
    let info: Info
    let methods: [Method]
    let components: Components?
}

/// A JSON Schema, as far as generating Swift types needs it.
final class Schema: Decodable, Sendable {
    let title: String?
    let description: String?
    let types: [String]
    let format: String?
    let properties: [String: Schema]?
    let required: [String]?
    let items: Schema?
    let enumValues: [String]?
    let ref: String?
    /// `additionalProperties` when it is a schema (a map's values); `nil` when absent or a boolean.
    let additionalProperties: Schema?

    enum CodingKeys: String, CodingKey {
        case title, description, type, format, properties, required, items, additionalProperties
        case enumValues = "enum"
        case ref = "$ref"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        // `type` is a name or a list of names (JSON Schema allows both).
        if let single = try? container.decodeIfPresent(String.self, forKey: .type) {
            types = [single]
        } else {
            types = try container.decodeIfPresent([String].self, forKey: .type) ?? []
        }
        format = try container.decodeIfPresent(String.self, forKey: .format)
        properties = try container.decodeIfPresent([String: Schema].self, forKey: .properties)
        required = try container.decodeIfPresent([String].self, forKey: .required)
        items = try container.decodeIfPresent(Schema.self, forKey: .items)
        enumValues = try? container.decodeIfPresent([String].self, forKey: .enumValues)
        ref = try container.decodeIfPresent(String.self, forKey: .ref)
        // `additionalProperties` is a boolean or a schema; only the schema form shapes a Swift type.
        if (try? container.decodeIfPresent(Bool.self, forKey: .additionalProperties)) != nil {
            additionalProperties = nil
        } else {
            additionalProperties = try container.decodeIfPresent(Schema.self, forKey: .additionalProperties)
        }
    }
}
