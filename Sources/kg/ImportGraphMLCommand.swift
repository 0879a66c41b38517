import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct ImportGraphMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "graphml", abstract: "Import GraphML.")
    func run() throws { throw ValidationError("kg graphml is not built yet") }
}
