import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct ExportDotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dot", abstract: "Export Graphviz DOT.")
    func run() throws { throw ValidationError("kg dot is not built yet") }
}
