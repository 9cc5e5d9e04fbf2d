/// Identifiers drawn from the system's cryptographic generator.
enum RandomIDs {
    /// `bytes * 2` characters of [a-z0-9], after `prefix` (`req_…`, `out_…`).
    static func token(_ prefix: String, bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + String((0..<bytes * 2).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// A code quoted to the requester and to Meta: four groups of four, no look-alike characters.
    static func confirmationCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        let groups = (0..<4).map { _ in String((0..<4).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }) }
        return groups.joined(separator: "-")
    }
}
