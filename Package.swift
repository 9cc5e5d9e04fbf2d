// swift-tools-version:6.1
// deletiond: the ALT Erasure Service. See README.md for the two commands, ../shared/DESIGN.md for the why.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "alt-erasure",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "deletiond", targets: ["deletiond"]),
        .executable(name: "rpc-cli", targets: ["rpc-cli"]),
        // For Benchmarks/ (a package of its own): the store, to time erasure without the RPC layer.
        .library(name: "ALTStore", targets: ["ALTStore"]),
    ],
    dependencies: [
        // The wire and the generated client: a package of its own so other ALT backends can use it alone.
        .package(path: "clients/swift"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        // TLS and mTLS on the JSON-RPC port (postgres-nio links it too).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        // deletiond's settings: the JSON file, then ALT_* environment variables, then flags.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        // The store's PostgreSQL implementation.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // The public HTTP listener: Meta's callbacks, the status page, probes.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // /metrics: swift-metrics' Prometheus backend, bootstrapped once by deletiond serve.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Spans per call (W3C Traceparent), per erasure batch, outbox claim and backup; no-op until bootstrapped.
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // deletiond's span exporter (OTLP over HTTP, protobuf or JSON), on with --otlp-endpoint; the gRPC
        // exporter is left out (the OTLPGRPC trait would build grpc-swift for one more transport).
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // The RPC server, independent of any transport: method registry, interceptors, auth, deadlines,
        // cancellation, batches, drain state, and the in-process transport (the server without sockets).
        // Foundation only (plus logging and hashing).
        .target(
            name: "RPCServer",
            dependencies: [
                .product(name: "JSONRPC", package: "swift"),
                .product(name: "ISO8601Time", package: "swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        // The TCP transport of the server on SwiftNIO: connections, limits, back-pressure, idle, drain.
        .target(
            name: "RPCServerNIO",
            dependencies: [
                "RPCServer",
                .product(name: "JSONRPC", package: "swift"),
                .product(name: "JSONRPCNIO", package: "swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // ALT's store: the repository protocols (one per aggregate, and the unit of work) and their SQLite
        // implementation on GRDB; migrations, the table classification, token encryption, the seeder.
        // Stores the domain's types; knows nothing of RPC.
        .target(
            name: "ALTStore",
            dependencies: [
                "ErasureDomain",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ISO8601Time", package: "swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The store on PostgreSQL (issue 13, under way): the address, the connection pool, the schema in
        // PostgreSQL's own types. The repositories follow.
        .target(
            name: "ALTStorePostgres",
            dependencies: [
                "ALTStore",
                "ErasureDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Backups: snapshot, gzip and AES-GCM in chunks, manifests, restore with ledger replay.
        .target(
            name: "ALTBackups",
            dependencies: [
                "ALTStore",
                "ErasureDomain",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ISO8601Time", package: "swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The erasure domain: its vocabulary and policy, the DeletionRequest aggregate (transitions that
        // return effects), the state machine, identity codes, intake subjects, the clock. No I/O, no NIO,
        // no JSON-RPC, no store.
        .target(
            name: "ErasureDomain",
            dependencies: [.product(name: "Crypto", package: "swift-crypto"), .product(name: "ISO8601Time", package: "swift")],
            swiftSettings: swiftSettings
        ),
        // The service, by feature (deletion, outbox, integrations, retention, backups): each feature's type,
        // its methods on the server and its scheduled service. Reaches the store only through the
        // repository protocols and the wire only through the generated API (imports no GRDB, no NIO: a test holds it).
        .target(
            name: "ErasureService",
            dependencies: [
                "ALTBackups",
                "ALTStore",
                "ErasureDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ISO8601Time", package: "swift"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JSONRPC", package: "swift"),
                "RPCServer",
                .product(name: "ALTErasureAPI", package: "swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        // The public HTTP edge (`serve --http-port`): Meta's callbacks as form posts, the deletion status page
        // people read, code entry, health probes. Reaches the service through its feature types only.
        .target(
            name: "ErasureHTTP",
            dependencies: [
                "ErasureService",
                "ErasureDomain",
                "RPCServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // glibc's malloc_trim for deletiond (not exported by the Glibc module); a no-op elsewhere.
        .target(name: "CMallocTrim"),
        .executableTarget(
            name: "deletiond",
            dependencies: [
                "CMallocTrim",
                "ALTBackups",
                "ALTStore",
                "ALTStorePostgres",
                "ErasureDomain",
                "ErasureHTTP",
                "ErasureService",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                "RPCServer",
                "RPCServerNIO",
                .product(name: "JSONRPC", package: "swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // OpenRPC document → Swift client library. Depends on nothing of ours.
        .target(name: "RPCCodegen", swiftSettings: swiftSettings),
        .executableTarget(
            name: "rpc-codegen",
            dependencies: ["RPCCodegen", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "rpc-cli",
            dependencies: [
                .product(name: "JSONRPC", package: "swift"),
                .product(name: "JSONRPCNIO", package: "swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test targets: a live TCP server on an ephemeral port.
        .target(
            name: "RPCTestSupport",
            dependencies: [
                "RPCServer",
                "RPCServerNIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "JSONRPC", package: "swift"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/RPCTestSupport",
            swiftSettings: swiftSettings
        ),
        // The demo server the workflow and contract tests share: reached over TCP or in-process.
        .target(
            name: "ServiceTestSupport",
            dependencies: [
                "RPCTestSupport",
                "RPCServer",
                "ALTStore",
                "ALTStorePostgres",
                "ALTBackups",
                "ErasureDomain",
                "ErasureService",
                .product(name: "ALTErasureClient", package: "swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/ServiceTestSupport",
            swiftSettings: swiftSettings
        ),
        // The workflow (deletion, integrations, backups, bad input) through the generated client on the
        // server's in-process transport: no sockets.
        .testTarget(
            name: "ErasureServiceTests",
            dependencies: [
                "ServiceTestSupport",
                "ALTStore",
                "ALTStorePostgres",
                "ALTBackups",
                "ErasureDomain",
                "ErasureService",
                .product(name: "ALTErasureClient", package: "swift"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                "RPCTestSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JSONRPCTests",
            dependencies: [.product(name: "JSONRPC", package: "swift"), .product(name: "ISO8601Time", package: "swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JSONRPCNIOTests",
            dependencies: [
                .product(name: "JSONRPC", package: "swift"),
                .product(name: "JSONRPCNIO", package: "swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RPCServerTests",
            dependencies: [
                "RPCServer",
                "RPCTestSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "JSONRPC", package: "swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RPCServerNIOTests",
            dependencies: [
                "RPCTestSupport",
                "RPCServer",
                "RPCServerNIO",
                .product(name: "JSONRPC", package: "swift"),
                .product(name: "JSONRPCNIO", package: "swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Server, schema and generated client held to one another: every example of the document through
        // the generated client against a live server (in-process over TCP, and the built executable); the
        // crash, fault and module-boundary suites.
        .testTarget(
            name: "ContractTests",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                "RPCTestSupport",
                "ServiceTestSupport",
                "ALTStore",
                "ALTStorePostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                "ALTBackups",
                "ErasureDomain",
                "ErasureService",
                "RPCServer",
                "RPCServerNIO",
                "RPCCodegen",
                "deletiond",
                .product(name: "ALTErasureClient", package: "swift"),
                .product(name: "JSONRPCNIO", package: "swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ALTErasureClientTests",
            dependencies: [
                "RPCTestSupport",
                "RPCServer",
                "RPCServerNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ALTErasureClient", package: "swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Against a real PostgreSQL (ALT_TEST_DATABASE_URL; `.ci/run` starts one): skipped without one
        // unless CI is set.
        .testTarget(
            name: "ALTStorePostgresTests",
            dependencies: [
                "ALTStore",
                "ALTStorePostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ALTStoreTests",
            dependencies: [
                "ALTStore",
                "ErasureDomain",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ErasureHTTPTests",
            dependencies: [
                "ErasureHTTP",
                "ErasureService",
                "ErasureDomain",
                "RPCServer",
                "ServiceTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ALTErasureClient", package: "swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ErasureDomainTests",
            dependencies: ["ErasureDomain", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RPCCodegenTests",
            dependencies: ["RPCCodegen"],
            swiftSettings: swiftSettings
        ),
        // The executables as a person runs them: deletiond and rpc-cli as processes, over a real socket.
        .testTarget(
            name: "CLITests",
            dependencies: ["deletiond", "rpc-cli", "RPCTestSupport", .product(name: "ALTErasureClient", package: "swift")],
            swiftSettings: swiftSettings
        ),
    ]
)
