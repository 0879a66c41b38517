import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Write a synthetic graph as .kg files.")
    func run() throws { throw ValidationError("kg generate is not built yet") }
}
