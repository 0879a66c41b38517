import Foundation
import KGCore
import KGFormat

/// Which proposals of a link result to keep.
///
/// Written on the command line as words, each `--accept` once: `all`, `none`, `mentions`,
/// `relations` (every typed one that is not negated), `relations:1,3`, `relations:4=CAUSES` (give
/// an untyped proposal a type, or retype one), `concepts`, `concepts:2,5`. The reading node itself
/// is always kept when anything is. Without `--accept` and without a terminal to ask on,
/// `--apply` keeps the mentions only.
public struct Acceptance: Equatable, Sendable {
    public var mentions: Bool
    /// Every typed relation proposal that is not negated.
    public var allRelations: Bool
    public var relations: Set<Int>
    /// A type given to a proposal by number (`relations:3=CAUSES`).
    public var relationTypes: [Int: String]
    /// Proposals whose direction was turned around (in a proposal file).
    public var reversed: Set<Int>
    public var allConcepts: Bool
    public var concepts: Set<Int>

    public init(mentions: Bool = true, allRelations: Bool = false, relations: Set<Int> = [], relationTypes: [Int: String] = [:],
                reversed: Set<Int> = [], allConcepts: Bool = false, concepts: Set<Int> = []) {
        self.mentions = mentions
        self.allRelations = allRelations
        self.relations = relations
        self.relationTypes = relationTypes
        self.reversed = reversed
        self.allConcepts = allConcepts
        self.concepts = concepts
    }

    public static let mentionsOnly = Acceptance()
    public static let all = Acceptance(mentions: true, allRelations: true, allConcepts: true)

    /// Parses the `--accept` values. Throws a message naming the bad value.
    public static func parse(_ values: [String]) throws -> Acceptance {
        var a = Acceptance(mentions: false)
        for raw in values {
            for v in raw.split(separator: " ").map(String.init) where !v.isEmpty {
                let parts = v.split(separator: ":", maxSplits: 1).map(String.init)
                let head = parts[0].lowercased()
                var numbers: Set<Int> = []
                var types: [Int: String] = [:]
                if parts.count == 2 {
                    for item in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                        var n = Substring(item)
                        var type: String? = nil
                        if let eq = item.firstIndex(of: "=") {
                            n = item[..<eq]
                            type = String(item[item.index(after: eq)...])
                            guard let t = type, !t.isEmpty, t.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), t.first!.isLetter || t.first == "_" else {
                                throw LinkError.badAccept("'\(v)': '\(item)' needs a relation type after '=' (e.g. relations:3=CAUSES)")
                            }
                        }
                        if let r = n.firstIndex(of: "-"), type == nil, let lo = Int(n[..<r]), let hi = Int(n[n.index(after: r)...]), lo >= 1, hi >= lo, hi - lo < 100_000 {
                            numbers.formUnion(lo...hi)
                        } else if let k = Int(n), k >= 1 {
                            numbers.insert(k)
                            if let t = type { types[k] = t }
                        } else {
                            throw LinkError.badAccept("'\(v)': '\(item)' is not a proposal number (use e.g. relations:1,3, relations:2-4, relations:5=CAUSES or concepts:2)")
                        }
                    }
                }
                switch head {
                case "all": a.mentions = true; a.allRelations = true; a.allConcepts = true
                case "none": a = Acceptance(mentions: false)
                case "mentions": a.mentions = true
                case "relations", "relation", "r":
                    if parts.count == 2 { a.relations.formUnion(numbers); a.relationTypes.merge(types) { $1 } } else { a.allRelations = true }
                case "concepts", "concept", "c":
                    if !types.isEmpty { throw LinkError.badAccept("'\(v)': only relations take a type") }
                    if parts.count == 2 { a.concepts.formUnion(numbers) } else { a.allConcepts = true }
                default:
                    throw LinkError.badAccept("'\(v)': expected all, none, mentions, relations[:N,…], relations:N=TYPE or concepts[:N,…]")
                }
            }
        }
        return a
    }

    public func keeps(concept n: Int) -> Bool { allConcepts || concepts.contains(n) }
    public var keepsAnything: Bool { mentions || allRelations || allConcepts || !relations.isEmpty || !concepts.isEmpty }

    /// A relation to write: the proposal, the type it is written with, and its direction.
    public struct Chosen: Sendable {
        public var proposal: RelationProposal
        public var type: String
        public var reversed: Bool
        public var source: String { reversed ? proposal.target : proposal.source }
        public var target: String { reversed ? proposal.source : proposal.target }
    }

    /// The relations kept, and what `all`/`relations` left out (untyped, negated), in words.
    /// Throws when a number does not exist or an untyped proposal was picked without a type (and
    /// the schema has no RELATED_TO), or a given type does not fit.
    public func chooseRelations(_ r: LinkResult, schema: Schema, kindOf: (String) -> String?) throws -> (chosen: [Chosen], skipped: [String]) {
        var out: [Chosen] = []
        var skippedUntyped: [Int] = [], skippedNegated: [Int] = []
        let numbered = r.relations.filter { !$0.known }
        for n in relations.sorted() where !numbered.contains(where: { $0.number == n }) {
            throw LinkError.noSuchProposal("there are \(numbered.count) relation proposals, not \(n)")
        }
        for p in numbered {
            let explicit = relations.contains(p.number)
            var type = relationTypes[p.number] ?? p.type
            if explicit {
                if type == nil {
                    guard schema.isEmpty || schema.relation("RELATED_TO") != nil else {
                        throw LinkError.untyped(p.number, "\(p.source) -?-> \(p.target)")
                    }
                    type = "RELATED_TO"
                }
            } else if allRelations {
                if p.type == nil { skippedUntyped.append(p.number); continue }
                if p.modality == .negated { skippedNegated.append(p.number); continue }
            } else { continue }
            let t = type!
            let rev = reversed.contains(p.number)
            let (s, d) = rev ? (p.target, p.source) : (p.source, p.target)
            if !schema.isEmpty {
                guard let decl = schema.relation(t) else {
                    let names = Array(schema.relations.keys)
                    throw LinkError.badType(p.number, t, Suggest.nearest(t, in: Set(names), limit: 1).first)
                }
                let ks = kindOf(s) ?? "", kd = kindOf(d) ?? ""
                let okS = decl.domain.map { $0 == "*" || schema.isKind(ks, a: $0) } ?? true
                let okD = decl.range.map { $0 == "*" || schema.isKind(kd, a: $0) } ?? true
                if !(okS && okD) {
                    throw LinkError.typeDoesNotFit(p.number, "\(s) -\(t)-> \(d)", "\(t) goes from \(decl.domain ?? "*") to \(decl.range ?? "*"), but \(s) is a \(ks) and \(d) a \(kd)")
                }
            }
            out.append(Chosen(proposal: p, type: t, reversed: rev))
        }
        var skipped: [String] = []
        if !skippedUntyped.isEmpty {
            skipped.append("\(skippedUntyped.count) untyped (\(skippedUntyped.map(String.init).joined(separator: ", ")); give one a type with relations:N=TYPE)")
        }
        if !skippedNegated.isEmpty {
            skipped.append("\(skippedNegated.count) negated (\(skippedNegated.map(String.init).joined(separator: ", ")); the text says they do not hold: accept one by number to record that)")
        }
        return (out, skipped)
    }
}

public enum LinkError: Error, CustomStringConvertible, Equatable {
    case badAccept(String)
    case noSuchProposal(String)
    case untyped(Int, String)
    case badType(Int, String, String?)
    case typeDoesNotFit(Int, String, String)
    case alreadyLinked(path: String, readingID: String, file: String?)
    case changedReading(path: String, readingID: String)
    case noConceptKind
    case noRelationType(String)
    case idTaken(String)
    case other(String)

    public var description: String {
        switch self {
        case .badAccept(let m): return "error: --accept \(m)"
        case .noSuchProposal(let m): return "error: --accept: \(m)"
        case .untyped(let n, let p): return "error: relation proposal \(n) (\(p)) is untyped; give it a type, e.g. --accept relations:\(n)=CAUSES (the schema declares no RELATED_TO)"
        case .badType(let n, let t, let s): return "error: relation proposal \(n): the schema declares no relation type \(t)" + (s.map { "; did you mean \($0)?" } ?? "")
        case .typeDoesNotFit(let n, let r, let why): return "error: relation proposal \(n): \(r) does not fit the schema: \(why)"
        case .alreadyLinked(let p, let id, let f):
            return "\(p): error: this reading is already linked as '\(id)' (same SHA-256)\(f.map { " in \($0)" } ?? ""); pass --update to link it again and replace its mentions"
        case .changedReading(let p, let id):
            return "\(p): error: reading '\(id)' has this path but a different SHA-256 (the text changed); pass --update to relink it"
        case .noConceptKind: return "error: the schema declares no kind 'Concept' for new concepts"
        case .noRelationType(let t): return "error: the schema declares no relation type \(t)"
        case .idTaken(let id): return "error: the id '\(id)' is already used in the graph; choose another with --id"
        case .other(let m): return "error: \(m)"
        }
    }
}

/// Writes the .kg text for the accepted proposals of a link result.
public enum KGEmitter {
    /// A .kg string literal, as the format module prints it.
    public static func quote(_ s: String) -> String { KGPrinter.quote(s) }

    /// Sentence numbers as locators, consecutive runs merged: [3,4,5,9] → S3-S5, S9.
    public static func locators(_ sentences: [Int]) -> [Locator] {
        let s = Array(Set(sentences)).sorted()
        var out: [Locator] = []
        var i = 0
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            out.append(Locator(unit: .sentence, start: s[i], end: s[j]))
            i = j + 1
        }
        return out
    }

    /// What the reading statement records besides its title.
    public struct ReadingFields: Sendable {
        public var source: String? = nil
        public var original: String? = nil
        public init(source: String? = nil, original: String? = nil) {
            self.source = source
            self.original = original
        }
    }

    /// The text of `<graph>/readings/<id>.kg` for the accepted proposals. Accepted relations carry
    /// their evidence with its modality, a `hedge` property when the reading only hedges them,
    /// and `origin link "date" "fingerprint"`.
    /// `declareReading` false leaves out the `reading` statement (the reading is defined elsewhere).
    /// `relations` nil: those `accept` chooses (none when its choice is invalid).
    public static func emit(_ r: LinkResult, accept: Acceptance, relations: [Acceptance.Chosen]? = nil, graph: Graph, declareReading: Bool = true,
                            newConceptKind: String = "Concept", date: String = Provenance.today(), fields: ReadingFields = ReadingFields()) -> String {
        let chosen = relations ?? ((try? accept.chooseRelations(r, schema: graph.schema) { k in graph.node(key: k).flatMap { graph.kind(of: $0) } })?.chosen ?? [])
        let rid = r.reading.id
        var out = "# Reading linked by `kg link`: what it mentions, with sentence locators (S<n>, numbered as\n"
        out += "# `Sentences.split` numbers them). Generated; edit freely, relink with `kg link --update`.\n\n"
        if declareReading {
            out += "reading \(rid) \(quote(r.reading.title))\n"
            if let s = fields.source { out += "  source \(quote(s))\n" }
            out += "  path \(quote(r.reading.path))\n"
            out += "  sha256 \(quote(r.reading.sha256))\n"
            if let o = fields.original { out += "  original \(quote(o))\n" }
        }
        if accept.mentions && !r.mentions.isEmpty {
            out += "\n# Mentions: \(r.mentions.count) concepts, \(r.mentions.reduce(0) { $0 + $1.count }) occurrences\n"
            for m in r.mentions {
                out += edge(rid, "MENTIONS", m.id, rid, m.occurrences.map(\.sentence), note: mentionNote(m), props: [("count", "\(m.count)")])
            }
        }
        if !chosen.isEmpty {
            out += "\n# Relations this reading states, proposed by kg link and accepted \(date)\n"
            for c in chosen { out += relation(c, rid: rid, date: date) }
        }
        let known = r.relations.filter(\.known)
        if !known.isEmpty {
            out += "\n# The reading also states relations the graph already has:\n"
            for p in known {
                out += "#   \(p.source) -\(p.type ?? "?")-> \(p.target)  \(KGEmitter.locators(p.sentences).map(\.description).joined(separator: ", "))\(p.modality == .asserted ? "" : " " + p.modality.rawValue)\n"
            }
        }
        let cands = r.candidates.filter { accept.keeps(concept: $0.number) }
        let newOnes = cands.filter { $0.aliasOf == nil }
        if !newOnes.isEmpty {
            out += "\n# New concepts this reading introduces\n"
            for c in newOnes {
                out += "concept \(c.id) \(quote(c.name)) : \(newConceptKind)\n"
                if let a = c.acronym, a != c.name { out += "  aka \(quote(a))\n" }
                out += edge(rid, "MENTIONS", c.id, rid, c.sentences, note: "\(c.reason.rawValue), \(c.count) occurrence\(c.count == 1 ? "" : "s")",
                            props: [("count", "\(c.count)")])
            }
        }
        for c in cands where c.aliasOf != nil {
            out += "\n# Suggested alias (edit the concept's own file): concept \(c.aliasOf!) aka \(quote(c.acronym ?? c.name))\n"
        }
        return out
    }

    /// One accepted relation, in canonical form: evidence with modality, `hedge`, `origin`.
    static func relation(_ c: Acceptance.Chosen, rid: String, date: String) -> String {
        let p = c.proposal
        var evidence: [Evidence] = []
        for ev in p.evidence {
            var note = p.type == nil || c.type != p.type ? "the sentence links them" : shortWhy(ev, p)
            if c.type != p.type { note += "; typed \(c.type) on review" }
            if c.reversed { note += ", direction turned on review" }
            evidence.append(Evidence(reading: rid, locator: Locator(unit: .sentence, start: ev.sentence), note: note, modality: ev.modality))
        }
        var props: [(key: String, value: Value)] = []
        let hedges = p.evidence.filter { $0.modality == .hedged }.flatMap(\.markers)
        if !hedges.isEmpty && !p.evidence.contains(where: { $0.modality == .asserted }) {
            var seen = Set<String>()
            props.append(("hedge", .string(hedges.filter { seen.insert($0).inserted }.joined(separator: ", "))))
        }
        let fp = RelationFingerprint.of(source: c.source, type: c.type, target: c.target, evidence: evidence, properties: props)
        var s = "\(c.source) -\(c.type)-> \(c.target)  " + KGPrinter.evidence(EvidenceClause(evidence[0])) + "\n"
        for (k, v) in props { s += "  \(k) " + KGPrinter.value(v) + "\n" }
        s += "  origin link \(quote(date)) \(quote(fp))\n"
        for e in evidence.dropFirst() { s += "  " + KGPrinter.evidence(EvidenceClause(e)) + "\n" }
        return s
    }

    /// A short note in the tool's words: the cue and how the sentence was read.
    static func shortWhy(_ ev: ProposalEvidence, _ p: RelationProposal) -> String {
        var s = "kg link: “\(ev.cue)”"
        if p.why.hasPrefix("passive") { s += ", passive" }
        if !ev.markers.isEmpty && ev.modality != .asserted { s += "; \(ev.modality.rawValue): " + ev.markers.joined(separator: ", ") }
        return s
    }

    static func mentionNote(_ m: Mention) -> String {
        var forms: [String] = []
        for o in m.occurrences {
            let f = o.text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            if !forms.contains(f) { forms.append(f) }
        }
        let shown = forms.prefix(4).map { "\u{201C}\($0)\u{201D}" }.joined(separator: ", ")
        return "named \(m.count) time\(m.count == 1 ? "" : "s") as \(shown)\(forms.count > 4 ? ", …" : "")"
    }

    static func edge(_ src: String, _ type: String, _ dst: String, _ rid: String, _ sentences: [Int], note: String,
                     props: [(String, String)]) -> String {
        let locs = locators(sentences)
        var s = "\(src) -\(type)-> \(dst)  @\(rid)"
        if let f = locs.first { s += " \(f)" }
        s += " \(quote(note))\n"
        for (k, v) in props { s += "  \(k) \(v)\n" }
        for l in locs.dropFirst() { s += "  @\(rid) \(l)\n" }
        return s
    }
}
