import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct ExportMermaidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mermaid", abstract: "Export a Mermaid flowchart.")
    func run() throws { throw ValidationError("kg mermaid is not built yet") }
}
