import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct ExportGraphMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "graphml", abstract: "Export GraphML.")
    func run() throws { throw ValidationError("kg graphml is not built yet") }
}
