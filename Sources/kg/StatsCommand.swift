import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Count nodes and edges by kind and relation type.")
    func run() throws { throw ValidationError("kg stats is not built yet") }
}
