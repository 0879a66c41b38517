import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate the graph.")
    func run() throws { throw ValidationError("kg check is not built yet") }
}
