import Foundation
import KGCore

/// Finds terms a reading uses that look like concepts the graph does not know yet. A term is a
/// noun phrase by the tagger (adjectives and nouns ending in a noun; no verb, pronoun or function
/// word), never containing a known concept's mention, and it qualifies when the text
///  - defines it as an acronym: "area under the ROC curve (AUROC)" (long form found by the
///    Schwartz–Hearst rule: the acronym's letters in order, the first at a word start);
///  - emphasises it: in bold or italics, or in quotes;
///  - uses it in a heading and again in the text;
///  - repeats it: a phrase of two or more words twice in two sentences, a single noun three times
///    in two sentences (not a general noun such as "result" or "model");
///  - writes it in capitals mid-sentence twice ("Frontier Model Forum").
/// Fragments that are not noun phrases ("Training Deceptive", "Prompt is going") never qualify.
struct CandidateFinder {
    let source: ReadingSource
    let spans: [SentenceSpan]
    let graph: Graph
    let concepts: [NodeID]
    let parser: SentenceParser
    /// Mentions of known concepts per sentence index.
    let perSentence: [Int: [(target: Int, start: Int, end: Int)]]
    let isHeading: (SentenceSpan) -> Bool
    let deadline: Deadline?
    let progress: ProgressReporter?

    private struct Acc {
        var display: String
        var words: [String]
        var count = 0
        var nounUses = 0
        var sentences = Set<Int>()
        var firstSentence = Int.max
        var firstBodySentence = Int.max
        var exampleSentence: Int? = nil
        var emphasised = 0
        var quoted = 0
        var inHeading = 0
        /// Heading uses where the term is a whole noun phrase, not the tail of a longer one.
        var wholeInHeading = 0
        var capitalisedMid = 0
        var acronym: String? = nil
        var aliasOf: String? = nil
        var defined = false
    }

    static let ubiquitousAcronyms: Set<String> = ["AI", "ML", "US", "UK", "EU", "UN", "PDF", "HTML", "API", "CPU", "GPU", "URL", "OK", "FAQ",
                                                  "PHD", "CEO", "TV", "PC", "USA", "NB", "ETC", "IE", "EG", "AM", "PM", "ID", "IT", "II", "III", "IV"]

    func find(max: Int) throws -> [ConceptCandidate] {
        let bytes = source.bytes
        let knownKeys = Set(graph.indexedNames)
        var acc: [String: Acc] = [:]
        var acronymUses: [String: (count: Int, sentences: Set<Int>, first: Int)] = [:]
        var definedAcronyms: [String: String] = [:]  // acronym → key of its term
        let emphasis = EmphasisSpans(source: source)
        /// Long forms counted where their acronym is defined (not to count them twice).
        var definedAt = Set<String>()

        func key(_ words: [String]) -> String {
            var w = words
            if let l = w.last, let s = Inflection.singular(l) { w[w.count - 1] = s }
            return w.joined(separator: " ")
        }
        func known(_ k: String) -> Bool {
            knownKeys.contains(NameKey.normalize(k)) || knownKeys.contains(NameKey.normalize(k.replacingOccurrences(of: "-", with: " ")))
        }

        for (si, span) in spans.enumerated() {
            if si & 255 == 0 { try deadline?.check(); progress?.update(si) }
            let heading = isHeading(span)
            let ms = (perSentence[si] ?? []).sorted { $0.start < $1.start }
            let t = parser.tokens(source.scan, span.range, mentions: ms, limit: 2000)
            let n = t.count
            // Acronyms: defined "long form (ACR)", or used.
            for j in 0..<n where t[j].tag != .punct && t[j].tag != .mention {
                let w = String(decoding: bytes[t[j].start..<t[j].end], as: UTF8.self)
                guard let acr = Self.acronym(w) else { continue }
                if known(acr) || Self.ubiquitousAcronyms.contains(acr.uppercased()) { continue }
                if j >= 2, t[j - 1].isPunct("("), j + 1 < n, t[j + 1].isPunct(")") {
                    if let (lo, hi) = Self.longForm(acr, t, bytes, before: j - 1), let long = Optional(String(decoding: bytes[t[lo].start..<t[hi].end], as: UTF8.self)) {
                        let longWords = (lo...hi).map { t[$0] }
                        let longText = long.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
                        if longWords.allSatisfy({ $0.tag == .mention }) || (longWords.count == 1 && longWords[0].tag == .mention) {
                            // an acronym for a known concept: an alias suggestion
                            let target = longWords[0].mention
                            let k = "alias:" + acr
                            var a = acc[k] ?? Acc(display: acr, words: [acr.lowercased()])
                            a.count += 1; a.sentences.insert(span.number); a.firstSentence = min(a.firstSentence, span.number)
                            a.acronym = acr; a.aliasOf = graph.key(of: concepts[target]); a.defined = true
                            a.exampleSentence = a.exampleSentence ?? span.number
                            acc[k] = a
                            definedAcronyms[acr] = k
                        } else if !longWords.contains(where: { $0.tag == .mention || $0.tag == .pron || ($0.tag == .verb && !$0.form.contains(.gerund) && !$0.form.contains(.participle)) }) {
                            let ws = longText.lowercased().split(separator: " ").map(String.init)
                            let k = key(ws)
                            var a = acc[k] ?? Acc(display: longText, words: ws)
                            a.count += 1; a.sentences.insert(span.number); a.firstSentence = min(a.firstSentence, span.number)
                            a.acronym = acr; a.defined = true
                            a.exampleSentence = a.exampleSentence ?? span.number
                            if a.display.first?.isLowercase == true && longText.first?.isUppercase == true && !heading { a.display = longText }
                            acc[k] = a
                            definedAcronyms[acr] = k
                            definedAt.insert("\(t[lo].start)|\(k)")
                        }
                    }
                    continue
                }
                // "AUROC (area under the ROC curve)": the long form in parentheses after it
                if j + 2 < n, t[j + 1].isPunct("("), let close = ((j + 2)..<Swift.min(n, j + 16)).first(where: { t[$0].isPunct(")") }),
                   close > j + 2, let (lo, hi) = Self.longForm(acr, t, bytes, before: close), hi == close - 1,
                   (j + 2..<lo).allSatisfy({ Lexicon.determiners.contains(t[$0].lower) }),
                   !(lo...hi).contains(where: { t[$0].tag == .mention || t[$0].tag == .pron || (t[$0].tag == .verb && t[$0].form != .gerund && !t[$0].form.contains(.participle)) }) {
                    let longText = String(decoding: bytes[t[lo].start..<t[hi].end], as: UTF8.self).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
                    let ws = longText.lowercased().split(separator: " ").map(String.init)
                    let k = key(ws)
                    if !known(k) {
                        var a = acc[k] ?? Acc(display: longText, words: ws)
                        a.count += 1; a.sentences.insert(span.number); a.firstSentence = min(a.firstSentence, span.number)
                        a.acronym = acr; a.defined = true
                        a.exampleSentence = a.exampleSentence ?? span.number
                        acc[k] = a
                        definedAcronyms[acr] = k
                        definedAt.insert("\(t[lo].start)|\(k)")
                        continue
                    }
                }
                var u = acronymUses[acr] ?? (0, [], span.number)
                u.count += 1
                u.sentences.insert(span.number)
                acronymUses[acr] = u
            }
            // Noun phrases: maximal runs of modifiers ending in a noun; every tail of a run is a term.
            var j = 0
            while j < n {
                guard Self.isTermWord(t[j]) else { j += 1; continue }
                var e = j
                let inSpan = emphasis.span(at: t[j].start)
                while e + 1 < n && Self.isTermWord(t[e + 1]) && !t[e].possessive && emphasis.span(at: t[e + 1].start) == inSpan { e += 1 }
                // the run must end in a noun, or in a gerund after a noun ("data poisoning")
                var last = e
                while last >= j && !(t[last].tag == .noun || Self.isCompoundGerund(t, last, from: j)) { last -= 1 }
                if last >= j {
                    let run = Array(j...last)
                    let start = Swift.max(0, run.count - 5)
                    for a in start..<run.count {
                        let part = Array(run[a...])
                        let ws = part.map { t[$0].lower }
                        guard Self.validTerm(ws, tokens: part.map { t[$0] }) else { continue }
                        let k = key(ws)
                        if known(k) || known(ws.joined(separator: " ")) { continue }
                        let s = t[part.first!].start, en = t[part.last!].end
                        if definedAt.contains("\(s)|\(k)") { continue }
                        var acc1 = acc[k] ?? Acc(display: String(decoding: bytes[s..<en], as: UTF8.self).split(whereSeparator: { $0.isWhitespace }).joined(separator: " "),
                                                 words: ws)
                        acc1.count += 1
                        acc1.sentences.insert(span.number)
                        acc1.firstSentence = min(acc1.firstSentence, span.number)
                        if t[part.last!].tag == .noun || Self.isCompoundGerund(t, part.last!, from: part.first!) { acc1.nounUses += 1 }
                        let em = emphasis.kind(s, en)
                        if em == .emphasis { acc1.emphasised += 1 }
                        if em == .quote { acc1.quoted += 1 }
                        if em != .none && !heading { acc1.exampleSentence = acc1.exampleSentence ?? span.number }
                        if !heading { acc1.firstBodySentence = Swift.min(acc1.firstBodySentence, span.number) }
                        if heading { acc1.inHeading += 1; if a == 0 { acc1.wholeInHeading += 1 } }
                        // capitals mid-sentence: a name
                        if !heading && part.allSatisfy({ t[$0].capitalised }) && part.count >= 2 && part.first! > 0 { acc1.capitalisedMid += 1 }
                        if acc1.capitalisedMid > 0 && acc1.display.first?.isLowercase == true {
                            acc1.display = String(decoding: bytes[s..<en], as: UTF8.self).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
                        }
                        acc[k] = acc1
                    }
                }
                j = e + 1
            }
            if acc.count > 400_000 {
                // keep memory bounded on huge texts: forget phrases seen once
                acc = acc.filter { $0.value.count > 1 || $0.value.defined || $0.value.emphasised > 0 || $0.value.quoted > 0 }
            }
        }
        // Later uses of a defined acronym count for its term; acronyms used twice are terms.
        for (acr, u) in acronymUses {
            if let k = definedAcronyms[acr] {
                acc[k]!.count += u.count
                acc[k]!.sentences.formUnion(u.sentences)
            } else if u.count >= 2 {
                var a = Acc(display: acr, words: [acr.lowercased()])
                a.count = u.count; a.sentences = u.sentences; a.firstSentence = u.first; a.acronym = acr
                acc["acr:" + acr] = a
            }
        }

        // Which qualify, and how they rank.
        var list: [(key: String, a: Acc, score: Double, reason: ConceptCandidate.Reason)] = []
        for (k, a) in acc {
            let multi = a.words.count >= 2
            var reason: ConceptCandidate.Reason? = nil
            var bonus = 0.0
            if a.defined { reason = .acronym; bonus = 3 }
            else if k.hasPrefix("acr:") { reason = .acronymUsed; bonus = 1 }
            else if (a.emphasised > 0 || a.quoted > 0) && (multi || a.count >= 2) { reason = a.quoted > 0 ? .quoted : .emphasised; bonus = 2 }
            else if a.wholeInHeading > 0 && a.count >= (multi ? 2 : 3) && a.sentences.count >= 2 { reason = .heading; bonus = 1 }
            else if a.capitalisedMid >= 2 && multi { reason = .capitalised; bonus = 1 }
            else if multi && a.count >= 2 && a.sentences.count >= 2 { reason = .repeated }
            else if !multi && a.nounUses >= 4 && a.sentences.count >= 2 { reason = .repeated }
            guard let r = reason else { continue }
            if !multi && r != .acronym && r != .acronymUsed {
                if Lexicon.genericNouns.contains(a.words[0]) { continue }
                // a role ("testers", "attackers") is rarely a concept of its own
                if r != .emphasised && r != .quoted, let sg = Inflection.singular(a.words[0]) ?? Optional(a.words[0]), sg.hasSuffix("er") || sg.hasSuffix("or") { continue }
            }
            let score = Double(a.count) * (1 + log2(Double(Swift.max(1, a.sentences.count)))) + bonus
            list.append((k, a, (score * 100).rounded() / 100, r))
        }
        list.sort { $0.score != $1.score ? $0.score > $1.score : $0.key < $1.key }
        // A term inside a longer one that accounts for all its uses adds nothing.
        var kept: [(key: String, a: Acc, score: Double, reason: ConceptCandidate.Reason)] = []
        for c in list {
            let inner = " " + c.key + " "
            let sub = list.contains { o in
                o.key != c.key && o.a.words.count > c.a.words.count && o.a.count >= c.a.count && (" " + o.key + " ").contains(inner)
            }
            if sub && c.reason != .acronym { continue }
            kept.append(c)
            if kept.count >= max { break }
        }
        var used = Set(graph.nodes.map { graph.key(of: $0) })
        let texts = spans
        return kept.enumerated().map { (i, c) in
            var id = Linker.slug(c.a.display)
            if used.contains(id) { var k = 2; while used.contains("\(id)-\(k)") { k += 1 }; id = "\(id)-\(k)" }
            used.insert(id)
            // The name: as written for names and acronyms' long forms, else the singular, capitalised.
            var name: String
            if c.a.capitalisedMid > 0 || c.reason == .acronymUsed || c.a.aliasOf != nil {
                name = c.a.display
            } else {
                var w = c.key.split(separator: " ").map(String.init)
                if c.reason == .acronym {
                    // keep capitals as written in the long form ("area under the ROC curve")
                    let shown = c.a.display.split(separator: " ").map(String.init)
                    if shown.count == w.count { for i in w.indices where shown[i] != shown[i].lowercased() && i > 0 { w[i] = shown[i] } }
                }
                // words written in capitals as acronyms ("AI safety") keep them
                let written = c.a.display.split(separator: " ").map(String.init)
                if written.count == w.count {
                    for i in w.indices where written[i].filter({ $0.isUppercase }).count >= 2 { w[i] = written[i] }
                }
                name = w.joined(separator: " ")
                if let f = name.first, f.isLowercase { name = f.uppercased() + name.dropFirst() }
            }
            if c.a.aliasOf == nil {
                used.remove(id)
                id = Linker.slug(name)
                if used.contains(id) { var k = 2; while used.contains("\(id)-\(k)") { k += 1 }; id = "\(id)-\(k)" }
                used.insert(id)
            }
            let sn = c.a.exampleSentence ?? (c.a.firstBodySentence != Int.max ? c.a.firstBodySentence : c.a.firstSentence)
            var sentence = sn >= 1 && sn <= texts.count ? texts[sn - 1].text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") : ""
            while sentence.hasPrefix("#") { sentence.removeFirst() }
            sentence = sentence.trimmingCharacters(in: .whitespaces)
            return ConceptCandidate(number: i + 1, name: name, id: c.a.aliasOf ?? id, acronym: c.a.acronym, count: c.a.count,
                                    sentences: c.a.sentences.sorted(), reason: c.reason, score: c.score, aliasOf: c.a.aliasOf,
                                    sentence: sentence)
        }
    }

    /// A word that may be part of a term: a noun, an adjective, a participle or gerund used as a
    /// modifier; no mention of a known concept.
    static func isTermWord(_ t: PToken) -> Bool {
        switch t.tag {
        case .noun, .adj: return t.lower.count >= 2 || t.lower.first?.isNumber == false
        case .verb: return t.form == .gerund || (t.form.contains(.participle) && !t.form.contains(.base))
        default: return false
        }
    }

    /// A gerund that ends a noun compound: "data *poisoning*", "activation *steering*".
    static func isCompoundGerund(_ t: [PToken], _ k: Int, from start: Int) -> Bool {
        guard k > start, t[k].tag == .verb, t[k].form == .gerund else { return false }
        return t[k - 1].tag == .noun && !t[k - 1].possessive
    }

    /// A well-formed term: ends in a noun, starts with no weak modifier ("first", "new"), no part
    /// is a number, a single letter or a general noun only.
    static func validTerm(_ ws: [String], tokens: [PToken]) -> Bool {
        guard let last = tokens.last, last.tag == .noun || (tokens.count >= 2 && isCompoundGerund(tokens, tokens.count - 1, from: 0)) else { return false }
        if Lexicon.weakModifiers.contains(ws[0]) || Lexicon.determiners.contains(ws[0]) { return false }
        if ws.contains(where: { $0.count < 2 || $0.first!.isNumber || $0.contains("'") }) { return false }
        if tokens.first!.tag == .verb && tokens.count == 1 { return false }
        // a participle or gerund may modify, not end, a term, and a term of one word is a noun
        if ws.count == 1 && (Lexicon.adjectives.contains(ws[0]) || Lexicon.lemma(of: ws[0]) != nil && !Lexicon.nounOnly.contains(ws[0]) && !Lexicon.nounVerb.contains(Lexicon.lemma(of: ws[0])!.base)) {
            return false
        }
        // all general words ("next step", "key result") make no term
        if ws.count == 1 && Lexicon.genericNouns.contains(ws[0]) { return false }
        if ws.allSatisfy({ Lexicon.weakModifiers.contains($0) || Lexicon.adjectives.contains($0) }) { return false }
        // a general noun with only adjectives before it ("key result"); noun compounds of general
        // nouns are often terms ("safety evaluation"), so those stay
        if ws.count >= 2 && Lexicon.genericNouns.contains(ws.last!)
            && zip(ws.dropLast(), tokens.dropLast()).allSatisfy({ Lexicon.weakModifiers.contains($0.0) || $0.1.tag == .adj }) {
            return false
        }
        return true
    }

    /// The acronym a word is, if it is one: 2–10 characters, at least two capitals, starting with
    /// a capital ("AUROC", "RLHFs" → "RLHF", "CoT").
    static func acronym(_ w: String) -> String? {
        var s = w
        if s.hasSuffix("s") && s.count > 2 && s.dropLast().allSatisfy({ $0.isUppercase || $0.isNumber }) { s.removeLast() }
        guard s.count >= 2, s.count <= 10, s.first!.isUppercase, s.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
        let caps = s.filter { $0.isUppercase }.count
        guard caps >= 2, caps * 2 >= s.count else { return nil }
        return s
    }

    /// The long form of an acronym that precedes "(" at token `open` (Schwartz & Hearst 2003):
    /// the shortest run of words before it in which the acronym's letters appear in order, the
    /// first one at the start of a word. Returns the first and last token.
    static func longForm(_ acr: String, _ t: [PToken], _ bytes: [UInt8], before open: Int) -> (Int, Int)? {
        let letters = Array(acr.lowercased().filter { $0.isLetter || $0.isNumber })
        guard !letters.isEmpty, open > 0 else { return nil }
        let maxWords = min(letters.count + 5, letters.count * 2)
        var words: [Int] = []
        var k = open - 1
        while k >= 0 && words.count < maxWords {
            if t[k].tag == .punct { break }
            words.insert(k, at: 0)
            k -= 1
        }
        guard !words.isEmpty else { return nil }
        // the long form's text, lower case, with word starts
        let text = words.map { String(decoding: bytes[t[$0].start..<t[$0].end], as: UTF8.self).lowercased() }
        var chars: [Character] = []
        var wordOf: [Int] = []
        var isStart: [Bool] = []
        for (wi, w) in text.enumerated() {
            var first = true
            for ch in w {
                chars.append(ch); wordOf.append(wi); isStart.append(first || ch == "-")
                first = ch == "-"
            }
            chars.append(" "); wordOf.append(wi); isStart.append(false)
        }
        var ci = chars.count - 1
        var li = letters.count - 1
        while li >= 0 {
            let c = letters[li]
            while ci >= 0 && (chars[ci] != c || (li == 0 && !(isStart[ci]))) { ci -= 1 }
            if ci < 0 { return nil }
            li -= 1
            ci -= 1
        }
        let firstWord = wordOf[ci + 1]
        // trim leading function words ("the", "of")
        var f = firstWord
        while f < words.count - 1 && (Lexicon.determiners.contains(text[f]) || Lexicon.prepositions.contains(text[f])) { f += 1 }
        guard words.count - f <= maxWords, words.count - f >= 1 else { return nil }
        return (words[f], words[words.count - 1])
    }
}

/// Where a text emphasises words: Markdown bold and italics, quotes (straight or curly).
struct EmphasisSpans {
    enum Kind { case none, emphasis, quote }
    private var spans: [(range: Range<Int>, kind: Kind)] = []

    init(source: ReadingSource) {
        let b = source.bytes
        let n = b.count
        var out: [(Range<Int>, Kind)] = []
        var i = 0
        var lineStart = 0
        while i < n {
            let c = b[i]
            if c == 0x0A { lineStart = i + 1; i += 1; continue }
            // **bold**, __bold__, *italic*, _italic_ (Markdown only), on one line
            if source.isMarkdown && (c == 0x2A || c == 0x5F) {
                let double = i + 1 < n && b[i + 1] == c
                let openLen = double ? 2 : 1
                let s = i + openLen
                if s < n && b[s] != 0x20 && (i == lineStart || !Tokenizer.isASCIIWord(b[i - 1])) {
                    var e = s
                    var found = false
                    while e < n && e - s < 200 && b[e] != 0x0A {
                        if b[e] == c && (!double || (e + 1 < n && b[e + 1] == c)) && b[e - 1] != 0x20 { found = true; break }
                        e += 1
                    }
                    if found {
                        out.append((s..<e, .emphasis))
                        i = e + openLen
                        continue
                    }
                }
                i += openLen
                continue
            }
            // "quoted" or “quoted”
            if c == 0x22 || (c == 0xE2 && i + 2 < n && b[i + 1] == 0x80 && b[i + 2] == 0x9C) {
                let s = c == 0x22 ? i + 1 : i + 3
                var e = s
                var found = false
                while e < n && e - s < 120 && b[e] != 0x0A {
                    if (c == 0x22 && b[e] == 0x22) || (c == 0xE2 && b[e] == 0xE2 && e + 2 < n && b[e + 1] == 0x80 && b[e + 2] == 0x9D) { found = true; break }
                    e += 1
                }
                if found && e > s {
                    out.append((s..<e, .quote))
                    i = e + (c == 0x22 ? 1 : 3)
                    continue
                }
            }
            i += 1
        }
        spans = out
    }

    /// The index of the emphasised span holding byte `b`, or nil.
    func span(at b: Int) -> Int? {
        var lo = 0, hi = spans.count - 1
        var found = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if spans[mid].range.lowerBound <= b { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        return found >= 0 && spans[found].range.contains(b) ? found : nil
    }

    /// How the words at `s..<e` are emphasised: only when they fill the emphasised span (but for
    /// an article before them).
    func kind(_ s: Int, _ e: Int) -> Kind {
        var lo = 0, hi = spans.count - 1
        var found = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if spans[mid].range.lowerBound <= s { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        guard found >= 0 else { return .none }
        let r = spans[found].range
        guard r.lowerBound <= s && e <= r.upperBound else { return .none }
        // at most an article and punctuation besides the phrase
        return (s - r.lowerBound <= 4 && r.upperBound - e <= 2) ? spans[found].kind : .none
    }
}
