import ArgumentParser
import Foundation
import KGCore
import KGExport

/// `kg export cypher`: a script of CREATE statements for Neo4j, Memgraph, FalkorDB or kg.
struct ExportCypherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cypher", abstract: "Export a Cypher script that recreates the graph in an empty Cypher database.",
        discussion: """
        Nodes and relationships are created in batches (UNWIND of map lists). --index chooses the \
        syntax of the index statements on 'id' that make the relationship MATCHes fast; 'none' \
        leaves them out (kg itself: kg query --empty --file script.cypher).
        """)

    @OptionGroup var io: ExportIO
    @OptionGroup var select: SubgraphOptions

    @Option(help: "Index statements for: neo4j, memgraph, falkordb or none.")
    var index: String = "neo4j"

    @Option(name: .customLong("batch-size"), help: "Rows per UNWIND statement.")
    var batchSize: Int = 500

    func validate() throws {
        guard CypherScriptWriter.IndexDialect(rawValue: index) != nil else {
            throw ValidationError("unknown --index '\(index)'; use neo4j, memgraph, falkordb or none")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let graph = try io.loadGraph()
        let sub = try select.select(from: graph)
        let text = CypherScriptWriter.write(graph, sub, index: CypherScriptWriter.IndexDialect(rawValue: index)!, batchSize: batchSize,
                                          progress: ProgressReporter("writing Cypher", unit: "elements"))
        try io.emit(Data(text.utf8))
    }
}
