import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Run Cypher queries.")
    func run() throws { throw ValidationError("kg query is not built yet") }
}
