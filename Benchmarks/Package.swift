// swift-tools-version:6.1
// Load and erasure benchmarks. A package of its own (not built by the main CI); results in RESULTS.md.
import PackageDescription

let package = Package(
    name: "alt-erasure-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../clients/swift"),
        // The root package; its identity is the name of the clone folder (`main` here, as swift-nio's
        // Benchmarks expect `swift-nio`). Clone into a folder named `main` or adjust `package:` below.
        .package(path: "../"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // Erases one account of a seeded store with the service's eraser and prints the time.
        .executableTarget(
            name: "erase-bench",
            dependencies: [.product(name: "ALTStore", package: "main")]
        ),
        // Times `search` over one account's entries beside FTS5 phrase queries over the same text.
        .executableTarget(
            name: "search-bench",
            dependencies: [
                .product(name: "ALTStore", package: "main"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The load generator: C connections × P calls in flight, any method, latency percentiles.
        .executableTarget(
            name: "rpc-bench",
            dependencies: [
                .product(name: "JSONRPCNIO", package: "swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        // The live fuzzer: mutated frames (bytes, headers, JSON, batches, deflate) over thousands of
        // connections to a running server; reports hangs and checks the server still answers after.
        .executableTarget(
            name: "wire-fuzz",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "JSONRPCNIO", package: "swift"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
