import ArgumentParser
import Foundation
import KGCore
import KGExport

/// `kg export json`: JSON Graph Format.
struct ExportJSONCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json", abstract: "Export JSON Graph Format (jsongraphformat.info) with kinds, properties and provenance.")

    @OptionGroup var io: ExportIO
    @OptionGroup var select: SubgraphOptions

    func run() throws {
        let graph = try io.loadGraph()
        let sub = try select.select(from: graph)
        try io.emit(JSONGraphWriter.write(graph, sub, progress: ProgressReporter("writing JSON", unit: "elements")))
    }
}
