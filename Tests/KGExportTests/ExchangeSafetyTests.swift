import Foundation
import KGCore
import Testing

@testable import KGExport

/// Undirected relation types in every exchange format, and labels that carry active content
/// (Mermaid directives, HTML, Graphviz entities) written so that no consumer acts on them.
@Suite struct ExchangeSafetyTests {
    static let graphText = """
        kind Concept
        relation RELATED_TO  * -> *  undirected
        relation CAUSES  * -> *

        concept a "R&amp;D <b>bold</b> %%{init: {\\"theme\\": \\"dark\\"}}%%" : Concept
        concept b "<html><img src=x onerror=alert(1)></html>" : Concept
        concept c "plain [box] {rhombus} 100%" : Concept

        a -RELATED_TO-> b
        b -RELATED_TO-> c
        """

    static func graph(mixed: Bool) -> Graph {
        Support.load(graphText + (mixed ? "\nc -CAUSES-> a\n" : ""))
    }

    func read(_ data: Data) throws -> GraphMLImport {
        let p = Support.tempDir().appendingPathComponent("x.graphml").path
        try data.write(to: URL(fileURLWithPath: p))
        return try GraphMLReader.read(path: p)
    }

    @Test func graphMLWritesUndirectedAndReadsItBack() throws {
        let g = Self.graph(mixed: false)
        let data = try GraphMLWriter.data(g, .whole(g))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("<graph id=\"G\" edgedefault=\"undirected\">"))
        #expect(!text.contains("directed=\"false\""))
        if let xsd = Support.graphMLSchema { #expect(Support.validate(data, schemaPath: xsd) == []) }
        let back = try read(data)
        #expect(back.graph.schema.relation("RELATED_TO")?.undirected == true)
        #expect(back.warnings.isEmpty, "\(back.warnings)")

        let m = Self.graph(mixed: true)
        let mdata = try GraphMLWriter.data(m, .whole(m))
        let mtext = String(decoding: mdata, as: UTF8.self)
        #expect(mtext.contains("<graph id=\"G\" edgedefault=\"directed\">"))
        #expect(mtext.components(separatedBy: "directed=\"false\"").count - 1 == 2)
        if let xsd = Support.graphMLSchema { #expect(Support.validate(mdata, schemaPath: xsd) == []) }
        let mback = try read(mdata)
        #expect(mback.graph.schema.relation("RELATED_TO")?.undirected == true)
        #expect(mback.graph.schema.relation("CAUSES")?.undirected == false)
        #expect(mback.warnings.isEmpty, "\(mback.warnings)")
    }

    @Test func yEdHTMLLabelsStayText() throws {
        let g = Self.graph(mixed: true)
        let text = String(decoding: try GraphMLWriter.data(g, .whole(g), options: GraphMLOptions(flavor: .yed)), as: UTF8.self)
        // The label is written, escaped, behind a zero-width space: Swing's HTML test needs '<' first.
        #expect(text.contains(">\u{200B}&lt;html&gt;&lt;img src=x onerror=alert(1)&gt;&lt;/html&gt;</y:NodeLabel>"))
        #expect(!text.contains("visible=\"true\">&lt;html&gt;"))
        #expect(text.contains("<y:Arrows source=\"none\" target=\"none\"/>"), "undirected edges have no arrow")
        #expect(text.contains("<y:Arrows source=\"none\" target=\"standard\"/>"))
        // Reading it back gives the label without the guard character.
        let back = try read(Data(text.utf8)).graph
        #expect(back.displayName(of: back.node(key: "b")!) == "<html><img src=x onerror=alert(1)></html>")
    }

    @Test func dotWritesUndirectedAndKeepsEntitiesLiteral() throws {
        let g = Self.graph(mixed: false)
        let dot = DotWriter.write(g, .whole(g))
        #expect(dot.hasPrefix("graph kg {"))
        #expect(dot.contains("\"a\" -- \"b\""))
        #expect(!dot.contains("->"))
        #expect(dot.contains("label=\"R&amp;amp;D <b>bold</b>"))
        let m = Self.graph(mixed: true)
        let mdot = DotWriter.write(m, .whole(m))
        #expect(mdot.hasPrefix("digraph kg {"))
        #expect(mdot.contains("\"a\" -> \"b\" [label=\"RELATED_TO\", dir=none"))
        #expect(mdot.contains("\"c\" -> \"a\" [label=\"CAUSES\"]"))
        // Graphviz itself: the label text comes out exactly as the graph has it.
        guard let dotExe = Support.which("dot") else { print("SKIPPED: Graphviz dot not installed"); return }
        let dir = Support.tempDir()
        let f = dir.appendingPathComponent("g.dot")
        try dot.write(to: f, atomically: true, encoding: .utf8)
        let (rc, svg, err) = try Support.run(dotExe, ["-Tsvg", f.path])
        #expect(rc == 0, "\(err)")
        // SVG escapes '&' once: "R&amp;amp;D" in the SVG is the text "R&amp;D".
        #expect(svg.contains(">R&amp;amp;D &lt;b&gt;bold&lt;/b&gt; %%{init"), "\(svg)")
    }

    @Test func mermaidNeutralisesDirectivesAndHTML() throws {
        let g = Self.graph(mixed: true)
        let text = MermaidWriter.write(g, .whole(g))
        #expect(!text.contains("%%"))
        #expect(!text.contains("<"))
        let labels = text.split(separator: "\n").filter { $0.contains("(\"") || $0.contains("[/\"") }
        for l in labels {
            let inner = l.drop { $0 != "\"" }.dropFirst().prefix { $0 != "\"" }
            #expect(!inner.contains("{") && !inner.contains("}") && !inner.contains("[") && !inner.contains("]") && !inner.contains("%"),
                    "\(l)")
        }
        #expect(text.contains("#37;#37;#123;init: #123;#quot;theme#quot;: #quot;dark#quot;#125;#125;#37;#37;"))
        #expect(text.contains("n0 ---|\"RELATED_TO\"| n1"))
        #expect(text.contains("n2 -->|\"CAUSES\"| n0"))
    }

    @Test func jsonGraphMarksUndirectedEdges() throws {
        let g = Self.graph(mixed: true)
        let json = try JSONSerialization.jsonObject(with: JSONGraphWriter.write(g, .whole(g))) as! [String: Any]
        let graph = json["graph"] as! [String: Any]
        #expect(graph["directed"] as? Bool == true)
        let edges = graph["edges"] as! [[String: Any]]
        #expect(edges.map { $0["directed"] as? Bool } == [false, false, true])
        let u = Self.graph(mixed: false)
        let ujson = try JSONSerialization.jsonObject(with: JSONGraphWriter.write(u, .whole(u))) as! [String: Any]
        #expect((ujson["graph"] as! [String: Any])["directed"] as? Bool == false)
    }
}
