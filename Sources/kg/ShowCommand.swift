import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a concept card.")
    func run() throws { throw ValidationError("kg show is not built yet") }
}
