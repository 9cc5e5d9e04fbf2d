import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The proxies in front of the public listener (the ingress or load balancer that terminates HTTPS), whose
/// `X-Forwarded-For` is believed. Behind them every connection comes from a proxy, so the per-client limits
/// count the address the nearest trusted proxy saw instead: `X-Forwarded-For` read from the right, the first
/// address that is not itself a trusted proxy. From any other peer the header is ignored — a client cannot
/// pick its own bucket by sending one. None configured (the default): the header is never read.
public struct TrustedProxies: Sendable {
    /// An address or a network: `10.0.0.7`, `10.0.0.0/8`, `fd00::/8`.
    struct Network: Sendable {
        let address: [UInt8]
        let prefix: Int

        func contains(_ other: [UInt8]) -> Bool {
            guard other.count == address.count else { return false }
            var left = prefix
            for (mine, theirs) in zip(address, other) where left > 0 {
                let bits = min(8, left)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if mine & mask != theirs & mask { return false }
                left -= bits
            }
            return true
        }
    }

    let networks: [Network]

    public static let none = TrustedProxies(networks: [])

    /// Parses a comma-separated list; throws naming the first entry that is neither an address nor a network.
    public init(_ list: String) throws {
        var networks: [Network] = []
        for entry in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let address = Self.bytes(String(parts[0])) else { throw InvalidEntry(entry: entry) }
            var prefix = address.count * 8
            if parts.count == 2 {
                guard let bits = Int(parts[1]), (0...prefix).contains(bits) else { throw InvalidEntry(entry: entry) }
                prefix = bits
            }
            networks.append(Network(address: address, prefix: prefix))
        }
        self.init(networks: networks)
    }

    private init(networks: [Network]) { self.networks = networks }

    /// The client a request counts as: `peer` (the connection's address) unless it is a trusted proxy; then
    /// the `X-Forwarded-For` hops (every field, in order) from the right, past each trusted proxy.
    func client(peer: String, forwardedFor: [String]) -> String {
        guard !networks.isEmpty, isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            // A hop that is not an address was not written by a proxy we trust: the last trusted one counts.
            guard Self.bytes(hop) != nil else { return client }
            client = hop
            if !isTrusted(hop) { return hop }
        }
        return client
    }

    private func isTrusted(_ address: String) -> Bool {
        guard let bytes = Self.bytes(address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// An IPv4 or IPv6 address's bytes, or nil.
    static func bytes(_ text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &bytes) == 1 { return Array(bytes.prefix(4)) }
        if inet_pton(AF_INET6, text, &bytes) == 1 { return bytes }
        return nil
    }

    public struct InvalidEntry: Error, CustomStringConvertible {
        public let entry: String
        public var description: String { "not an IP address or network (address/prefix): \(entry)" }
    }
}
