import Foundation
import KGCore
import KGFormat

/// Which proposals of a link result to keep.
///
/// Written on the command line as a comma-free list of words, each `--accept` once:
/// `all`, `none`, `mentions`, `relations` (all of them), `relations:1,3`, `concepts`, `concepts:2,5`.
/// The reading node itself is always kept when anything is. Without `--accept` and without a
/// terminal to ask on, `--apply` keeps the mentions only.
public struct Acceptance: Equatable, Sendable {
    public var mentions: Bool
    public var allRelations: Bool
    public var relations: Set<Int>
    public var allConcepts: Bool
    public var concepts: Set<Int>

    public init(mentions: Bool = true, allRelations: Bool = false, relations: Set<Int> = [], allConcepts: Bool = false,
                concepts: Set<Int> = []) {
        self.mentions = mentions
        self.allRelations = allRelations
        self.relations = relations
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
                if parts.count == 2 {
                    for n in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                        if let r = n.firstIndex(of: "-"), let lo = Int(n[..<r]), let hi = Int(n[n.index(after: r)...]), lo >= 1, hi >= lo {
                            numbers.formUnion(lo...hi)
                        } else if let k = Int(n), k >= 1 {
                            numbers.insert(k)
                        } else {
                            throw LinkError.badAccept("'\(v)': '\(n)' is not a proposal number (use e.g. relations:1,3 or concepts:2-4)")
                        }
                    }
                }
                switch head {
                case "all": a = .all
                case "none": a = Acceptance(mentions: false)
                case "mentions": a.mentions = true
                case "relations", "relation", "r":
                    if parts.count == 2 { a.relations.formUnion(numbers) } else { a.allRelations = true }
                case "concepts", "concept", "c":
                    if parts.count == 2 { a.concepts.formUnion(numbers) } else { a.allConcepts = true }
                default:
                    throw LinkError.badAccept("'\(v)': expected all, none, mentions, relations[:N,…] or concepts[:N,…]")
                }
            }
        }
        return a
    }

    public func keeps(relation n: Int) -> Bool { allRelations || relations.contains(n) }
    public func keeps(concept n: Int) -> Bool { allConcepts || concepts.contains(n) }
    public var keepsAnything: Bool { mentions || allRelations || allConcepts || !relations.isEmpty || !concepts.isEmpty }
}

public enum LinkError: Error, CustomStringConvertible, Equatable {
    case badAccept(String)
    case noSuchProposal(String)
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

    /// The text of `Graph/readings/<id>.kg` for the accepted proposals.
    /// `declareReading` false leaves out the `reading` statement (the reading is defined elsewhere).
    public static func emit(_ r: LinkResult, accept: Acceptance, graph: Graph, declareReading: Bool = true,
                            newConceptKind: String = "Concept") -> String {
        let rid = r.reading.id
        var out = "# Reading linked by `kg link`: what it mentions, with sentence locators (S<n>, numbered as\n"
        out += "# `Sentences.split` numbers them). Generated; edit freely, relink with `kg link --update`.\n\n"
        if declareReading {
            out += "reading \(rid) \(quote(r.reading.title))\n"
            out += "  path \(quote(r.reading.path))\n"
            out += "  sha256 \(quote(r.reading.sha256))\n"
        }
        if accept.mentions && !r.mentions.isEmpty {
            out += "\n# Mentions: \(r.mentions.count) concepts, \(r.mentions.reduce(0) { $0 + $1.count }) occurrences\n"
            for m in r.mentions {
                out += edge(rid, "MENTIONS", m.id, rid, m.occurrences.map(\.sentence), note: mentionNote(m), props: [("count", "\(m.count)")])
            }
        }
        let rels = r.relations.filter { accept.keeps(relation: $0.number) }
        if !rels.isEmpty {
            out += "\n# Relations proposed from sentences that mention both concepts\n"
            for p in rels {
                let type = p.type ?? "RELATED_TO"
                let note = p.cue.map { "the cue \u{201C}\($0)\u{201D} joins them in one sentence" } ?? "both named in one sentence; no cue phrase"
                out += edge(p.source, type, p.target, rid, p.sentences, note: note, props: [])
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
