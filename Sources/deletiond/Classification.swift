import ALTStore
import ArgumentParser

struct Classification: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what happens to each table on erasure (the text of schemas/DATA.md)."
    )

    func run() {
        print(TableClassification.markdown, terminator: "")
    }
}
