import ArgumentParser

// Group command; its owner adds `--all` (regenerate Exports/ from its manifest).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the graph (or part of it) as GraphML, SVG, DOT, Mermaid, JSON or Cypher.",
        subcommands: [ExportGraphMLCommand.self, ExportSVGCommand.self, ExportDotCommand.self,
                      ExportMermaidCommand.self, ExportJSONCommand.self, ExportCypherCommand.self])
}
