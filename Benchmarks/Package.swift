// swift-tools-version:6.1
// Load and erasure benchmarks. A package of its own (not built by the main CI); results in RESULTS.md.
import PackageDescription

let package = Package(
    name: "alt-erasure-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../clients/swift"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The load generator: C connections × P calls in flight, any method, latency percentiles.
        .executableTarget(
            name: "rpc-bench",
            dependencies: [
                .product(name: "JSONRPCNIO", package: "swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
