import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct PathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "path", abstract: "Show how two concepts are connected.")
    func run() throws { throw ValidationError("kg path is not built yet") }
}
