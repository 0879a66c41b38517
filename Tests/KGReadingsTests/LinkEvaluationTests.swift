import Foundation
import Testing
import KGCore
import KGFormat
@testable import KGReadings

/// What `kg link` proposes, measured against texts judged by hand (`Evaluation/`, see its README):
/// typed relation precision and recall, co-occurrence proposals, modality, and new-concept recall
/// and junk. The figures are printed and reported in docs/LINKING.md.
struct LinkEvaluation {
    struct GoldRelation {
        var kind: String  // rel, maybe, pair
        var source: String
        var target: String
        var types: Set<String>
        var modalities: Set<Modality>
        var sentence: Int
        var line: Int
    }
    struct Gold {
        var relations: [GoldRelation] = []
        var terms: [[String]] = []
        var ok: [String] = []
    }
    struct Figures {
        var typed = 0, typedRight = 0
        var stated = 0, statedFound = 0
        var untyped = 0, untypedRight = 0
        var coOccurrence = 0
        var modalityChecked = 0, modalityRight = 0
        var terms = 0, termsFound = 0
        var candidates = 0, junk = 0
        var wrong: [String] = []
        var missed: [String] = []
        var junkNames: [String] = []
        var missedTerms: [String] = []

        static func + (a: Figures, b: Figures) -> Figures {
            var c = a
            c.typed += b.typed; c.typedRight += b.typedRight; c.stated += b.stated; c.statedFound += b.statedFound
            c.untyped += b.untyped; c.untypedRight += b.untypedRight; c.coOccurrence += b.coOccurrence
            c.modalityChecked += b.modalityChecked; c.modalityRight += b.modalityRight
            c.terms += b.terms; c.termsFound += b.termsFound; c.candidates += b.candidates; c.junk += b.junk
            c.wrong += b.wrong; c.missed += b.missed; c.junkNames += b.junkNames; c.missedTerms += b.missedTerms
            return c
        }
        var precision: Double { typed == 0 ? 1 : Double(typedRight) / Double(typed) }
        var recall: Double { stated == 0 ? 1 : Double(statedFound) / Double(stated) }
        var termRecall: Double { terms == 0 ? 1 : Double(termsFound) / Double(terms) }
        var junkRate: Double { candidates == 0 ? 0 : Double(junk) / Double(candidates) }
    }

    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
    static var folder: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Evaluation") }

    let graph: Graph
    let linker: Linker

    init() throws {
        let loaded = GraphLoader.load(directory: Self.root.appendingPathComponent("Graph").path)
        guard !loaded.hasErrors else { throw EvalError("Graph/ does not load: \(loaded.diagnostics.filter(\.isError).map(\.message))") }
        graph = loaded.graph
        linker = Linker(graph: graph)
    }

    struct EvalError: Error, CustomStringConvertible { var description: String; init(_ s: String) { description = s } }

    static func texts(in set: String) -> [URL] {
        let dir = folder.appendingPathComponent(set)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasSuffix(".gold") && !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0) }
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            .replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "*", with: "")
    }

    /// Parses a .gold file against the sentences of its text.
    static func gold(_ url: URL, spans: [SentenceSpan]) throws -> Gold {
        let text = try String(contentsOf: url, encoding: .utf8)
        var g = Gold()
        let sentences = spans.map { collapse($0.text) }
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            func quoted(_ s: String) -> [String] {
                var out: [String] = []
                var cur: String? = nil
                for ch in s {
                    if ch == "\"" { if let c = cur { out.append(c); cur = nil } else { cur = "" } } else if cur != nil { cur!.append(ch) }
                }
                return out
            }
            let head = trimmed.split(separator: " ").map(String.init)
            switch head[0] {
            case "term": g.terms.append(quoted(trimmed))
            case "ok": g.ok.append(contentsOf: quoted(trimmed))
            case "rel", "maybe", "pair":
                let parts = trimmed.components(separatedBy: "@")
                guard parts.count == 2, let frag = quoted(parts[1]).first else { throw EvalError("\(url.lastPathComponent):\(i + 1): no fragment") }
                let f = collapse(frag)
                let hits = sentences.indices.filter { sentences[$0].contains(f) }
                guard hits.count == 1 else {
                    throw EvalError("\(url.lastPathComponent):\(i + 1): fragment “\(frag)” is in \(hits.count) sentences")
                }
                let w = parts[0].split(separator: " ").map(String.init)
                var r = GoldRelation(kind: w[0], source: w[1], target: "", types: [], modalities: [], sentence: spans[hits[0]].number, line: i + 1)
                if w[0] == "pair" {
                    r.target = w[2]
                } else {
                    r.types = Set(w[2].split(separator: "|").map(String.init))
                    r.target = w[3]
                    if w.count > 4 { r.modalities = Set(w[4].split(separator: "|").compactMap { Modality(rawValue: String($0)) }) }
                    if w[0] == "rel" && r.modalities.isEmpty { throw EvalError("\(url.lastPathComponent):\(i + 1): rel needs a modality") }
                }
                g.relations.append(r)
            default: throw EvalError("\(url.lastPathComponent):\(i + 1): unknown line '\(head[0])'")
            }
        }
        return g
    }

    func evaluate(_ url: URL, log: inout String) throws -> Figures {
        let src = try ReadingSource.load(path: url.path)
        let r = try linker.link(src, options: LinkOptions(path: url.lastPathComponent, sha256: SHA256.hex(of: src.bytes)))
        let gold = try Self.gold(url.deletingPathExtension().appendingPathExtension("gold"), spans: r.sentenceSpans)
        let name = url.lastPathComponent
        var f = Figures()
        func symmetric(_ t: String) -> Bool { graph.schema.relation(t)?.symmetric == true }
        func pairMatches(_ g: GoldRelation, _ a: String, _ b: String) -> Bool {
            (g.source == a && g.target == b) || (g.source == b && g.target == a)
        }
        func typedMatch(_ g: GoldRelation, _ p: RelationProposal) -> Bool {
            guard let t = p.type, g.kind != "pair", g.types.contains(t) else { return false }
            return (g.source == p.source && g.target == p.target) || (symmetric(t) && g.source == p.target && g.target == p.source)
        }
        var foundTriples = Set<String>()
        for p in r.relations {
            let desc = "\(name): \(p.source) -\(p.type ?? "?")-> \(p.target) \(p.modality.rawValue) S\(p.sentences.map(String.init).joined(separator: ",S"))"
            for s in p.sentences where !gold.relations.contains(where: { $0.sentence == s && pairMatches($0, p.source, p.target) }) {
                f.coOccurrence += 1
                f.wrong.append(desc + " (co-occurrence in S\(s))")
            }
            if p.type != nil {
                f.typed += 1
                let right = p.sentences.allSatisfy { s in gold.relations.contains { $0.sentence == s && typedMatch($0, p) } }
                if right {
                    f.typedRight += 1
                    for ev in p.evidence {
                        for g in gold.relations where g.sentence == ev.sentence && typedMatch(g, p) {
                            foundTriples.insert("\(g.source) \(g.types.sorted()) \(g.target)")
                            if g.kind == "rel" {
                                f.modalityChecked += 1
                                if g.modalities.contains(ev.modality) { f.modalityRight += 1 } else {
                                    f.wrong.append(desc + " (modality \(ev.modality.rawValue) in S\(ev.sentence), judged \(g.modalities.map(\.rawValue).sorted().joined(separator: "|")))")
                                }
                            }
                        }
                    }
                } else if !f.wrong.contains(where: { $0.hasPrefix(desc) }) {
                    f.wrong.append(desc)
                }
            } else {
                f.untyped += 1
                if p.sentences.allSatisfy({ s in gold.relations.contains { $0.sentence == s && pairMatches($0, p.source, p.target) } }) { f.untypedRight += 1 }
            }
        }
        var triples: [String: GoldRelation] = [:]
        for g in gold.relations where g.kind == "rel" { triples["\(g.source) \(g.types.sorted()) \(g.target)"] = g }
        f.stated = triples.count
        for (k, g) in triples.sorted(by: { $0.key < $1.key }) {
            if foundTriples.contains(k) { f.statedFound += 1 } else {
                f.missed.append("\(name): \(g.source) -\(g.types.sorted().joined(separator: "|"))-> \(g.target) (S\(g.sentence), gold line \(g.line))")
            }
        }
        // New concepts.
        func norm(_ s: String) -> String {
            var w = NameKey.normalize(s).split(separator: " ").map(String.init)
            if let l = w.last, let sg = Inflection.singular(l) { w[w.count - 1] = sg }
            return w.joined(separator: " ")
        }
        let termKeys = gold.terms.map { Set($0.map(norm)) }
        let okKeys = Set(gold.ok.map(norm))
        f.terms = gold.terms.count
        var hit = [Bool](repeating: false, count: termKeys.count)
        for c in r.candidates {
            let keys = Set([norm(c.name)] + (c.acronym.map { [norm($0)] } ?? []))
            f.candidates += 1
            var matched = false
            for (i, t) in termKeys.enumerated() where !t.isDisjoint(with: keys) { hit[i] = true; matched = true }
            if !matched && okKeys.isDisjoint(with: keys) { f.junk += 1; f.junkNames.append("\(name): \(c.name)") }
        }
        f.termsFound = hit.filter { $0 }.count
        for (i, h) in hit.enumerated() where !h { f.missedTerms.append("\(name): \(gold.terms[i].joined(separator: " / "))") }
        log += String(format: "%-34@ typed %2d right %2d | stated %2d found %2d | untyped %2d right %2d | co-occ %d | terms %d/%d junk %d/%d\n",
                      name as NSString, f.typed, f.typedRight, f.stated, f.statedFound, f.untyped, f.untypedRight, f.coOccurrence,
                      f.termsFound, f.terms, f.junk, f.candidates)
        return f
    }

    func run(_ set: String) throws -> (Figures, String) {
        var log = "== \(set)\n"
        var total = Figures()
        for u in Self.texts(in: set) { total = total + (try evaluate(u, log: &log)) }
        log += String(format: "TOTAL %@: typed precision %.2f (%d/%d), recall %.2f (%d/%d), untyped %d (%d on related pairs), co-occurrence proposals %d, modality %d/%d; new concepts: recall %.2f (%d/%d), junk %.2f (%d/%d)\n",
                      set, total.precision, total.typedRight, total.typed, total.recall, total.statedFound, total.stated, total.untyped,
                      total.untypedRight, total.coOccurrence, total.modalityRight, total.modalityChecked,
                      total.termRecall, total.termsFound, total.terms, total.junkRate, total.junk, total.candidates)
        for w in total.wrong { log += "  wrong: \(w)\n" }
        for m in total.missed { log += "  missed: \(m)\n" }
        for j in total.junkNames { log += "  junk: \(j)\n" }
        for m in total.missedTerms { log += "  missed term: \(m)\n" }
        return (total, log)
    }
}

@Suite("kg link against hand-judged texts")
struct LinkEvaluationTests {
    /// The texts the rules were developed on.
    @Test func tuningSet() throws {
        let e = try LinkEvaluation()
        let (f, log) = try e.run("tuning")
        print(log)
        #expect(f.precision >= 0.8, "typed precision \(f.precision)")
        #expect(f.recall >= 0.4, "recall \(f.recall)")
        #expect(f.coOccurrence == 0, "co-occurrence proposals")
        #expect(f.termRecall >= 0.6, "new-concept recall \(f.termRecall)")
        #expect(f.junkRate <= 0.2, "new-concept junk \(f.junkRate)")
    }
}

/// `KG_TAG_DEBUG="some sentence" swift test --filter tagDebug` prints the tagger's reading of a
/// sentence (a development aid; does nothing otherwise).
@Suite("Tagger debug") struct TagDebug {
    @Test func tagDebug() throws {
        guard let s = ProcessInfo.processInfo.environment["KG_TAG_DEBUG"] else { return }
        let e = try LinkEvaluation()
        let src = try ReadingSource(path: "x.txt", bytes: Array(s.utf8))
        let r = try e.linker.link(src, options: LinkOptions(path: "x.txt", sha256: ""))
        var ms: [(target: Int, start: Int, end: Int)] = []
        for m in r.mentions { for o in m.occurrences { ms.append((e.linker.concepts.firstIndex(of: m.node)!, o.start, o.end)) } }
        ms.sort { $0.start < $1.start }
        let toks = SentenceParser().tokens(src.scan, 0..<src.bytes.count, mentions: ms)
        print(toks.map { "\($0.lower)/\($0.tag)\($0.lemma.map { "(\($0))" } ?? "")" }.joined(separator: " "))
        for p in r.relations { print("\(p.source) -\(p.type ?? "?")-> \(p.target) \(p.modality) \(p.why)") }
        for c in r.candidates { print("candidate \(c.name) \(c.count) \(c.reason)") }
    }
}
