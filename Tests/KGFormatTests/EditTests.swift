import Foundation
import PropertyBased
import KGCore
import Testing

@testable import KGFormat

func tempDir() -> String {
    let d = NSTemporaryDirectory() + "kgformat-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

func read(_ p: String) -> String { (try? String(contentsOfFile: p, encoding: .utf8)) ?? "<missing>" }

@Suite struct EditTests {
    let original = "# head\nconcept a \"A\" : K   # odd   spacing kept\n  aka \"x\"\n\nconcept b \"B\" : K\n  year 1\n# tail\n"

    @Test func replaceAndDeleteKeepOtherBytes() throws {
        let dir = tempDir()
        let path = dir + "/c.kg"
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        let (doc, _) = KGParser.parse(path: path, text: original)
        let st = doc.statements
        let ed = KGEditor()
        ed.replace(st[1].span, with: "concept b \"Bee\" : K\n", original: doc.bytes)
        ed.append("concept c \"C\" : K\n", to: path)
        try ed.commit()
        #expect(read(path) == "# head\nconcept a \"A\" : K   # odd   spacing kept\n  aka \"x\"\n\nconcept b \"Bee\" : K\n# tail\nconcept c \"C\" : K\n")
        let (doc2, _) = KGParser.parse(path: path, text: read(path))
        let ed2 = KGEditor()
        ed2.delete(doc2.statements[0].span, original: doc2.bytes)
        try ed2.commit()
        #expect(read(path) == "# head\n\nconcept b \"Bee\" : K\n# tail\nconcept c \"C\" : K\n")
    }

    @Test func appendCreatesFileAndAddsMissingLineBreak() throws {
        let dir = tempDir()
        let ed = KGEditor()
        ed.append("concept a \"A\" : K\n", to: dir + "/sub/new.kg")
        try ed.commit()
        #expect(read(dir + "/sub/new.kg") == "concept a \"A\" : K\n")
        try "concept b \"B\" : K".write(toFile: dir + "/x.kg", atomically: true, encoding: .utf8)
        let ed2 = KGEditor()
        ed2.append("concept c \"C\" : K\n", to: dir + "/x.kg")
        try ed2.commit()
        #expect(read(dir + "/x.kg") == "concept b \"B\" : K\nconcept c \"C\" : K\n")
    }

    @Test func nothingWrittenWhenAnyFileFails() throws {
        let dir = tempDir()
        let p1 = dir + "/one.kg", p2 = dir + "/two.kg"
        try original.write(toFile: p1, atomically: true, encoding: .utf8)
        try original.write(toFile: p2, atomically: true, encoding: .utf8)
        let (d1, _) = KGParser.parse(path: p1, text: original)
        let (d2, _) = KGParser.parse(path: p2, text: original)
        // two.kg changes on disk after it was read: the edit of one.kg must not be written either.
        try (original + "concept z \"Z\" : K\n").write(toFile: p2, atomically: true, encoding: .utf8)
        let ed = KGEditor()
        ed.delete(d1.statements[0].span, original: d1.bytes)
        ed.delete(d2.statements[0].span, original: d2.bytes)
        #expect(throws: EditError.self) { try ed.commit() }
        #expect(read(p1) == original)
        // An edit that would leave a syntax error is refused.
        let ed2 = KGEditor()
        ed2.replace(d1.statements[0].span, with: "concept broken\n", original: d1.bytes)
        #expect(throws: EditError.self) { try ed2.commit() }
        #expect(read(p1) == original)
        // Overlapping edits are refused.
        let ed3 = KGEditor()
        ed3.delete(d1.statements[0].span, original: d1.bytes)
        ed3.replace(d1.statements[0].span, with: "", original: d1.bytes)
        #expect(throws: EditError.self) { try ed3.commit() }
        #expect(read(p1) == original)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}

@Suite struct SaverTests {
    let schema = "kind Concept\nkind Reading\nrelation REL  * -> *\n"
    let facts = """
        # Facts
        concept a "A" : Concept   # keep me
          aka "Ay"
          # about year
          year 1
        concept b "B" : Concept
        reading r "R"
        a -REL-> b  @r L1 "n"   # edge comment
        b -REL-> a
        """

    func setUp() throws -> (String, LoadedGraph) {
        let dir = tempDir()
        try schema.write(toFile: dir + "/schema.kg", atomically: true, encoding: .utf8)
        try (facts + "\n").write(toFile: dir + "/facts.kg", atomically: true, encoding: .utf8)
        let l = GraphLoader.load(directory: dir)
        #expect(!l.hasErrors, "\(l.diagnostics)")
        return (dir, l)
    }

    @Test func unchangedGraphWritesNothing() throws {
        let (dir, l) = try setUp()
        let r = try GraphSaver.save(original: l, current: l.graph, newFactsFile: dir + "/new-facts.kg")
        #expect(r.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir + "/new-facts.kg"))
    }

    @Test func rewritesOnlyChangedStatements() throws {
        let (dir, l) = try setUp()
        let g = l.graph
        let a = g.node(key: "a")!, b = g.node(key: "b")!
        g.setProperty(a, "year", .int(2))
        g.setProperty(a, "tags", .list(["t"]))
        let ba = g.edges.first { g.source(of: $0) == b }!
        g.removeEdge(ba)
        let c = try g.addNode(labels: ["Concept"], properties: [("name", "Cee Dee")])
        g.addEdge(from: c, to: a, type: "REL", evidence: [Evidence(reading: "r", locator: Locator("S2"))])
        let r = try GraphSaver.save(original: l, current: g, newFactsFile: dir + "/new-facts.kg")
        #expect(r.nodesUpdated == 1 && r.edgesDeleted == 1 && r.nodesAdded == 1 && r.edgesAdded == 1)
        #expect(read(dir + "/facts.kg") == """
            # Facts
            concept a "A" : Concept  # keep me
              aka "Ay"
              # about year
              year 2
              tags ["t"]
            concept b "B" : Concept
            reading r "R"
            a -REL-> b  @r L1 "n"   # edge comment

            """)
        #expect(read(dir + "/new-facts.kg") == "concept cee-dee \"Cee Dee\" : Concept\ncee-dee -REL-> a  @r S2\n")
        let again = GraphLoader.load(directory: dir)
        #expect(!again.hasErrors)
        #expect(GraphEquivalence.differences(g, again.graph).isEmpty)
    }

    @Test func deletingANodeDeletesItsStatement() throws {
        let (dir, l) = try setUp()
        let g = l.graph
        try g.removeNode(g.node(key: "b")!, detach: true)
        _ = try GraphSaver.save(original: l, current: g, newFactsFile: dir + "/new-facts.kg")
        #expect(read(dir + "/facts.kg") == "# Facts\nconcept a \"A\" : Concept   # keep me\n  aka \"Ay\"\n  # about year\n  year 1\nreading r \"R\"\n")
    }

    @Test func fileChangedOnDiskMakesSaveFail() throws {
        let (dir, l) = try setUp()
        try (facts + "\n# edited\n").write(toFile: dir + "/facts.kg", atomically: true, encoding: .utf8)
        l.graph.setProperty(l.graph.node(key: "a")!, "year", .int(3))
        #expect(throws: SaveError.self) { try GraphSaver.save(original: l, current: l.graph, newFactsFile: dir + "/n.kg") }
        #expect(read(dir + "/facts.kg") == facts + "\n# edited\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/n.kg"))
    }

    @Test func refusesNodesWithSeveralKinds() throws {
        let (dir, l) = try setUp()
        l.graph.addLabel("Extra", to: l.graph.node(key: "a")!)
        #expect(throws: SaveError.self) { try GraphSaver.save(original: l, current: l.graph, newFactsFile: dir + "/n.kg") }
        #expect(read(dir + "/facts.kg") == facts + "\n")
    }
}

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex(of: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(of: [UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Block-boundary lengths.
        #expect(SHA256.hex(of: [UInt8](repeating: 0x61, count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(SHA256.hex(of: [UInt8](repeating: 0x61, count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    @Test func incrementalEqualsOneShot() async {
        await propertyCheck(count: 50, input: Gen.int(in: 0...300), Gen.int(in: 0...300)) { n, cut in
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var h = SHA256()
            h.update(bytes.prefix(min(cut, n)))
            h.update(bytes.dropFirst(min(cut, n)))
            #expect(h.finalize() == SHA256.hash(bytes))
        }
    }
}
