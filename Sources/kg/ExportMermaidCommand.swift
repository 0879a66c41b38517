import ArgumentParser
import Foundation
import KGCore
import KGExport

/// `kg export mermaid`: a Mermaid flowchart for Markdown slides.
struct ExportMermaidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mermaid", abstract: "Export a Mermaid flowchart (for Marp, reveal.js, Slidev, GitHub Markdown).")

    @OptionGroup var io: ExportIO
    @OptionGroup var select: SubgraphOptions

    @Option(help: "Flowchart direction: LR, RL, TB or BT.")
    var direction: String = "LR"

    @Flag(help: "Wrap the chart in a ```mermaid fenced block.")
    var fenced = false

    func validate() throws {
        guard ["LR", "RL", "TB", "BT", "TD"].contains(direction) else { throw ValidationError("--direction must be LR, RL, TB, TD or BT") }
    }

    func run() throws {
        let graph = try io.loadGraph()
        let sub = try select.select(from: graph)
        var text = MermaidWriter.write(graph, sub, direction: direction, progress: ProgressReporter("writing Mermaid", unit: "edges"))
        if fenced { text = "```mermaid\n" + text + "```\n" }
        try io.emit(Data(text.utf8))
    }
}
