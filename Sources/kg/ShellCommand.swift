import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "shell", abstract: "Interactive Cypher shell.")
    func run() throws { throw ValidationError("kg shell is not built yet") }
}
