import ArgumentParser
import Foundation
import KGCore
import KGExport

/// `kg export dot`: Graphviz DOT.
struct ExportDotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dot", abstract: "Export Graphviz DOT (kinds as shapes and colours, relation types as edge labels).")

    @OptionGroup var io: ExportIO
    @OptionGroup var select: SubgraphOptions

    @Option(help: "Graphviz rankdir: LR, RL, TB or BT.")
    var rankdir: String = "LR"

    func validate() throws {
        guard ["LR", "RL", "TB", "BT"].contains(rankdir) else { throw ValidationError("--rankdir must be LR, RL, TB or BT") }
    }

    func run() throws {
        let graph = try io.loadGraph()
        let sub = try select.select(from: graph)
        try io.emit(Data(DotWriter.write(graph, sub, rankdir: rankdir, progress: ProgressReporter("writing DOT", unit: "edges")).utf8))
    }
}
