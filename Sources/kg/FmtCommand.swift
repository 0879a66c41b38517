import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fmt", abstract: "Rewrite .kg files canonically.")
    func run() throws { throw ValidationError("kg fmt is not built yet") }
}
