import ArgumentParser
import Foundation
import KGCore
import KGExport
import KGLayout

/// `kg export graphml`: GraphML for yEd, Gephi, Cytoscape, NetworkX and igraph.
struct ExportGraphMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphml", abstract: "Export GraphML (whole graph, a neighbourhood, or a query's result).",
        discussion: """
        Keys: node 'label' (display name), 'kind', one key per property and value type; edge 'type',
        'reading', 'locator', 'note' (provenance) and one key per property. Lists are JSON text in
        string keys whose id ends in '.list'. See docs/EXCHANGE.md.
        --flavor yed adds yEd's shapes, labels, colours and a layered layout.
        """)

    @OptionGroup var io: ExportIO
    @OptionGroup var select: SubgraphOptions

    @Option(help: "plain (schema-valid GraphML) or yed (adds yEd graphics).")
    var flavor: String = "plain"

    @Flag(name: .customLong("no-indent"), help: "Write without line breaks and indentation.")
    var noIndent = false

    func validate() throws {
        guard GraphMLOptions.Flavor(rawValue: flavor) != nil else {
            throw ValidationError("unknown --flavor '\(flavor)'; use plain or yed")
        }
    }

    func run() throws {
        let graph = try io.loadGraph()
        let sub = try select.select(from: graph)
        let opts = GraphMLOptions(flavor: GraphMLOptions.Flavor(rawValue: flavor)!, indent: !noIndent)
        if let path = io.output {
            try GraphMLWriter.write(graph, sub, options: opts, toFile: path)
        } else {
            try io.emit(GraphMLWriter.data(graph, sub, options: opts))
        }
    }
}
