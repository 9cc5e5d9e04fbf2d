import Foundation
import Testing

/// What each layer may import (issue 12): the service knows the store only through its repository
/// protocols and the wire only through the generated API.
@Suite("Module boundaries")
struct ModuleBoundaryTests {
    /// Module → what its sources must not name (imports and types).
    static let forbidden: [String: [String]] = [
        "ErasureService": [
            "import GRDB", "import NIOCore", "import NIOPosix", "import JSONRPCNIO", "import ALTErasureClient", "AppDatabase", "SQLite", "GRDB.",
        ],
        "ErasureDomain": ["import GRDB", "import NIO", "import ALTStore", "import JSONRPC", "import ErasureService"],
        "ALTStore": ["import NIO", "import JSONRPC", "import RPCServer", "import ErasureService"],
        "RPCServer": ["import NIO", "import ErasureService", "import ALTStore", "import GRDB"],
        "ALTStorePostgres": ["import GRDB", "import ErasureService", "import RPCServer", "import JSONRPC"],
    ]

    @Test("no module names what its layer must not know", arguments: forbidden.keys.sorted())
    func boundaries(module: String) throws {
        let sources = try VocabularyTests.handWrittenSources().filter { $0.path.hasPrefix("Sources/\(module)/") }
        #expect(!sources.isEmpty)
        var found: [String] = []
        for source in sources {
            for word in Self.forbidden[module] ?? [] where source.text.contains(word) {
                found.append("\(source.path): \(word)")
            }
        }
        #expect(found.isEmpty, "\(found)")
    }
}
