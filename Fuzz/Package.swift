// swift-tools-version:6.1
// libFuzzer targets for the wire: the frame decoder (headers, lengths, deflate bodies) and the message
// parser (the validating JSON scanner, envelopes, batches). A package of its own, built with
// `swift build --sanitize=fuzzer --sanitize=address` (see run.sh); the main build never compiles it.
import PackageDescription

let package = Package(
    name: "alt-erasure-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../clients/swift"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzFrames",
            dependencies: [
                .product(name: "JSONRPC", package: "swift"),
                .product(name: "JSONRPCNIO", package: "swift"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzMessages",
            dependencies: [.product(name: "JSONRPC", package: "swift")]
        ),
    ]
)
