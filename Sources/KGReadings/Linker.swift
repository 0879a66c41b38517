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

/// A relation a reading states between two concepts it mentions.
public struct RelationProposal: Sendable {
    /// Number to accept it by (`--accept relations:N`); 0 for a relation the graph already has.
    public var number: Int
    public var source: String
    public var target: String
    /// The relation type, or nil for an untyped proposal (the sentence links the two, but no
    /// relation type can be read from it with confidence).
    public var type: String?
    /// The cue phrase (or verb) as the first sentence writes it.
    public var cue: String?
    public var sentences: [Int]
    public var score: Double
    /// How strongly the reading states it: asserted when any sentence states it plainly, else the
    /// weakest form found (negated only when every sentence denies it).
    public var modality: Modality
    /// One entry per sentence that states it.
    public var evidence: [ProposalEvidence]
    /// The graph already has this relation (this reading is further evidence for it).
    public var known: Bool
    /// How it was read, in a few words ("passive “strengthened by”").
    public var why: String
}

/// One sentence behind a relation proposal.
public struct ProposalEvidence: Sendable {
    public var sentence: Int
    public var modality: Modality
    /// The words that gave the modality ("sometimes", "according to the summary", "not").
    public var markers: [String]
    public var cue: String
    /// The sentence as written, white space collapsed.
    public var text: String
    /// Where the two concepts are named in `text` (UTF-8 byte offsets).
    public var sourceRange: Range<Int>
    public var targetRange: Range<Int>

    /// The sentence with the source and the target marked (`open`/`close` around each; the
    /// target's markers default to the source's).
    public func marked(_ open: String = "[", _ close: String = "]", _ open2: String? = nil, _ close2: String? = nil) -> String {
        let b = Array(text.utf8)
        var out = ""
        var ranges = [(sourceRange, open, close), (targetRange, open2 ?? open, close2 ?? close)].sorted { $0.0.lowerBound < $1.0.lowerBound }
        if ranges[0].0.overlaps(ranges[1].0) { ranges.removeLast() }
        var i = 0
        for (r, o, c) in ranges where r.lowerBound >= i && r.upperBound <= b.count {
            out += String(decoding: b[i..<r.lowerBound], as: UTF8.self) + o + String(decoding: b[r], as: UTF8.self) + c
            i = r.upperBound
        }
        out += String(decoding: b[min(i, b.count)...], as: UTF8.self)
        return out
    }
}

/// A term that matches no known concept but looks like one.
public struct ConceptCandidate: Sendable {
    public enum Reason: String, Sendable {
        case acronym = "defined acronym", acronymUsed = "repeated acronym", capitalised = "capitalised term", repeated = "repeated term"
        case emphasised = "in bold or italics", quoted = "in quotes", heading = "in a heading and the text"
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
    /// A sentence that uses it (where it is defined or emphasised, when it is).
    public var sentence: String = ""
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
    /// Stop with `LinkTimeLimit` past this.
    public var deadline: Deadline? = nil
    /// Show progress (on a terminal) under this label, e.g. "kg link notes.md".
    public var progressLabel: String? = nil

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
    private var finder: RelationFinder!
    /// Concepts by matcher target index.
    public private(set) var concepts: [NodeID] = []
    private var ambiguousPattern: [Bool] = []
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
        let kinds = nodes.map { graph.kind(of: $0) ?? "" }
        let schema = graph.schema
        finder = RelationFinder(schema: schema) { rel, a, b in
            guard let decl = schema.relation(rel) else { return false }
            if let d = decl.domain, d != "*", !schema.isKind(kinds[a], a: d) { return false }
            if let r = decl.range, r != "*", !schema.isKind(kinds[b], a: r) { return false }
            return true
        }
    }

    public var patternCount: Int { matcher.patterns.count }

    /// Links one reading.
    public func link(_ source: ReadingSource, options: LinkOptions) throws -> LinkResult {
        let deadline = options.deadline
        let spans = Sentences.split(source.text)
        try deadline?.check()
        let lineStarts = Sentences.lineStarts(source.bytes)
        let label = options.progressLabel
        let matching = label.map { ProgressReporter($0 + ": matching", total: source.bytes.count, unit: "bytes") }
        let matches = source.scan.withUnsafeBufferPointer { p -> [AliasMatcher.Match] in
            let t = matcher.tokenize(p)
            return matcher.match(tokens: t, text: p, progress: matching.map { r in { r.update(Int($0 * Double(source.bytes.count))) } })
        }
        matching?.finish()
        try deadline?.check()
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
        // Columns are counted with one cursor moving forward (matches come in text order), so
        // a single long line costs one pass, not one pass per match.
        var curLine = 0, curPos = 0, curCol = 1
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
            if line != curLine || curPos > m.start { curLine = line; curPos = lineStarts[line - 1]; curCol = 1 }
            while curPos < m.start { if source.bytes[curPos] & 0xC0 != 0x80 { curCol += 1 }; curPos += 1 }
            byTarget[p.target, default: []].append(Occurrence(line: line, column: curCol, sentence: spans.isEmpty ? 1 : spans[s].number,
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

        let relations = try proposeRelations(source: source, spans: spans, perSentence: perSentence, limit: options.maxRelations,
                                             deadline: deadline, label: label)
        let terms = label.map { ProgressReporter($0 + ": new terms", total: spans.count, unit: "sentences") }
        let candidates = try CandidateFinder(source: source, spans: spans, graph: graph, concepts: concepts, parser: finder.parser,
                                             perSentence: perSentence, isHeading: { Self.isHeading($0, source: source, lineStarts: lineStarts) },
                                             deadline: deadline, progress: terms).find(max: options.maxCandidates)
        terms?.finish()

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
                                  limit: Int, deadline: Deadline?, label: String?) throws -> [RelationProposal] {
        struct Key: Hashable { var a: Int; var b: Int; var type: String? }
        var acc: [Key: (evidence: [ProposalEvidence], score: Double, why: String)] = [:]
        var order: [Key] = []
        let lineStarts = Sentences.lineStarts(source.bytes)
        let progress = label.map { ProgressReporter($0 + ": relations", total: spans.count, unit: "sentences") }
        defer { progress?.finish() }
        for s in perSentence.keys.sorted() {
            try deadline?.check()
            progress?.update(s)
            let ms = perSentence[s]!.sorted { $0.start < $1.start }
            guard Set(ms.map(\.target)).count >= 2, !spans.isEmpty else { continue }
            let span = spans[s]
            let heading = Self.isHeading(span, source: source, lineStarts: lineStarts)
            let found = finder.analyse(bytes: source.scan, range: span.range, mentions: ms, heading: heading)
            for f in found {
                let k = Key(a: f.source, b: f.target, type: f.type)
                let ev = Self.evidence(f, span: span, source: source)
                var v = acc[k] ?? ([], 0, f.why)
                if v.evidence.last?.sentence == span.number { continue }  // sentences come in order
                if v.evidence.isEmpty { order.append(k) }
                v.evidence.append(ev)
                var score = f.type == nil ? 1.0 : 3.0
                if f.reversedBySchema { score -= 0.5 }
                switch f.modality {
                case .asserted: break
                case .hedged, .reported: score -= 0.25
                case .negated: score -= 1
                }
                v.score += score
                acc[k] = v
            }
        }
        var typedPairs = Set<[Int]>()
        for k in order where k.type != nil { typedPairs.insert([min(k.a, k.b), max(k.a, k.b)]) }
        var out: [RelationProposal] = []
        for k in order {
            let v = acc[k]!
            var known = false
            if let type = k.type {
                known = hasEdge(k.a, k.b, type)
            } else if typedPairs.contains([min(k.a, k.b), max(k.a, k.b)]) || hasAnyEdge(k.a, k.b) {
                continue
            }
            let mods = v.evidence.map(\.modality)
            let modality: Modality = mods.contains(.asserted) ? .asserted
                : (mods.allSatisfy { $0 == .negated } ? .negated : (mods.contains(.reported) ? .reported : .hedged))
            out.append(RelationProposal(number: 0, source: graph.key(of: concepts[k.a]), target: graph.key(of: concepts[k.b]), type: k.type,
                                        cue: v.evidence.first?.cue, sentences: v.evidence.map(\.sentence).sorted(),
                                        score: (v.score * 100).rounded() / 100, modality: modality, evidence: v.evidence, known: known, why: v.why))
        }
        out.sort {
            if $0.known != $1.known { return !$0.known }
            if ($0.type != nil) != ($1.type != nil) { return $0.type != nil }
            if $0.score != $1.score { return $0.score > $1.score }
            if $0.source != $1.source { return $0.source < $1.source }
            if $0.target != $1.target { return $0.target < $1.target }
            return ($0.type ?? "") < ($1.type ?? "")
        }
        var numbered = 0
        var kept: [RelationProposal] = []
        for var p in out {
            if p.known { kept.append(p); continue }
            if numbered >= limit { continue }
            numbered += 1
            p.number = numbered
            kept.append(p)
        }
        return kept
    }

    /// The sentence of a finding, white space collapsed, with the two mentions located in it.
    static func evidence(_ f: Finding, span: SentenceSpan, source: ReadingSource) -> ProposalEvidence {
        let b = source.bytes
        // Long sentences are shown around the two mentions only (the work stays proportional to
        // the window, not to the sentence).
        var lo = span.range.lowerBound, hi = span.range.upperBound
        let first = min(f.sourceRange.lowerBound, f.targetRange.lowerBound), last = max(f.sourceRange.upperBound, f.targetRange.upperBound)
        if hi - lo > 1_000 {
            lo = max(lo, first - 250)
            hi = min(hi, last + 250)
            while lo > span.range.lowerBound && b[lo] & 0xC0 == 0x80 { lo -= 1 }
            while hi < span.range.upperBound && b[hi] & 0xC0 == 0x80 { hi += 1 }
        }
        var text: [UInt8] = lo > span.range.lowerBound ? Array("… ".utf8) : []
        var startAt: [Int] = []  // per byte of the window: its offset in text
        startAt.reserveCapacity(hi - lo + 1)
        var lastSpace = true
        for i in lo..<hi {
            let c = b[i]
            startAt.append(text.count)
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                if !lastSpace { text.append(0x20) }
                lastSpace = true
            } else {
                text.append(c)
                lastSpace = false
            }
        }
        startAt.append(text.count)
        while text.last == 0x20 { text.removeLast() }
        if hi < span.range.upperBound { text += Array(" …".utf8) }
        func r(_ x: Range<Int>) -> Range<Int> {
            let a = startAt[min(max(0, x.lowerBound - lo), startAt.count - 1)]
            let z = startAt[min(max(0, x.upperBound - lo), startAt.count - 1)]
            return min(a, text.count)..<min(max(a, z), text.count)
        }
        return ProposalEvidence(sentence: span.number, modality: f.modality, markers: f.markers, cue: f.cue,
                                text: String(decoding: text, as: UTF8.self), sourceRange: r(f.sourceRange), targetRange: r(f.targetRange))
    }

    /// A title or heading: a Markdown heading, or a line of its own without final punctuation
    /// that is no list item and has at most 14 words.
    static func isHeading(_ span: SentenceSpan, source: ReadingSource, lineStarts: [Int]) -> Bool {
        let b = source.bytes
        let line = Sentences.line(ofByte: span.range.lowerBound, lineStarts: lineStarts)
        var i = lineStarts[line - 1]
        while i < b.count && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
        if i < b.count && b[i] == 0x23 { return true }  // #
        guard span.startLine == span.endLine else { return false }
        // a list item is a sentence, not a title
        if i + 1 < b.count && (b[i] == 0x2D || b[i] == 0x2A || b[i] == 0x2B) && b[i + 1] == 0x20 { return false }
        if i < b.count && b[i] >= 0x30 && b[i] <= 0x39 {
            var j = i
            while j < b.count && b[j] >= 0x30 && b[j] <= 0x39 { j += 1 }
            if j < b.count && (b[j] == 0x2E || b[j] == 0x29) { return false }
        }
        if i + 2 < b.count && b[i] == 0xE2 && b[i + 1] == 0x80 && b[i + 2] == 0xA2 { return false }  // •
        // the sentence is the whole line
        var e = line < lineStarts.count ? lineStarts[line] - 1 : b.count
        while e > i && (b[e - 1] == 0x20 || b[e - 1] == 0x0D || b[e - 1] == 0x2A || b[e - 1] == 0x5F) { e -= 1 }
        guard span.range.lowerBound <= i + 4 && span.range.upperBound >= e - 2 else { return false }
        var last = span.range.upperBound - 1
        while last > span.range.lowerBound && (b[last] == 0x2A || b[last] == 0x5F || b[last] == 0x22 || b[last] == 0x29) { last -= 1 }
        if [0x2E, 0x21, 0x3F, 0x3A, 0x3B, 0x2C].contains(b[last]) { return false }
        return span.text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count <= 14
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
        if let t = source.documentTitle, !t.isEmpty { return t }
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
