import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct ExportCypherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cypher", abstract: "Export a Cypher CREATE script.")
    func run() throws { throw ValidationError("kg cypher is not built yet") }
}
