import Foundation
import KGCore

/// A cue phrase of the schema, read once: which structure in a sentence it stands for.
struct CuePattern: Sendable {
    enum Shape: Sendable, Equatable {
        /// A verb (any inflection), with the words that must follow it ("persisted *through*").
        case verb(lemma: String, particles: [String])
        /// A verb, an object, then an adjective: "made it *worse*", "leave … *intact*", "make … *more robust*".
        case causative(verbs: Set<String>, adjective: [String])
        /// After a linking verb: "is *a kind of*", "stays *invisible to*", "is *part of*".
        case predicate(words: [String])
        /// Between two noun phrases: "*rather than*", "*instead of*", "*versus*".
        case connective(words: [String])
        /// Between two clauses (their subjects): "*whereas*"; or "*unlike* X, Y …".
        case clauseContrast(words: [String])
        /// "X *such as* Y", "X (*e.g.* Y)": Y is an example of X.
        case example(words: [String])
        /// A phrase kg link has no structure for ("the reason", "when a trigger"): never used.
        case unsupported
    }
    var relation: String
    var phrase: String
    var shape: Shape
    /// The phrase holds a negation ("does not remove"): it needs one in the sentence, and then
    /// states the relation plainly.
    var negated: Bool
    /// The phrase is passive ("triggered by", "can be stripped"): its grammatical subject is the
    /// relation's source.
    var passive: Bool
    /// The phrase reads the relation backwards ("invisible to" for BLIND_TO, "consists of" for PART_OF).
    var inverse: Bool

    /// The words that must be matched literally (non-verb shapes).
    var literal: [String] {
        switch shape {
        case .predicate(let w), .connective(let w), .clauseContrast(let w), .example(let w): return w
        default: return []
        }
    }

    static let particles = Lexicon.words("through for on by to at against of in into with from away out up down off over about as onto upon within")
    static let causativeVerbs: Set<String> = ["make", "leave", "render", "keep", "get"]
    /// Phrases that read a part–whole relation from the whole ("X consists of Y": Y is part of X).
    static let converse = Set(["consists of", "consist of", "made up of", "is made of", "comprises", "comprise", "includes", "include",
                               "contains", "contain", "is composed of", "composed of"])

    /// Reads a cue phrase of relation type `decl`.
    static func parse(_ phrase: String, relation decl: RelationDecl, extraVerbs: Set<String>) -> CuePattern {
        let raw = phrase.lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
        var words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0) }
        while let l = words.last, l.hasSuffix(",") || l.hasSuffix(";") || l.hasSuffix(":") { words[words.count - 1] = String(l.dropLast()); if words.last!.isEmpty { words.removeLast() } }
        // expand contractions the way the sentence tokenizer does
        var expanded: [String] = []
        for w in words {
            if w.hasSuffix("n't") && w.count > 3 {
                expanded.append(w == "can't" ? "can" : (w == "won't" ? "will" : String(w.dropLast(3))))
                expanded.append("not")
            } else { expanded.append(w) }
        }
        words = expanded
        let inverseWords = decl.inverse.map { $0.lowercased().split(separator: "_").map(String.init) }
        var p = CuePattern(relation: decl.name, phrase: phrase, shape: .unsupported, negated: false, passive: false,
                           inverse: inverseWords == words || converse.contains(words.joined(separator: " ")))
        guard !words.isEmpty else { return p }
        let joined = words.joined(separator: " ")
        switch joined {
        case "rather than", "instead of", "instead", "versus", "vs", "vs.", "as opposed to", "in contrast to", "set against":
            p.shape = .connective(words: joined == "instead" ? ["instead", "of"] : words)
            return p
        case "whereas", "unlike", "while":
            p.shape = .clauseContrast(words: words)
            return p
        case "for example", "for instance", "e.g.", "e.g", "eg", "such as", "including":
            p.shape = .example(words: joined.hasPrefix("e.g") ? ["e.g"] : words)
            return p
        default: break
        }
        // A verb phrase: [aux/modal/negation…] verb [particles…]
        var k = 0
        var before: [String] = []
        while k < words.count, Lexicon.be.contains(words[k]) || Lexicon.modals.contains(words[k]) || Lexicon.doForms.contains(words[k])
                || Lexicon.have.contains(words[k]) || words[k] == "not" || words[k] == "never" || words[k] == "cannot" {
            before.append(words[k])
            k += 1
        }
        if k < words.count, !Lexicon.nounOnly.contains(words[k]), !Lexicon.determiners.contains(words[k]),
           let (base, form) = Lexicon.lemma(of: words[k], extra: extraVerbs), !Lexicon.adjectives.contains(words[k]) || !before.isEmpty {
            let rest = Array(words[(k + 1)...])
            p.negated = before.contains { $0 == "not" || $0 == "never" || $0 == "cannot" }
            let beforeBe = before.contains { Lexicon.be.contains($0) }
            if rest == ["by"] && form.contains(.participle) {
                p.passive = true
                p.shape = .verb(lemma: base, particles: [])
            } else if rest.allSatisfy({ particles.contains($0) }) {
                p.passive = beforeBe && form.contains(.participle)
                p.shape = .verb(lemma: base, particles: rest)
            } else if causativeVerbs.contains(base), let last = rest.last, Lexicon.adjectives.contains(last) || last.hasSuffix("er") {
                let adj = rest.filter { !Lexicon.pronouns.contains($0) }
                p.shape = .causative(verbs: [base], adjective: adj)
            } else {
                p.shape = .unsupported
            }
            return p
        }
        // "more robust" (causative with make/render), "invisible to", "a kind of", "part of"
        if words.count >= 2 && (words[0] == "more" || words[0] == "less") && Lexicon.adjectives.contains(words[1]) || words == ["worse"] {
            p.shape = .causative(verbs: ["make", "render"], adjective: words)
            return p
        }
        var pred = words
        if let f = pred.first, Lexicon.be.contains(f) { pred.removeFirst() }
        if pred.first == "not" { p.negated = true; pred.removeFirst() }
        guard !pred.isEmpty else { return p }
        let last = pred.last!
        let nominal = pred.contains { w in !Lexicon.determiners.contains(w) && !particles.contains(w) && !Lexicon.adjectives.contains(w) && !Lexicon.adverbs.contains(w) }
        let adjectival = pred.count <= 2 && Lexicon.adjectives.contains(pred[0]) && (pred.count == 1 || particles.contains(last))
        if adjectival || (nominal && (particles.contains(last) || words.first.map { Lexicon.be.contains($0) } == true
                                      || ["example", "version", "cousin", "form", "kind", "type", "part", "component", "evidence", "case", "instance"].contains(last))) {
            p.shape = .predicate(words: pred)
        }
        return p
    }
}

/// A relation one sentence states between two mentioned concepts, as RelationFinder reads it.
struct Finding: Sendable {
    /// Matcher targets (concepts) of the source and the target.
    var source: Int
    var target: Int
    /// Relation type, or nil when the sentence links them but no type can be read with confidence.
    var type: String?
    /// The cue (or verb) as written in the sentence.
    var cue: String
    var modality: Modality
    /// The words that gave the modality ("can", "according to", "not").
    var markers: [String]
    /// How the pair was read, in a few words ("subject and object of “strengthened”").
    var why: String
    /// Byte ranges of the two mentions in the reading (for marking them in the sentence).
    var sourceRange: Range<Int>
    var targetRange: Range<Int>
    /// The direction came from the schema's kinds, not from the sentence.
    var reversedBySchema = false
}

/// Reads the relations a sentence states between the concepts it mentions, from its clause
/// structure: the subject and the object of a cue verb (active or passive, in a relative clause,
/// coordinated), the two sides of a linking verb, of "rather than", "such as", "whereas".
/// Items of a list are never related to each other; a pair that only shares a sentence gives no
/// finding. Titles, headings and structures it cannot read give untyped findings only; questions
/// and clauses under "whether" give none.
struct RelationFinder {
    let patterns: [CuePattern]
    private var byLemma: [String: [Int]] = [:]
    private var byFirstWord: [String: [Int]] = [:]
    let parser: SentenceParser
    /// Whether kind `a` may be the source and `b` the target of a relation type.
    let fits: (String, Int, Int) -> Bool

    init(schema: Schema, fits: @escaping (String, Int, Int) -> Bool) {
        var extra = Set<String>()
        for (_, r) in schema.relations {
            for c in r.cues {
                // A one-word cue in -s/-ed/-ing whose stem is not a known verb still names a verb.
                let w = c.lowercased()
                if !w.contains(" ") && Lexicon.lemma(of: w) == nil && !Lexicon.nounOnly.contains(w) {
                    for (suf, add) in [("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")] where w.hasSuffix(suf) && w.count > suf.count + 2 {
                        if suf == "s" && w.hasSuffix("ss") { continue }
                        if suf == "es" && !(w.hasSuffix("ches") || w.hasSuffix("shes") || w.hasSuffix("sses") || w.hasSuffix("xes")) { continue }
                        extra.insert(String(w.dropLast(suf.count)) + add)
                        break
                    }
                }
            }
        }
        var pats: [CuePattern] = []
        var seen = Set<String>()
        for name in schema.relations.keys.sorted() {
            let r = schema.relations[name]!
            for c in r.cues {
                let p = CuePattern.parse(c, relation: r, extraVerbs: extra)
                if case .unsupported = p.shape { continue }
                let key = "\(p.relation)|\(p.shape)|\(p.negated)|\(p.passive)|\(p.inverse)"
                if !seen.insert(key).inserted { continue }
                pats.append(p)
            }
        }
        self.patterns = pats
        self.parser = SentenceParser(extraVerbs: extra)
        self.fits = fits
        for (i, p) in pats.enumerated() {
            switch p.shape {
            case .verb(let lemma, _): byLemma[lemma, default: []].append(i)
            case .causative(let verbs, _): for v in verbs { byLemma[v, default: []].append(i) }
            default:
                if let f = p.literal.first { byFirstWord[f, default: []].append(i) }
            }
        }
    }

    /// Findings of one sentence. `heading`: a title or heading (telegraphic: untyped findings only).
    func analyse(bytes: [UInt8], range: Range<Int>, mentions: [(target: Int, start: Int, end: Int)], heading: Bool) -> [Finding] {
        let t = parser.tokens(bytes, range, mentions: mentions)
        var s = Sentence(t: t, finder: self)
        if let last = t.last(where: { $0.tag == .punct && $0.lower != "\"" && $0.lower != "'" && $0.lower != ")" }), last.lower == "?" {
            return []  // a question asserts nothing
        }
        s.run()
        var out = s.findings
        if heading {
            for i in out.indices where out[i].type != nil {
                out[i].type = nil
                out[i].why = "in a heading (" + out[i].why + ")"
                out[i].modality = .asserted
                out[i].markers = []
            }
        }
        return out
    }

    // MARK: - One sentence

    struct Sentence {
        var t: [PToken]
        let finder: RelationFinder
        var findings: [Finding] = []
        /// Verb tokens already explained by a cue.
        var used = Set<Int>()
        init(t: [PToken], finder: RelationFinder) {
            self.t = t
            self.finder = finder
            fixDeterminers()
        }

        var n: Int { t.count }

        /// "that", "this", "these", "those" before a noun phrase are determiners.
        mutating func fixDeterminers() {
            for k in t.indices where ["that", "this", "these", "those"].contains(t[k].lower) && (t[k].tag == .rel || t[k].tag == .pron || t[k].tag == .det) {
                let next = k + 1 < t.count ? t[k + 1] : nil
                let prev = k > 0 ? t[k - 1] : nil
                let beforeNoun = next.map { $0.tag == .noun || $0.tag == .mention || $0.tag == .adj || $0.tag == .num } ?? false
                if t[k].lower == "that" {
                    if beforeNoun, let p = prev, p.tag == .verb || p.tag == .prep || p.tag == .be || p.tag == .to || (p.tag == .punct && p.lower != ",") {
                        // "erased that trace"; but "shows that models …" stays a complementizer when a verb follows the noun
                        if !(p.tag == .verb && nounThenVerb(k + 1)) { t[k].tag = .det }
                    } else if beforeNoun && prev == nil {
                        t[k].tag = .det
                    }
                } else {
                    t[k].tag = beforeNoun ? .det : .pron
                }
            }
        }

        /// A noun phrase at `k` followed by a verb group.
        func nounThenVerb(_ k: Int) -> Bool {
            guard let np = npRight(k) else { return false }
            var j = np.upperBound
            while j < n && (t[j].tag == .adv || t[j].tag == .modal || t[j].tag == .neg) { j += 1 }
            return j < n && (t[j].tag == .verb || t[j].tag == .be || t[j].tag == .have || t[j].tag == .doAux || t[j].tag == .modal)
        }

        // MARK: noun phrases

        func isNPInner(_ x: PToken) -> Bool {
            switch x.tag {
            case .noun, .adj, .num, .mention: return true
            default: return false
            }
        }

        /// The noun phrase ending at token `j` (inclusive), as a range; nil when `j` ends none.
        func npLeft(_ j: Int) -> Range<Int>? {
            guard j >= 0, j < n else { return nil }
            let x = t[j]
            if x.tag == .pron { return j..<(j + 1) }
            guard x.isNominal || (x.tag == .mention) else { return nil }
            var k = j
            while k > 0 {
                let p = t[k - 1]
                if isNPInner(p) || (p.tag == .adv && t[k].tag == .adj) { k -= 1; continue }
                if p.tag == .det { k -= 1; if k > 0 && t[k - 1].tag == .det { k -= 1 }; break }  // "all the"
                break
            }
            return k..<(j + 1)
        }

        /// The noun phrase starting at token `i`; nil when none starts there.
        func npRight(_ i: Int) -> Range<Int>? {
            guard i >= 0, i < n else { return nil }
            var k = i
            if t[k].tag == .pron { return k..<(k + 1) }
            while k < n && t[k].tag == .det { k += 1 }
            let bodyStart = k
            var lastNominal = -1
            while k < n {
                let x = t[k]
                if isNPInner(x) {
                    if x.isNominal { lastNominal = k }
                    if x.possessive { k += 1; continue }
                    k += 1
                    continue
                }
                if x.tag == .adv && k + 1 < n && (t[k + 1].tag == .adj || t[k + 1].tag == .verb && t[k + 1].form.contains(.participle)) { k += 1; continue }
                // participle or gerund modifier inside the phrase: "the planted backdoor"
                if x.tag == .verb && k + 1 < n && (t[k + 1].tag == .noun || t[k + 1].tag == .mention) && k > bodyStart - 1 && k < n - 1
                    && (x.form.contains(.participle) || x.form == .gerund) && k == bodyStart && bodyStart > i { k += 1; continue }
                break
            }
            guard lastNominal >= 0 else { return nil }
            return i..<(lastNominal + 1)
        }

        static let lightHeads = Lexicon.words("""
            method methods technique techniques approach approaches procedure procedures process step steps setting \
            settings pipeline regime stage phase research work literature examples example run runs round rounds \
            session sessions variant variants version versions result results records record
            """)
        static let partitives = Lexicon.words("""
            lot lots number amount round rounds kind kinds type types form forms sort sorts variety set series couple \
            handful piece bit version versions instance instances case cases example examples use uses application \
            applications variant variants rest part
            """)

        /// The token that heads a noun phrase (for a partitive "both rounds of X", X's head).
        func head(_ np: Range<Int>) -> Int? {
            var h: Int? = nil
            for k in np where t[k].isNominal || t[k].tag == .pron { h = k }
            guard var hh = h else { return nil }
            // "the backdoor's trigger": the head is after the possessive
            if t[hh].tag == .noun && Self.lightHeads.contains(t[hh].lower), hh > np.lowerBound, t[hh - 1].tag == .mention, !t[hh - 1].embedded {
                hh -= 1
            }
            if t[hh].tag == .noun && Self.partitives.contains(t[hh].lower), np.upperBound < n, t[np.upperBound].lower == "of",
               let inner = npRight(np.upperBound + 1) {
                return head(inner)
            }
            return hh
        }

        /// The concept a noun phrase names (its head is a mention), or nil.
        func concept(_ np: Range<Int>) -> Int? {
            guard let h = head(np), t[h].tag == .mention, !t[h].embedded else { return nil }
            return h
        }

        /// Noun phrases coordinated with `np` on its right: "X, Y and Z" (not "X and it remains …").
        func conjunctsRight(_ np: Range<Int>) -> [Range<Int>] {
            var out = [np]
            var k = np.upperBound
            while k < n {
                var j = k
                var sawAnd = false
                if t[j].isPunct(",") { j += 1 }
                if j < n && t[j].tag == .conj && (t[j].lower == "and" || t[j].lower == "or") { j += 1; sawAnd = true }
                guard j > k, j < n, let next = npRight(j) else { break }
                // "…, and adversarial training then penalises": a new clause, not a conjunct
                var v = next.upperBound
                while v < n && (t[v].tag == .adv) { v += 1 }
                if v < n && (t[v].tag == .verb || t[v].tag == .be || t[v].tag == .modal || t[v].tag == .have || t[v].tag == .doAux)
                    && !(t[v].tag == .verb && t[v].form == .gerund) { break }
                if t[next.lowerBound].tag == .pron { break }
                out.append(next)
                k = next.upperBound
                if sawAnd { break }
            }
            return out
        }

        /// Noun phrases coordinated with `np` on its left: "X, Y and Z" seen from Z.
        func conjunctsLeft(_ np: Range<Int>) -> [Range<Int>] {
            var out = [np]
            var k = np.lowerBound
            var sawAnd = false
            while k > 0 {
                var j = k - 1
                var sep = false
                if t[j].tag == .conj && (t[j].lower == "and" || t[j].lower == "or") {
                    if sawAnd { break }
                    sawAnd = true; sep = true; j -= 1
                    if j >= 0 && t[j].isPunct(",") { j -= 1 }
                } else if t[j].isPunct(",") && sawAnd {
                    sep = true; j -= 1
                }
                guard sep, j >= 0, let prev = npLeft(j), t[prev.lowerBound].tag != .pron else { break }
                // the previous phrase must not be the object of a preposition or a verb
                if prev.lowerBound > 0 && (t[prev.lowerBound - 1].tag == .prep || t[prev.lowerBound - 1].tag == .verb) { break }
                out.insert(prev, at: 0)
                k = prev.lowerBound
            }
            return out
        }

        // MARK: verb groups

        struct VerbGroup {
            var start: Int
            var verb: Int
            var passive: Bool
            var negations: [String]
            var modals: [String]
            var control: [String]
        }

        static let controlVerbs: Set<String> = ["try", "attempt", "learn", "seem", "appear", "tend", "fail", "manage", "continue", "begin", "start",
                                                "need", "want", "hope", "aim", "intend", "help", "come", "prove", "claim"]
        static let linkingVerbs: Set<String> = ["be", "become", "remain", "stay", "seem", "appear", "look", "prove", "get", "grow", "turn", "sound"]

        /// The verb group ending at the verb token `v`: auxiliaries, modals, negations and adverbs
        /// before it, and a control verb ("failed *to* remove", "learned *to* hide").
        func verbGroup(_ v: Int) -> VerbGroup {
            var g = VerbGroup(start: v, verb: v, passive: false, negations: [], modals: [], control: [])
            var k = v - 1
            var sawBe = false
            while k >= 0 {
                let x = t[k]
                switch x.tag {
                case .adv: k -= 1; continue
                case .neg: g.negations.append(x.lower); k -= 1; continue
                case .modal: g.modals.append(x.lower); if x.lower == "cannot" { g.negations.append("cannot") }; k -= 1; continue
                case .be:
                    if k == v - 1 || (k < v - 1 && t[(k + 1)..<v].allSatisfy { $0.tag == .adv || $0.tag == .neg }) { sawBe = true }
                    k -= 1; continue
                case .have, .doAux: k -= 1; continue
                case .to:
                    if k > 0, let c = controlBefore(k - 1) {
                        g.control.append(t[c].lemma ?? t[c].lower)
                        if t[c].lemma == "fail" { g.negations.append(t[c].lower) }
                        k = c - 1
                        continue
                    }
                    break
                case .verb where x.lemma == "get" && k == v - 1:
                    sawBe = true; k -= 1; continue
                default: break
                }
                break
            }
            g.start = k + 1
            g.passive = sawBe && t[v].form.contains(.participle)
            return g
        }

        /// A control verb ending at `k` (skipping adverbs): "tried", "learned", "failed".
        func controlBefore(_ k: Int) -> Int? {
            var j = k
            while j >= 0 && t[j].tag == .adv { j -= 1 }
            guard j >= 0, t[j].tag == .verb, let l = t[j].lemma, Self.controlVerbs.contains(l) else { return nil }
            return j
        }

        // MARK: subjects and objects

        func isBoundary(_ x: PToken) -> Bool {
            if x.tag == .punct { return [";", ":", "—", "(", ")", "[", "]", ".", "!", "?", "\""].contains(x.lower) }
            return x.tag == .sub || x.tag == .wh
        }

        /// The subject noun phrases of the verb group starting at `start` (coordinated ones all).
        /// Also returns the antecedent when the subject is a relative pronoun's.
        func subject(before start: Int, depth: Int = 0) -> [Range<Int>] {
            var j = start - 1
            var steps = 0
            while j >= 0 && steps < 80 {
                steps += 1
                let x = t[j]
                if x.tag == .adv { j -= 1; continue }
                if x.tag == .rel && x.lower != "whose" {
                    // relative clause: the antecedent ("adversarial training, which …", "a backdoor that …")
                    var k = j - 1
                    if k >= 0 && t[k].isPunct(",") { k -= 1 }
                    guard let np = npLeft(k), t[np.lowerBound].tag != .pron else { return [] }
                    return conjunctsLeft(attach(np))
                }
                if x.isPunct(",") || x.isPunct("—") || x.isPunct(")") {
                    // a parenthetical between subject and verb: ", which …,", "(e.g. …)", "— …"
                    guard let open = parentheticalStart(j) else { return [] }
                    j = open - 1
                    continue
                }
                if x.tag == .conj && (x.lower == "and" || x.lower == "but" || x.lower == "or") {
                    // "… and can instead sharpen": the subject of the verb before
                    guard depth < 3, let pv = previousVerbGroup(before: j) else { return [] }
                    return subject(before: pv.start, depth: depth + 1)
                }
                if x.tag == .pron && ["neither", "both", "each", "all", "none"].contains(x.lower) {
                    // "… were both tested, and neither removed the backdoor"
                    guard depth < 3, j > 0 else { return [] }
                    var k = j - 1
                    while k >= 0 && (t[k].tag == .conj || t[k].isPunct(",")) { k -= 1 }
                    guard let pv = previousVerbGroup(before: k + 1) else { return [] }
                    let s = subject(before: pv.start, depth: depth + 1)
                    return s.count > 1 ? s : []
                }
                if x.tag == .verb && x.form == .gerund { return [] }
                guard x.isNominal || x.tag == .pron else { return [] }
                guard let np = npLeft(j) else { return [] }
                if let ante = antecedentOfRelativeClause(before: np.lowerBound, verbStart: start) { return conjunctsLeft(attach(ante)) }
                return conjunctsLeft(attach(np))
            }
            return []
        }

        /// "A backdoor that is triggered by a rare input stays invisible …": when the phrase before
        /// the verb ends a complete relative clause, the subject is the clause's antecedent.
        func antecedentOfRelativeClause(before k: Int, verbStart: Int) -> Range<Int>? {
            var r = k - 1
            var steps = 0
            while r >= 0 && steps < 30 {
                steps += 1
                let x = t[r]
                if x.tag == .rel && x.lower != "whose" { break }
                if isBoundary(x) || x.isPunct(",") || x.tag == .conj { return nil }
                r -= 1
            }
            guard r > 0, t[r].tag == .rel else { return nil }
            // the relative clause has its own verb before ours
            guard ((r + 1)..<verbStart).contains(where: { t[$0].tag == .verb && t[$0].form != .gerund || t[$0].tag == .be || t[$0].tag == .modal }) else { return nil }
            var a = r - 1
            if a >= 0 && t[a].isPunct(",") { a -= 1 }
            guard let ante = npLeft(a), t[ante.lowerBound].tag != .pron else { return nil }
            return ante
        }

        /// The noun phrase a prepositional phrase hangs from: "reasoning *about the process*" → reasoning.
        func attach(_ np: Range<Int>) -> Range<Int> {
            var cur = np
            var guardSteps = 0
            while cur.lowerBound >= 2 && guardSteps < 8 {
                guardSteps += 1
                let p = t[cur.lowerBound - 1]
                guard p.tag == .prep, !["than", "as", "like"].contains(p.lower), let prev = npLeft(cur.lowerBound - 2) else { break }
                // "In larger models the backdoor …": a phrase-initial prepositional phrase is not attached
                if prev.lowerBound > 0 && t[prev.lowerBound - 1].tag == .prep && prev.lowerBound - 1 == 0 { break }
                cur = prev
            }
            // an introductory prepositional phrase: "In their experiments, X …" was skipped by the comma
            return cur
        }

        /// The start of a parenthetical that ends at token `j` (",", "—" or ")"); nil when the
        /// material before is not one.
        func parentheticalStart(_ j: Int) -> Int? {
            let closer = t[j].lower
            let opener = closer == ")" ? "(" : closer
            var k = j - 1
            var steps = 0
            while k >= 0 && steps < 40 {
                steps += 1
                if t[k].lower == opener && t[k].tag == .punct {
                    let first = k + 1 < j ? t[k + 1] : nil
                    guard let f = first else { return nil }
                    if closer == ")" || closer == "—" { return k }
                    // ", which …,", ", for example …,", ", according to …,", ", once inserted,", ", a probe,"
                    if f.tag == .rel || f.tag == .prep || f.tag == .adv || f.tag == .sub || f.tag == .to
                        || (f.tag == .verb && (f.form.contains(.participle) || f.form == .gerund)) || f.tag == .det {
                        return k
                    }
                    return nil
                }
                if t[k].tag == .punct && [";", ":", ".", "(", ")"].contains(t[k].lower) { return nil }
                k -= 1
            }
            return nil
        }

        /// The nearest verb group that ends before token `j`.
        func previousVerbGroup(before j: Int) -> VerbGroup? {
            var k = j - 1
            while k >= 0 {
                if t[k].tag == .verb && t[k].form != .gerund && !(t[k].form.contains(.participle) && k > 0 && t[k - 1].tag == .det) {
                    return verbGroup(k)
                }
                if t[k].tag == .be && (k + 1 >= n || t[k + 1].tag != .verb) { return VerbGroup(start: verbGroupStartForBe(k), verb: k, passive: false, negations: [], modals: [], control: []) }
                if isBoundary(t[k]) { return nil }
                k -= 1
            }
            return nil
        }

        func verbGroupStartForBe(_ k: Int) -> Int {
            var j = k - 1
            while j >= 0 && (t[j].tag == .adv || t[j].tag == .modal || t[j].tag == .neg || t[j].tag == .have || t[j].tag == .doAux) { j -= 1 }
            return j + 1
        }

        /// The object noun phrases after token `i` (coordinated ones all); none when a clause or a
        /// prepositional phrase follows instead.
        func object(after i: Int) -> [Range<Int>] {
            var k = i
            while k < n && t[k].tag == .adv && !["more", "less"].contains(t[k].lower) { k += 1 }
            guard k < n else { return [] }
            let x = t[k]
            // "fewer than a hundred examples", "at least two rounds"
            if ["more", "fewer", "less"].contains(x.lower), k + 1 < n, t[k + 1].lower == "than" { k += 2 }
            else if x.lower == "at", k + 1 < n, ["least", "most"].contains(t[k + 1].lower) { k += 2 }
            else if ["about", "around", "over", "nearly", "almost", "roughly", "approximately"].contains(x.lower), k + 1 < n,
                    t[k + 1].tag == .num || t[k + 1].lower == "a" { k += 1 }
            guard k < n else { return [] }
            let y = t[k]
            if y.tag == .rel || y.tag == .wh || y.tag == .to || y.tag == .sub || y.tag == .prep || y.tag == .punct || y.tag == .conj { return [] }
            guard let np = npRight(k), t[np.lowerBound].tag != .pron else { return [] }
            let list = conjunctsRight(np)
            // "a feature of the input, such as a year or a deployment tag": the examples name it
            if list.count == 1, concept(np) == nil, let ex = examples(after: np.upperBound) { return ex }
            return list
        }

        /// Noun phrases given as examples right after a phrase: "such as X and Y", "like X", "(e.g. X)".
        func examples(after e: Int) -> [Range<Int>]? {
            var k = e
            var hops = 0
            // skip an attached prepositional phrase: "a feature *of the input*"
            while hops < 2, k < n, t[k].tag == .prep, t[k].lower == "of" || t[k].lower == "in", let pp = npRight(k + 1) { k = pp.upperBound; hops += 1 }
            if k < n && (t[k].isPunct(",") || t[k].isPunct("(")) { k += 1 }
            guard k < n else { return nil }
            if t[k].lower == "such" && k + 1 < n && t[k + 1].lower == "as" { k += 2 }
            else if t[k].lower == "e.g" || t[k].lower == "like" || t[k].lower == "including" { k += 1 }
            else if t[k].lower == "for" && k + 1 < n && ["example", "instance"].contains(t[k + 1].lower) { k += 2 }
            else { return nil }
            if k < n && (t[k].isPunct(",") || t[k].isPunct(".")) { k += 1 }
            guard let first = npRight(k) else { return nil }
            let list = conjunctsRight(first)
            return list.contains { concept($0) != nil } ? list : nil
        }

        // MARK: modality

        static let hedgeAdverbs = Lexicon.words("""
            sometimes often occasionally partly partially largely mostly possibly perhaps probably likely arguably \
            apparently seemingly potentially somewhat plausibly conceivably presumably typically usually generally \
            frequently rarely seldom sporadically
            """)
        static let hedgeVerbs: Set<String> = ["suggest", "indicate", "hint", "imply", "seem", "appear", "tend", "speculate", "hypothesise", "hypothesize"]
        static let reportVerbs: Set<String> = ["report", "claim", "argue", "say", "state", "find", "show", "demonstrate", "note", "write",
                                               "conclude", "believe", "observe", "propose", "assert", "maintain", "contend", "caution",
                                               "warn", "predict", "estimate", "announce", "allege", "insist", "hold", "think", "explain"]
        static let reportAdverbs: Set<String> = ["reportedly", "allegedly", "purportedly", "supposedly", "ostensibly"]
        static let hedgeModals: Set<String> = ["can", "could", "may", "might", "would", "cannot"]

        /// The modality of a clause whose verb group is `g` and whose subject starts at `subjectStart`.
        func modality(_ g: VerbGroup, subjectStart: Int, end: Int, cueNegated: Bool) -> (Modality, [String]) {
            var negation: [String] = g.negations
            var hedges: [String] = []
            var reports: [String] = []
            for m in g.modals where Self.hedgeModals.contains(m) && m != "cannot" { hedges.append(m) }
            for c in g.control where Self.hedgeVerbs.contains(c) { hedges.append(c) }
            let cs = clauseStart(from: min(subjectStart, g.start))
            let s = max(0, cs)
            for k in s..<min(n, max(s, end)) {
                let w = t[k].lower
                if t[k].tag == .adv && Self.hedgeAdverbs.contains(w) && !hedges.contains(w) { hedges.append(w) }
                if Self.reportAdverbs.contains(w) { reports.append(w) }
                if k == s || k == subjectStart, t[k].tag == .det, w == "no" || w == "neither" { negation.append(w) }
            }
            if subjectStart >= 0 && subjectStart < n && (t[subjectStart].lower == "no" || t[subjectStart].lower == "neither") && !negation.contains(t[subjectStart].lower) {
                negation.append(t[subjectStart].lower)
            }
            if subjectStart > 0 && subjectStart - 1 < n && t[subjectStart - 1].lower == "neither" { negation.append("neither") }
            if g.start < n && t[g.start].lower == "neither" { negation.append("neither") }
            // "without removing it"
            if g.verb > 0 && t[g.verb].form == .gerund && t[g.verb - 1].lower == "without" { negation.append("without") }
            // sentence-wide attribution
            for k in 0..<n where t[k].lower == "according" && k + 1 < n && t[k + 1].lower == "to" {
                var phrase = "according to"
                if let np = npRight(k + 2) { phrase += " " + np.map { t[$0].lower }.joined(separator: " ") }
                reports.append(phrase)
            }
            // "In their experiments, …", "In the authors' view, …"
            if n > 2, t[0].lower == "in", t[1].lower == "their" || (t[1].tag == .det && t.count > 3 && t[2].lower == "authors") { reports.append("in their " + (t.count > 2 ? t[2].lower : "")) }
            // The clause under a reporting, hedging or negated verb: "X showed that …", "Nor does it mean that …"
            var k = cs - 1
            var levels = 0
            while k >= 0 && levels < 3 {
                let x = t[k]
                if x.tag == .sub && (x.lower == "if" || x.lower == "unless") { hedges.append(x.lower); break }
                if x.tag == .sub && x.lower == "whether" { break }
                if x.tag == .rel && x.lower == "that" || (x.isPunct(":") && k > 0) {
                    guard let mv = previousVerbGroup(before: k) else { break }
                    let lemma = t[mv.verb].lemma ?? t[mv.verb].lower
                    let subj = subject(before: mv.start, depth: 2)
                    let firstPerson = subj.first.map { ["we", "i", "our"].contains(t[$0.lowerBound].lower) } ?? false
                    if !mv.negations.isEmpty || (mv.start > 0 && (t[mv.start - 1].lower == "nor" || t[0].lower == "nor")) || t[0].lower == "nor" {
                        negation.append(mv.negations.first ?? "nor")
                    }
                    if Self.hedgeVerbs.contains(lemma) { hedges.append(t[mv.verb].lower) }
                    else if Self.reportVerbs.contains(lemma) && !firstPerson && x.lower == "that" {
                        let who = subj.first.map { r in r.map { t[$0].lower }.joined(separator: " ") } ?? ""
                        reports.append((who.isEmpty ? "" : who + " ") + t[mv.verb].lower + " that")
                    }
                    for m in mv.modals where Self.hedgeModals.contains(m) { hedges.append(m) }
                    k = clauseStart(from: mv.start) - 1
                    levels += 1
                    continue
                }
                if x.tag == .sub || x.tag == .wh { break }
                k -= 1
            }
            if cueNegated {
                // the cue carries the negation: "does not remove" states PERSISTS_THROUGH plainly
                if negation.isEmpty { return (.asserted, []) }  // caller checks the negation is there
                negation.removeFirst()
            }
            if !negation.isEmpty { return (.negated, negation) }
            if !reports.isEmpty { return (.reported, reports + hedges) }
            if !hedges.isEmpty { return (.hedged, hedges) }
            return (.asserted, [])
        }

        /// Where the clause holding token `k` starts (after a boundary, a complementizer "that",
        /// a subordinator or a relative pronoun).
        func clauseStart(from k: Int) -> Int {
            var j = k - 1
            var steps = 0
            while j >= 0 && steps < 80 {
                steps += 1
                let x = t[j]
                if isBoundary(x) || x.tag == .rel || (x.tag == .conj && j + 1 < n && t[j + 1].tag != .det && false) { return j + 1 }
                j -= 1
            }
            return max(0, j + 1)
        }

        /// True when a negation precedes the verb group.
        func hasNegation(_ g: VerbGroup, subjectStart: Int) -> Bool {
            if !g.negations.isEmpty { return true }
            if subjectStart >= 0 && subjectStart < n && ["no", "neither"].contains(t[subjectStart].lower) { return true }
            if g.start > 0 && ["neither", "nor"].contains(t[g.start - 1].lower) { return true }
            return false
        }

        /// Inside "whether …" or a question word clause: not asserted.
        func underWhether(_ k: Int) -> Bool {
            var j = k - 1
            var steps = 0
            while j >= 0 && steps < 60 {
                steps += 1
                if t[j].lower == "whether" { return true }
                if t[j].tag == .punct && [";", ".", ":"].contains(t[j].lower) { return false }
                j -= 1
            }
            return false
        }

        // MARK: findings

        mutating func add(_ sources: [Range<Int>], _ targets: [Range<Int>], pattern: CuePattern?, verb: String, cueText: String,
                          modality: (Modality, [String]), why: String) {
            for s in sources {
                guard let sh = concept(s) else { continue }
                for d in targets {
                    guard let dh = concept(d) else { continue }
                    let a = t[sh].mention, b = t[dh].mention
                    guard a != b else { continue }
                    var src = a, dst = b, sr = t[sh].start..<t[sh].end, dr = t[dh].start..<t[dh].end
                    var f = Finding(source: src, target: dst, type: nil, cue: cueText, modality: modality.0, markers: modality.1,
                                    why: why, sourceRange: sr, targetRange: dr)
                    if let p = pattern {
                        if p.inverse { swap(&src, &dst); swap(&sr, &dr) }
                        if finder.fits(p.relation, src, dst) {
                            f.type = p.relation
                        } else if finder.fits(p.relation, dst, src) {
                            swap(&src, &dst); swap(&sr, &dr)
                            f.type = p.relation
                            f.reversedBySchema = true
                        } else {
                            f.why += "; \(p.relation) does not fit these kinds"
                        }
                        f.source = src; f.target = dst; f.sourceRange = sr; f.targetRange = dr
                    }
                    if !findings.contains(where: { $0.source == f.source && $0.target == f.target && $0.type == f.type }) {
                        findings.append(f)
                    }
                }
            }
        }

        mutating func run() {
            guard n > 0 else { return }
            let mentionCount = Set(t.filter { $0.tag == .mention && !$0.embedded }.map(\.mention)).count
            guard mentionCount >= 2 else { return }
            // Cue verbs.
            for v in 0..<n where t[v].tag == .verb {
                guard let lemma = t[v].lemma, let idx = finder.byLemma[lemma] else { continue }
                for i in idx { verbCue(v, finder.patterns[i]) }
            }
            // Literal cues.
            for c in 0..<n {
                guard let idx = finder.byFirstWord[t[c].lower] else { continue }
                for i in idx {
                    let p = finder.patterns[i]
                    let words = p.literal
                    guard c + words.count <= n else { continue }
                    var ok = true
                    for (o, w) in words.enumerated() where t[c + o].lower != w && !(o == words.count - 1 && Inflection.singular(t[c + o].lower) == w) { ok = false; break }
                    if !ok { continue }
                    literalCue(c, c + words.count, p)
                }
            }
            // Verbs that are no cue: a subject and a direct object that are both concepts (untyped).
            for v in 0..<n where t[v].tag == .verb && !used.contains(v) && t[v].form != .gerund {
                plainVerb(v)
            }
        }

        /// A cue verb at token `v`.
        mutating func verbCue(_ v: Int, _ p: CuePattern) {
            switch p.shape {
            case .verb(_, let particles):
                var k = v + 1
                for w in particles {
                    while k < n && t[k].tag == .adv { k += 1 }
                    guard k < n, t[k].lower == w else { return }
                    k += 1
                }
                let g = verbGroup(v)
                if underWhether(g.start) { used.insert(v); return }
                // A gerund has no subject of its own here ("by rewarding the model …").
                if t[v].form == .gerund && !(g.start < v && t[(g.start)..<v].contains { $0.tag == .be }) { return }
                let textHasBy = particles.isEmpty && k < n && t[k].lower == "by"
                var subjects = subject(before: g.start)
                if subjects.isEmpty, let ps = pseudoCleftSubject(g.start) { subjects = ps }
                // "the backdoor was strengthened by …"; "a backdoor strengthened by …" (no auxiliary)
                let passive = g.passive || (g.start == v && t[v].form.contains(.participle) && textHasBy && v > 0 && t[v - 1].isNominal)
                let negated = hasNegation(g, subjectStart: subjects.first?.lowerBound ?? g.start)
                if p.negated && !negated { return }
                used.insert(v)
                var objects: [Range<Int>] = []
                var sources: [Range<Int>] = []
                var targets: [Range<Int>] = []
                var why = ""
                let word = t[v].lower
                if !particles.isEmpty {
                    objects = object(after: k)
                    sources = subjects; targets = objects
                    why = "subject and object of “\(word) \(particles.joined(separator: " "))”"
                } else if passive {
                    // "Y was strengthened by X": X is the doer
                    if textHasBy { objects = object(after: k + 1) }
                    if p.passive { sources = subjects; targets = objects } else { sources = objects; targets = subjects }
                    why = "passive “\(word) by”"
                } else {
                    objects = object(after: k)
                    if objects.isEmpty, let s = subjects.first, s.lowerBound > 0, t[s.lowerBound - 1].tag == .rel, t[s.lowerBound - 1].lower != "whose" {
                        // an object relative clause: "hidden behavior that red-teaming misses"
                        var a = s.lowerBound - 2
                        if a >= 0 && t[a].isPunct(",") { a -= 1 }
                        if let ante = npLeft(a), t[ante.lowerBound].tag != .pron { objects = conjunctsLeft(attach(ante)) }
                    }
                    if p.passive { sources = objects; targets = subjects } else { sources = subjects; targets = objects }
                    why = "subject and object of “\(word)”"
                }
                if subjects.isEmpty || objects.isEmpty { return }
                let end = (objects.last?.upperBound ?? v + 1)
                let m = modality(g, subjectStart: subjects.first?.lowerBound ?? g.start, end: end, cueNegated: p.negated)
                add(sources, targets, pattern: p, verb: p.phrase, cueText: cueText(g.start, k), modality: m, why: why)
                // "X strengthens Y, and so does Z"
                ellipsis(after: end, pattern: p, sources: sources, targets: targets, cue: cueText(g.start, k), modality: m)
            case .causative(_, let adjective):
                // verb, object, adjective: "made the backdoor more robust", "leave deception intact"
                guard let np = npRight(v + 1) else { return }
                var k = np.upperBound
                for w in adjective {
                    guard k < n, t[k].lower == w else { return }
                    k += 1
                }
                let g = verbGroup(v)
                let subjects = subject(before: g.start)
                let objects = conjunctsRight(np)
                guard !subjects.isEmpty else { return }
                if p.negated && !hasNegation(g, subjectStart: subjects.first!.lowerBound) { return }
                used.insert(v)
                let m = modality(g, subjectStart: subjects.first!.lowerBound, end: k, cueNegated: p.negated)
                add(subjects, objects, pattern: p, verb: p.phrase, cueText: cueText(g.start, v + 1) + " … " + adjective.joined(separator: " "),
                    modality: m, why: "“\(t[v].lower) X \(adjective.joined(separator: " "))”")
            default: return
            }
        }

        /// True when a finite verb occurs before token `k` in the same clause.
        func hasFiniteVerb(before k: Int) -> Bool {
            var j = k - 1
            while j >= 0 && !isBoundary(t[j]) {
                if t[j].tag == .verb && t[j].form != .gerund { return true }
                j -= 1
            }
            return false
        }

        /// "What safety training can do is reinforce …": the subject inside the "what" clause.
        func pseudoCleftSubject(_ start: Int) -> [Range<Int>]? {
            guard start >= 2, t[start - 1].tag == .be || (start >= 1 && t[start].tag == .be) else { return nil }
            var j = start - 2
            guard j >= 0, t[j].tag == .doAux else { return nil }
            j -= 1
            while j >= 0 && (t[j].tag == .modal || t[j].tag == .adv || t[j].tag == .neg) { j -= 1 }
            guard j >= 0, let np = npLeft(j), np.lowerBound > 0, t[np.lowerBound - 1].lower == "what" else { return nil }
            return [np]
        }

        /// ", and so does Z" / ", as does Z" after a cue clause: Z stands in the same relation.
        mutating func ellipsis(after end: Int, pattern p: CuePattern, sources: [Range<Int>], targets: [Range<Int>], cue: String,
                               modality m: (Modality, [String])) {
            var k = end
            if k < n && t[k].isPunct(",") { k += 1 }
            if k < n && t[k].lower == "and" { k += 1 }
            guard k + 1 < n, t[k].lower == "so" || t[k].lower == "as", t[k + 1].tag == .doAux || t[k + 1].tag == .be || t[k + 1].tag == .have,
                  let np = npRight(k + 2) else { return }
            let z = conjunctsRight(np)
            // Z takes the place of the subject: it relates to the object(s)
            if !p.passive { add(z, targets, pattern: p, verb: p.phrase, cueText: cue, modality: m, why: "“so does …” after “\(cue)”") }
            else { add(sources, z, pattern: p, verb: p.phrase, cueText: cue, modality: m, why: "“so does …” after “\(cue)”") }
        }

        /// A literal cue at tokens `c..<e`.
        mutating func literalCue(_ c: Int, _ e: Int, _ p: CuePattern) {
            switch p.shape {
            case .connective:
                // "X rather than Y", "concealment instead of removing the behavior"
                guard c > 0, let left = npLeft(c - 1), let right = npRight(e) else { return }
                let g = previousVerbGroup(before: left.lowerBound)
                let m = g.map { modality($0, subjectStart: $0.start, end: e, cueNegated: false) } ?? (.asserted, [])
                add([left], [right], pattern: p, verb: p.phrase, cueText: text(c, e), modality: m.0 == .negated ? (.asserted, []) : m,
                    why: "either side of “\(text(c, e))”")
            case .clauseContrast:
                if c == 0 || isBoundary(t[c - 1]) {
                    // "Unlike X, Y …" / "Whereas X …, Y …"
                    guard let x = npRight(e) ?? nextSubject(after: e).first else { return }
                    guard let vg = nextVerbGroup(after: x.upperBound), let comma = (x.upperBound..<vg.start).first(where: { t[$0].isPunct(",") }) else { return }
                    _ = comma
                    let ys = subject(before: vg.start)
                    add(p.shape == .clauseContrast(words: ["unlike"]) ? [x] : nextSubject(after: e), ys, pattern: p, verb: p.phrase, cueText: text(c, e),
                        modality: (.asserted, []), why: "the two sides of “\(text(c, e))”")
                } else {
                    // "X is …, whereas Y is …": the subjects of the two clauses
                    guard let before = previousVerbGroup(before: c) else { return }
                    let xs = subject(before: before.start)
                    let ys = nextSubject(after: e)
                    guard !xs.isEmpty, !ys.isEmpty else { return }
                    add(xs, ys, pattern: p, verb: p.phrase, cueText: text(c, e), modality: (.asserted, []), why: "the subjects either side of “\(text(c, e))”")
                }
            case .example:
                // "X such as Y and Z", "X (e.g. Y)", "X, for example Y"
                var l = c - 1
                if l >= 0 && (t[l].isPunct("(") || t[l].isPunct(",")) { l -= 1 }
                var r = e
                if r < n && (t[r].isPunct(",") || t[r].isPunct(".")) { r += 1 }
                guard l >= 0, let cat = npLeft(l), let ex = npRight(r) else { return }
                add(conjunctsRight(ex), [cat], pattern: p, verb: p.phrase, cueText: text(c, e), modality: (.asserted, []),
                    why: "“\(text(c, e))” after a noun phrase")
            case .predicate(let words):
                // X [is|stays|remains] [a/an/the…] CUE [of|for|to] Y
                var j = c - 1
                while j >= 0 && (t[j].tag == .det || t[j].tag == .adj || t[j].tag == .adv) { j -= 1 }
                var g: VerbGroup
                if j >= 0 && (t[j].tag == .be || (t[j].tag == .verb && Self.linkingVerbs.contains(t[j].lemma ?? ""))) {
                    g = t[j].tag == .be ? VerbGroup(start: verbGroupStartForBe(j), verb: j, passive: false, negations: [], modals: [], control: [])
                        : verbGroup(j)
                    if t[j].tag == .be {
                        for q in g.start..<j {
                            if t[q].tag == .neg { g.negations.append(t[q].lower) }
                            if t[q].tag == .modal { g.modals.append(t[q].lower) }
                        }
                        var q = j + 1
                        while q < c { if t[q].tag == .neg { g.negations.append(t[q].lower) }; q += 1 }
                    }
                } else { return }
                let subjects = subject(before: g.start)
                var k = e
                if k < n && ["of", "for", "to", "as", "with", "from"].contains(t[k].lower) && !(words.last.map { CuePattern.particles.contains($0) } ?? false) { k += 1 }
                let objects = object(after: k)
                guard !subjects.isEmpty, !objects.isEmpty else { return }
                if p.negated && !hasNegation(g, subjectStart: subjects[0].lowerBound) { return }
                let m = modality(g, subjectStart: subjects[0].lowerBound, end: objects.last!.upperBound, cueNegated: p.negated)
                add(subjects, objects, pattern: p, verb: p.phrase, cueText: text(g.start, e), modality: m, why: "“\(t[j].lower) \(text(c, e))”")
            default: return
            }
        }

        func nextVerbGroup(after k: Int) -> VerbGroup? {
            var j = k
            while j < n {
                if t[j].tag == .verb && t[j].form != .gerund { return verbGroup(j) }
                if t[j].tag == .be { return VerbGroup(start: verbGroupStartForBe(j), verb: j, passive: false, negations: [], modals: [], control: []) }
                j += 1
            }
            return nil
        }

        /// The subject of the next clause after token `k`.
        func nextSubject(after k: Int) -> [Range<Int>] {
            guard let vg = nextVerbGroup(after: k), vg.start > k else { return [] }
            let s = subject(before: vg.start)
            return s.filter { $0.lowerBound >= k }
        }

        /// A verb that is no cue, with a subject and a direct object that are concepts: untyped.
        mutating func plainVerb(_ v: Int) {
            let lemma = t[v].lemma ?? t[v].lower
            if ["have", "do", "make", "get", "let", "say", "go", "come", "put", "set", "give", "take", "ask"].contains(lemma) { return }
            let g = verbGroup(v)
            if underWhether(g.start) { return }
            var subjects: [Range<Int>]
            var objects: [Range<Int>]
            if g.passive {
                guard v + 1 < n, t[v + 1].lower == "by" else { return }
                subjects = object(after: v + 2)
                objects = subject(before: g.start)
            } else {
                if t[v].form.contains(.participle) && !t[v].form.contains(.past) { return }
                subjects = subject(before: g.start)
                objects = object(after: v + 1)
            }
            guard !subjects.isEmpty, !objects.isEmpty else { return }
            let m = modality(g, subjectStart: subjects[0].lowerBound, end: objects.last!.upperBound, cueNegated: false)
            add(subjects, objects, pattern: nil, verb: lemma, cueText: text(g.start, v + 1), modality: m,
                why: "subject and object of “\(t[v].lower)”, which is no cue of the schema")
        }

        func text(_ a: Int, _ b: Int) -> String {
            (max(0, a)..<min(n, b)).map { t[$0].lower }.joined(separator: " ")
        }

        func cueText(_ a: Int, _ b: Int) -> String { text(a, b) }
    }
}
