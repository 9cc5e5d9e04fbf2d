// swift-tools-version:6.1
// An example ALT backend: depends on the client package only, and cascades a contact delete.
import PackageDescription

let package = Package(
    name: "contacts-backend",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "ContactsBackend",
            dependencies: [.product(name: "ALTErasureClient", package: "swift")]
        ),
    ]
)
