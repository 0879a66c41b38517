import Foundation
import KGCore

/// Where a concept is mentioned: 1-based line, column (in characters) and sentence; byte range.
public struct Occurrence: Sendable, Equatable {
    public var line: Int
    public var column: Int
    public var sentence: Int
    public var start: Int
    public var end: Int
    /// The words as written in the reading.
    public var text: String
    /// The alias (or name) that matched.
    public var alias: String
}

/// A concept of the graph that the reading mentions.
public struct Mention: Sendable {
    public var node: NodeID
    public var id: String
    public var name: String
    public var kind: String
    public var aliases: [String]
    public var occurrences: [Occurrence]
    public var count: Int { occurrences.count }
    /// Occurrences of an ambiguous alias that were not counted for lack of context.
    public var discarded: Int
}

/// A relation between two concepts mentioned in the same sentence(s).
public struct RelationProposal: Sendable {
    public var number: Int
    public var source: String
    public var target: String
    /// The relation type, or nil for an untyped suggestion.
    public var type: String?
    /// The cue phrase that suggested the type.
    public var cue: String?
    public var sentences: [Int]
    public var score: Double
}

/// A term that matches no known concept but looks like one.
public struct ConceptCandidate: Sendable {
    public enum Reason: String, Sendable {
        case acronym = "defined acronym", acronymUsed = "repeated acronym", capitalised = "capitalised term", repeated = "repeated term"
    }
    public var number: Int
    public var name: String
    public var id: String
    /// An acronym the text defines for the term ("… (RLHF)").
    public var acronym: String?
    public var count: Int
    public var sentences: [Int]
    public var reason: Reason
    public var score: Double
    /// The id of a known concept this acronym names (then it is an alias proposal, not a concept).
    public var aliasOf: String?
}

/// The reading as the graph will record it.
public struct ReadingRecord: Sendable {
    public var id: String
    public var title: String
    public var path: String
    public var sha256: String
    public var sentences: Int
    public var lines: Int
    public var bytes: Int
}

/// Everything `kg link` found in one reading.
public struct LinkResult: Sendable {
    public var reading: ReadingRecord
    public var mentions: [Mention]
    public var relations: [RelationProposal]
    public var candidates: [ConceptCandidate]
    public var sentenceSpans: [SentenceSpan]
}

/// Options of one linking run.
public struct LinkOptions: Sendable {
    public var title: String?
    public var readingID: String?
    /// How the reading's `path` property is written (relative to the readings folder).
    public var path: String
    public var sha256: String
    /// At most this many relation proposals and concept candidates.
    public var maxRelations = 30
    public var maxCandidates = 25

    public init(path: String, sha256: String, title: String? = nil, readingID: String? = nil) {
        self.path = path
        self.sha256 = sha256
        self.title = title
        self.readingID = readingID
    }
}

/// Reads a text against a graph: which concepts it mentions, where; what relations and new
/// concepts it suggests. Build once per graph (the matcher is built in `init`), link many readings.
///
/// Ambiguous aliases: a one-word alias that is an ordinary English word (`CommonWords`), or any
/// one-word alias of a concept with the property `ambiguous true`, counts only
///  - when the same sentence also mentions, unambiguously, a concept linked to this one by an
///    edge of the graph, or
///  - when it is written exactly as declared and the declared form has a capital after its first
///    letter (e.g. "GPT", "DeepMind").
/// A concept with `ambiguous false` opts out: its aliases always count.
public final class Linker {
    public let graph: Graph
    let matcher = AliasMatcher()
    let cueMatcher = AliasMatcher()
    /// Concepts by matcher target index.
    public private(set) var concepts: [NodeID] = []
    private var ambiguousPattern: [Bool] = []
    private var cueRelation: [String] = []
    private var neighbours: [Int: Set<Int>] = [:]

    public init(graph: Graph) {
        self.graph = graph
        let hasConceptKind = graph.schema.kinds["Concept"] != nil
        let nodes: [NodeID] = hasConceptKind ? graph.nodes(withLabel: "Concept")
            : graph.nodes.filter { !graph.hasLabel($0, "Reading") }
        concepts = nodes
        var targetOf: [NodeID: Int] = [:]
        for (t, n) in nodes.enumerated() {
            targetOf[n] = t
            let flag = graph.property(n, "ambiguous")?.boolValue
            var names = [graph.displayName(of: n)]
            for a in graph.aliases(of: n) where !names.contains(a) { names.append(a) }
            for a in names {
                let before = matcher.patterns.count
                guard matcher.add(alias: a, target: t) else { continue }
                let p = matcher.patterns[before]
                var amb = false
                if p.words == 1 && !p.requiresCaps {
                    switch flag {
                    case .some(true): amb = true
                    case .some(false): amb = false
                    case .none: amb = CommonWords.list.contains(NameKey.normalize(a))
                    }
                }
                ambiguousPattern.append(amb)
            }
        }
        // Graph neighbours (any edge but MENTIONS) for the ambiguity rule.
        for e in graph.edges {
            guard let a = targetOf[graph.source(of: e)], let b = targetOf[graph.target(of: e)], a != b else { continue }
            neighbours[a, default: []].insert(b)
            neighbours[b, default: []].insert(a)
        }
        for (_, r) in graph.schema.relations {
            for c in r.cues {
                if cueMatcher.add(alias: c, target: cueRelation.count) { cueRelation.append(r.name) }
            }
        }
    }

    public var patternCount: Int { matcher.patterns.count }

    /// Links one reading.
    public func link(_ source: ReadingSource, options: LinkOptions, progress: ((Double) -> Void)? = nil) -> LinkResult {
        let spans = Sentences.split(source.text)
        let lineStarts = Sentences.lineStarts(source.bytes)
        let (tokens, matches) = source.scan.withUnsafeBufferPointer { p -> ([WordToken], [AliasMatcher.Match]) in
            let t = matcher.tokenize(p)
            return (t, matcher.match(tokens: t, text: p, progress: progress))
        }
        func sentenceIndex(_ offset: Int) -> Int {
            var lo = 0, hi = spans.count - 1, found = 0
            while lo <= hi {
                let mid = (lo + hi) / 2
                if spans[mid].range.lowerBound <= offset { found = mid; lo = mid + 1 } else { hi = mid - 1 }
            }
            return found
        }
        // 1. Drop an acronym written in parentheses right after its long form.
        var kept: [AliasMatcher.Match] = []
        for m in matches {
            if let prev = kept.last, matcher.patterns[prev.pattern].target == matcher.patterns[m.pattern].target,
               isParenthesised(source.scan, after: prev.end, start: m.start, end: m.end) {
                continue
            }
            kept.append(m)
        }
        // 2. Ambiguity: which concepts are mentioned unambiguously in each sentence.
        var sure: [Int: Set<Int>] = [:]
        for m in kept where !ambiguousPattern[m.pattern] {
            sure[sentenceIndex(m.start), default: []].insert(matcher.patterns[m.pattern].target)
        }
        var byTarget: [Int: [Occurrence]] = [:]
        var discarded: [Int: Int] = [:]
        var perSentence: [Int: [(target: Int, start: Int, end: Int)]] = [:]
        for m in kept {
            let p = matcher.patterns[m.pattern]
            let s = sentenceIndex(m.start)
            let written = String(decoding: source.bytes[m.start..<m.end], as: UTF8.self)
            if ambiguousPattern[m.pattern] {
                let context = sure[s]?.contains(where: { $0 != p.target && (neighbours[p.target]?.contains($0) ?? false) }) ?? false
                let exact = written == p.alias && p.alias.dropFirst().contains(where: { $0.isUppercase })
                if !(context || exact) { discarded[p.target, default: 0] += 1; continue }
            }
            let line = Sentences.line(ofByte: m.start, lineStarts: lineStarts)
            var col = 1
            var k = lineStarts[line - 1]
            while k < m.start { if source.bytes[k] & 0xC0 != 0x80 { col += 1 }; k += 1 }
            byTarget[p.target, default: []].append(Occurrence(line: line, column: col, sentence: spans.isEmpty ? 1 : spans[s].number,
                                                             start: m.start, end: m.end, text: written, alias: p.alias))
            perSentence[s, default: []].append((p.target, m.start, m.end))
        }
        var mentions: [Mention] = []
        for (t, occ) in byTarget {
            let n = concepts[t]
            mentions.append(Mention(node: n, id: graph.key(of: n), name: graph.displayName(of: n), kind: graph.kind(of: n) ?? "",
                                    aliases: graph.aliases(of: n), occurrences: occ, discarded: discarded[t] ?? 0))
        }
        mentions.sort { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }

        let relations = proposeRelations(source: source, spans: spans, perSentence: perSentence, sentenceIndex: sentenceIndex,
                                         limit: options.maxRelations)
        let known = Set(kept.map { $0.firstWord })
        let candidates = CandidateFinder(matcher: matcher, tokens: tokens, source: source, spans: spans, graph: graph,
                                         concepts: concepts, matches: kept, knownWords: known,
                                         sentenceIndex: sentenceIndex).find(max: options.maxCandidates)

        let title = options.title ?? Self.title(of: source)
        let rid = options.readingID ?? Self.slug(((source.path as NSString).lastPathComponent as NSString).deletingPathExtension)
        let reading = ReadingRecord(id: rid, title: title, path: options.path, sha256: options.sha256,
                                    sentences: spans.count, lines: lineStarts.count - (source.bytes.last == 0x0A ? 1 : 0),
                                    bytes: source.bytes.count)
        return LinkResult(reading: reading, mentions: mentions, relations: relations, candidates: candidates, sentenceSpans: spans)
    }

    /// True when the text between `after` and `start` is an opening parenthesis (with spaces) and a
    /// closing one follows `end`.
    private func isParenthesised(_ b: [UInt8], after: Int, start: Int, end: Int) -> Bool {
        var sawOpen = false
        var k = after
        while k < start {
            if b[k] == 0x28 && !sawOpen { sawOpen = true } else if b[k] != 0x20 && b[k] != 0x0A { return false }
            k += 1
        }
        guard sawOpen else { return false }
        k = end
        while k < b.count && b[k] == 0x20 { k += 1 }
        return k < b.count && b[k] == 0x29
    }

    // MARK: Relations

    private func proposeRelations(source: ReadingSource, spans: [SentenceSpan], perSentence: [Int: [(target: Int, start: Int, end: Int)]],
                                  sentenceIndex: (Int) -> Int, limit: Int) -> [RelationProposal] {
        // Cue phrases, by sentence.
        let cues: [AliasMatcher.Match] = source.scan.withUnsafeBufferPointer { p in
            cueMatcher.match(tokens: cueMatcher.tokenize(p), text: p)
        }
        var cuesBySentence: [Int: [AliasMatcher.Match]] = [:]
        for c in cues { cuesBySentence[sentenceIndex(c.start), default: []].append(c) }
        struct Key: Hashable { var a: Int; var b: Int; var type: String? }
        var acc: [Key: (sentences: [Int], cue: String?, score: Double)] = [:]
        var typedPairs = Set<[Int]>()
        for s in perSentence.keys.sorted() {
            let ms = perSentence[s]!.sorted { $0.start < $1.start }
            let sentNo = spans.isEmpty ? 1 : spans[s].number
            guard Set(ms.map(\.target)).count >= 2 else { continue }
            // Typed: each cue joins the nearest concept before it and the nearest after it.
            for c in cuesBySentence[s] ?? [] {
                if ms.contains(where: { c.start < $0.end && c.end > $0.start }) { continue }  // inside a concept's name
                guard let left = ms.last(where: { $0.end <= c.start }), let right = ms.first(where: { $0.start >= c.end }),
                      left.target != right.target else { continue }
                let rel = cueRelation[cueMatcher.patterns[c.pattern].target]
                guard let decl = graph.schema.relation(rel) else { continue }
                if Self.negated(source.scan, before: c.start, from: left.end) { continue }  // "does not prevent"
                var src = left.target, dst = right.target
                var score = 3.0
                if !fits(decl, src, dst) {
                    guard fits(decl, dst, src) else { continue }
                    swap(&src, &dst)
                    score -= 0.5
                }
                // Farther apart, less sure.
                score -= min(Double((c.start - left.end) + (right.start - c.end)) / 200.0, 1.5)
                if hasEdge(src, dst, rel) { typedPairs.insert([min(src, dst), max(src, dst)]); continue }
                let k = Key(a: src, b: dst, type: rel)
                var v = acc[k] ?? ([], cueMatcher.patterns[c.pattern].alias, 0)
                if !v.sentences.contains(sentNo) { v.sentences.append(sentNo); v.score += score } else { v.score = max(v.score, score) }
                acc[k] = v
                typedPairs.insert([min(src, dst), max(src, dst)])
            }
            // Untyped: every other pair named in the sentence.
            var order: [Int] = []
            for m in ms where !order.contains(m.target) { order.append(m.target) }
            for x in 0..<order.count {
                for y in (x + 1)..<order.count {
                    let a = order[x], b = order[y]
                    if hasAnyEdge(a, b) { continue }
                    let k = Key(a: a, b: b, type: nil)
                    var v = acc[k] ?? ([], nil, 0)
                    if !v.sentences.contains(sentNo) { v.sentences.append(sentNo); v.score += 1 }
                    acc[k] = v
                }
            }
        }
        var out: [RelationProposal] = []
        for (k, v) in acc {
            if k.type == nil && typedPairs.contains([min(k.a, k.b), max(k.a, k.b)]) { continue }
            out.append(RelationProposal(number: 0, source: graph.key(of: concepts[k.a]), target: graph.key(of: concepts[k.b]),
                                        type: k.type, cue: v.cue, sentences: v.sentences.sorted(), score: (v.score * 100).rounded() / 100))
        }
        out.sort {
            if ($0.type != nil) != ($1.type != nil) { return $0.type != nil }
            if $0.score != $1.score { return $0.score > $1.score }
            if $0.source != $1.source { return $0.source < $1.source }
            if $0.target != $1.target { return $0.target < $1.target }
            return ($0.type ?? "") < ($1.type ?? "")
        }
        if out.count > limit { out.removeLast(out.count - limit) }
        for i in out.indices { out[i].number = i + 1 }
        return out
    }

    static let negations: Set<String> = ["not", "no", "never", "cannot", "can't", "don't", "doesn't", "didn't", "won't",
                                         "isn't", "aren't", "wasn't", "weren't", "hardly", "without", "nor", "neither", "fails", "failed"]

    /// True when one of the (up to) three words before a cue, after the concept before it, is a
    /// negation: "safety training does *not* prevent deception" proposes no MITIGATES.
    static func negated(_ b: [UInt8], before cue: Int, from lowerBound: Int) -> Bool {
        var words: [String] = []
        var end = cue
        var i = cue
        while i > lowerBound && words.count < 3 {
            i -= 1
            let c = b[i]
            let isWord = Tokenizer.isASCIIWord(c) || c == 0x27
            if !isWord || i == lowerBound {
                let s = isWord ? i : i + 1
                if s < end { words.append(String(decoding: b[s..<end], as: UTF8.self).lowercased()) }
                end = i
            }
        }
        return words.contains { negations.contains($0) || $0.hasSuffix("n't") }
    }

    private func fits(_ decl: RelationDecl, _ a: Int, _ b: Int) -> Bool {
        let s = graph.schema
        let ka = graph.kind(of: concepts[a]) ?? "", kb = graph.kind(of: concepts[b]) ?? ""
        if let d = decl.domain, d != "*", !s.isKind(ka, a: d) { return false }
        if let r = decl.range, r != "*", !s.isKind(kb, a: r) { return false }
        return true
    }

    private func hasEdge(_ a: Int, _ b: Int, _ type: String) -> Bool {
        let na = concepts[a], nb = concepts[b]
        for e in graph.outEdges(na) where graph.target(of: EdgeID(e)) == nb && graph.typeName(of: EdgeID(e)) == type { return true }
        if graph.schema.relation(type)?.symmetric == true {
            for e in graph.outEdges(nb) where graph.target(of: EdgeID(e)) == na && graph.typeName(of: EdgeID(e)) == type { return true }
        }
        return false
    }

    private func hasAnyEdge(_ a: Int, _ b: Int) -> Bool {
        let na = concepts[a], nb = concepts[b]
        for e in graph.outEdges(na) where graph.target(of: EdgeID(e)) == nb { return true }
        for e in graph.outEdges(nb) where graph.target(of: EdgeID(e)) == na { return true }
        return false
    }

    // MARK: Titles and ids

    /// The first Markdown heading; for plain text, the first non-empty line when it is short and
    /// ends without a period; else the file name.
    public static func title(of source: ReadingSource) -> String {
        var firstLine: String? = nil
        for raw in source.text.split(omittingEmptySubsequences: true, whereSeparator: { $0.isNewline }) {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let t = line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces)
                if !t.isEmpty { return String(t.trimmingCharacters(in: CharacterSet(charactersIn: "# "))) }
            }
            if firstLine == nil { firstLine = line }
            if source.isMarkdown { continue }
            break
        }
        if let f = firstLine, f.count <= 120, !f.hasSuffix(".") {
            return f.replacingOccurrences(of: "*", with: "").replacingOccurrences(of: "_", with: " ")
                .trimmingCharacters(in: .whitespaces)
        }
        return ((source.path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// A .kg identifier from free text: lower case ASCII letters, digits and single hyphens.
    public static func slug(_ s: String) -> String {
        var out = ""
        var dash = false
        for ch in NameKey.normalize(s).unicodeScalars {
            let v = ch.value
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) {
                if dash && !out.isEmpty { out.append("-") }
                dash = false
                out.unicodeScalars.append(ch)
            } else {
                dash = true
            }
        }
        if out.count > 60 {
            out = String(out.prefix(60))
            while out.hasSuffix("-") { out.removeLast() }
        }
        return out.isEmpty ? "reading" : out
    }
}
