import Foundation
import KGCore
import KGFormat
import Testing

@testable import KGExport

/// End-to-end: the built `kg` binary on the real knowledge base in Graph/.
@Suite(.serialized) struct ExportCLITests {
    let graphDir = Support.packageRoot.appendingPathComponent("Graph").path

    func kg() -> String? {
        guard let k = Support.kgBinary else {
            print("skipped: kg binary not found next to the test bundle")
            return nil
        }
        guard FileManager.default.fileExists(atPath: graphDir) else {
            print("skipped: no Graph/ folder")
            return nil
        }
        return k
    }

    func original() -> Graph {
        GraphLoader.load(directory: graphDir).graph
    }

    @Test func graphMLExportImportRoundTripOnTheRealGraph() throws {
        guard let kg = kg() else { return }
        let dir = Support.tempDir()
        let file = dir.appendingPathComponent("kb.graphml").path
        let (rc, _, err) = try Support.run(kg, ["export", "graphml", "--graph", graphDir, "-o", file])
        #expect(rc == 0, "\(err)")
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        if let xsd = Support.graphMLSchema { #expect(Support.validate(data, schemaPath: xsd) == []) }
        // Same bytes on stdout and on a second run.
        let (_, out, _) = try Support.run(kg, ["export", "graphml", "--graph", graphDir])
        #expect(Data(out.utf8) == data)

        let into = dir.appendingPathComponent("imported").path
        let (rc2, _, err2) = try Support.run(kg, ["import", "graphml", file, "--graph", graphDir, "--into", into])
        #expect(rc2 == 0, "\(err2)")
        #expect(err2.contains("imported "))
        let back = GraphLoader.load(directory: into)
        #expect(!back.hasErrors, "\(back.diagnostics.prefix(5))")
        let g = original()
        #expect(Support.differences(g, back.graph, edgeOrder: false) == [])
        // Importing again refuses to overwrite; importing into the graph itself refuses the clashing ids.
        let (rc3, _, err3) = try Support.run(kg, ["import", "graphml", file, "--graph", graphDir, "--into", into])
        #expect(rc3 == 1 && err3.contains("already exists"))
        let (rc4, _, err4) = try Support.run(kg, ["import", "graphml", file, "--graph", graphDir])
        #expect(rc4 == 1 && err4.contains("already exist in"), "\(err4)")
        #expect(!FileManager.default.fileExists(atPath: graphDir + "/imported/kb.kg"))
    }

    @Test func focusDepthAndFilters() throws {
        guard let kg = kg() else { return }
        let g = original()
        guard let center = g.nodes.max(by: { g.degree($0) < g.degree($1) }) else { return }
        let name = g.displayName(of: center)
        let (rc, out, err) = try Support.run(kg, ["export", "json", "--graph", graphDir, "--focus", g.key(of: center), "--depth", "1"])
        #expect(rc == 0, "\(err)")
        let obj = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        let nodes = (obj?["graph"] as? [String: Any])?["nodes"] as? [String: Any]
        #expect(nodes?.count == Subgraph.neighbourhood(g, of: center, depth: 1).nodes.count)
        #expect(nodes?[g.key(of: center)] != nil, "focus \(name)")
        let (rc2, _, err2) = try Support.run(kg, ["export", "dot", "--graph", graphDir, "--focus", "no such concept at all"])
        #expect(rc2 != 0 && err2.contains("no concept named"))
        let (rc3, _, err3) = try Support.run(kg, ["export", "mermaid", "--graph", graphDir, "--relations", "NOT_A_RELATION"])
        #expect(rc3 != 0 && err3.contains("unknown relation type"))
    }

    @Test func queryExport() throws {
        guard let kg = kg() else { return }
        let g = original()
        guard let e = g.edges.first(where: { _ in true }) else { return }
        let type = g.typeName(of: e)
        let (rc, out, err) = try Support.run(kg, ["export", "graphml", "--graph", graphDir, "--query",
                                                  "MATCH p = (a)-[r:\(type)]->(b) RETURN p"])
        #expect(rc == 0, "\(err)")
        let count = g.edges.filter { g.typeName(of: $0) == type }.count
        #expect(out.components(separatedBy: "<edge ").count - 1 == count)
        let (rc2, _, err2) = try Support.run(kg, ["export", "graphml", "--graph", graphDir, "--query", "MATCH (n RETURN n"])
        #expect(rc2 != 0 && err2.contains("--query"))
    }

    @Test func dotAndCypherOnTheRealGraph() throws {
        guard let kg = kg() else { return }
        let g = original()
        let dir = Support.tempDir()
        let dotFile = dir.appendingPathComponent("kb.dot").path
        let (rc, _, err) = try Support.run(kg, ["export", "dot", "--graph", graphDir, "-o", dotFile])
        #expect(rc == 0, "\(err)")
        if let dot = Support.which("dot") {
            let (rc2, plain, err2) = try Support.run(dot, ["-Tplain", dotFile])
            #expect(rc2 == 0, "\(err2)")
            #expect(plain.split(separator: "\n").filter { $0.hasPrefix("node ") }.count == g.nodeCount)
        }
        let script = dir.appendingPathComponent("kb.cypher").path
        let (rc3, _, err3) = try Support.run(kg, ["export", "cypher", "--graph", graphDir, "--index", "none", "-o", script])
        #expect(rc3 == 0, "\(err3)")
        // kg itself runs the script; a final count shows every node and relationship arrived.
        var text = try String(contentsOfFile: script, encoding: .utf8)
        text += "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS nodes, count(r) AS rels;\n"
        let script2 = dir.appendingPathComponent("kb2.cypher").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: script2))
        let (rc4, out4, err4) = try Support.run(kg, ["query", "--empty", "--file", script2, "--format", "csv"])
        #expect(rc4 == 0, "\(err4)")
        #expect(out4.contains("\(g.nodeCount),\(g.edgeCount)"), "\(out4)")
    }

    @Test func badGraphMLFailsWithLocationAndWritesNothing() throws {
        guard let kg = kg() else { return }
        let dir = Support.tempDir()
        let file = dir.appendingPathComponent("bad.graphml").path
        try Data("""
            <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
              <graph edgedefault="directed">
                <node id="a"/>
                <edge source="a" target="b"/>
              </graph>
            </graphml>
            """.utf8).write(to: URL(fileURLWithPath: file))
        let into = dir.appendingPathComponent("out").path
        let (rc, _, err) = try Support.run(kg, ["import", "graphml", file, "--graph", graphDir, "--into", into])
        #expect(rc == 1)
        #expect(err.contains("bad.graphml:4: error: edge target 'b' is not a node"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: into))
    }
}
