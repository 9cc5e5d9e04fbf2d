// swift-tools-version:6.1
// The ALT Erasure client library: the JSON-RPC wire (shared with the server) and the generated client.
// Another ALT backend adds it with one line: `.package(path: "…/clients/swift")`.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "alt-erasure-client",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ISO8601Time", targets: ["ISO8601Time"]),
        .library(name: "JSONRPC", targets: ["JSONRPC"]),
        .library(name: "JSONRPCNIO", targets: ["JSONRPCNIO"]),
        .library(name: "ALTErasureAPI", targets: ["ALTErasureAPI"]),
        .library(name: "ALTErasureClient", targets: ["ALTErasureClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        // The calling task's trace context into the Traceparent header (a no-op until a tracer is bootstrapped).
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
    ],
    targets: [
        // Timestamps as the wire and the store write them ("2026-11-29T09:00:00Z"), without ICU.
        .target(name: "ISO8601Time", swiftSettings: swiftSettings),
        // The JSON-RPC 2.0 core: messages, ids, errors and codes, method descriptors. Foundation only.
        .target(name: "JSONRPC", dependencies: ["ISO8601Time"], swiftSettings: swiftSettings),
        // The wire on SwiftNIO: Content-Length framing, deflate bodies, the TCP client connection (TLS optional).
        .target(
            name: "JSONRPCNIO",
            dependencies: [
                "JSONRPC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        // The API as generated from the document (Generated/, never edited by hand): the schema's types,
        // one descriptor per method, the declared errors, the document. JSONRPC only, so the server
        // imports it without the client's transport.
        .target(name: "ALTErasureAPI", dependencies: ["JSONRPC"], swiftSettings: swiftSettings),
        // The client: one generated method per operation (Generated/) on the small hand-written runtime
        // (a pool of reconnecting connections, deadlines, retries). Re-exports the API, not NIO.
        .target(
            name: "ALTErasureClient",
            dependencies: [
                "ALTErasureAPI",
                "JSONRPC",
                "JSONRPCNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
