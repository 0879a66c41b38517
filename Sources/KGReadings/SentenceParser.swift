import Foundation
import KGCore

/// Part of speech of a token, as `SentenceParser` tags it.
enum Tag: UInt8, Sendable {
    case noun, verb, adj, adv, det, pron, prep, to, conj, sub, rel, wh, be, have, doAux, modal, neg, num, punct, mention
}

/// One token of a sentence: a word, a punctuation mark, or a mention of a known concept (several
/// words merged into one unit).
struct PToken: Sendable {
    /// Byte range in the reading.
    var start: Int
    var end: Int
    /// The word in lower case (punctuation as written).
    var lower: String
    var tag: Tag
    /// For verb forms: the base form and which forms the word can be.
    var lemma: String? = nil
    var form: Lexicon.Form = []
    /// For a mention: the concept (matcher target) it names; -1 otherwise.
    var mention: Int = -1
    /// A mention that is only part of a hyphenated word ("interpretability-based"): a modifier.
    var embedded = false
    /// Followed by a possessive 's.
    var possessive = false
    var capitalised = false
    /// The word could also be a noun (for verb forms) or a verb (for nouns).
    var ambiguous = false

    var isNominal: Bool { tag == .noun || (tag == .mention && !embedded) || tag == .num }
    var isWord: Bool { tag != .punct }
    func isPunct(_ s: String) -> Bool { tag == .punct && lower == s }
}

/// Splits one sentence into tagged tokens. Works on the masked bytes of the reading (Markdown
/// syntax blanked out), so byte offsets are those of the file.
struct SentenceParser {
    /// Verbs of the schema's cue phrases, known to the lexicon for this run.
    var extraVerbs: Set<String> = []

    /// Tokens of `bytes[range]`, mentions (sorted, non-overlapping byte ranges with their concept)
    /// merged into one token each. At most `limit` tokens (longer sentences are cut).
    func tokens(_ bytes: [UInt8], _ range: Range<Int>, mentions: [(target: Int, start: Int, end: Int)], limit: Int = 4000) -> [PToken] {
        var out: [PToken] = []
        var i = range.lowerBound
        let e = range.upperBound
        @inline(__always) func isWordByte(_ k: Int) -> Bool {
            let c = bytes[k]
            if c < 0x80 { return Tokenizer.isASCIIWord(c) }
            return scalarIsWord(k)
        }
        func scalarIsWord(_ k: Int) -> Bool {
            let (v, _) = decode(k)
            if v == 0x2019 || (v >= 0x2010 && v <= 0x2015) || v == 0x201C || v == 0x201D || v == 0x2018 || v == 0x2026 || v == 0xA0 { return false }
            guard let s = Unicode.Scalar(v) else { return false }
            return s.properties.isAlphabetic || s.properties.numericType != nil || s.properties.generalCategory == .nonspacingMark
        }
        func decode(_ k: Int) -> (UInt32, Int) {
            let b0 = UInt32(bytes[k])
            if b0 < 0x80 { return (b0, 1) }
            if b0 & 0xE0 == 0xC0, k + 1 < e { return (((b0 & 0x1F) << 6) | (UInt32(bytes[k + 1]) & 0x3F), 2) }
            if b0 & 0xF0 == 0xE0, k + 2 < e {
                return (((b0 & 0x0F) << 12) | ((UInt32(bytes[k + 1]) & 0x3F) << 6) | (UInt32(bytes[k + 2]) & 0x3F), 3)
            }
            if b0 & 0xF8 == 0xF0, k + 3 < e {
                return (((b0 & 0x07) << 18) | ((UInt32(bytes[k + 1]) & 0x3F) << 12) | ((UInt32(bytes[k + 2]) & 0x3F) << 6) | (UInt32(bytes[k + 3]) & 0x3F), 4)
            }
            return (0xFFFD, 1)
        }
        func len(_ k: Int) -> Int { decode(k).1 }
        while i < e && out.count < limit {
            let c = bytes[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1; continue }
            if isWordByte(i) {
                let s = i
                var k = i
                // A word: letters and digits, with inner hyphens, apostrophes and periods ("e.g", "3.5").
                while k < e {
                    if isWordByte(k) { k += len(k); continue }
                    let b = bytes[k]
                    if (b == 0x2D || b == 0x27 || b == 0x2E) && k + 1 < e && isWordByte(k + 1) && k > s {
                        if b == 0x2E && !(bytes[k - 1] >= 0x30 && bytes[k - 1] <= 0x39) && !(k + 2 < e && bytes[k + 2] == 0x2E) { break }
                        k += 1
                        continue
                    }
                    if b == 0xE2 && k + 3 < e && bytes[k + 1] == 0x80 && bytes[k + 2] == 0x99 && isWordByte(k + 3) { k += 3; continue }  // ’
                    break
                }
                var word = String(decoding: bytes[s..<k], as: UTF8.self).replacingOccurrences(of: "\u{2019}", with: "'")
                let capital = (bytes[s] >= 0x41 && bytes[s] <= 0x5A)
                var possessive = false
                // possessive / contraction 's
                if word.lowercased().hasSuffix("'s") {
                    let stem = String(word.dropLast(2))
                    let low = stem.lowercased()
                    if ["it", "that", "what", "there", "here", "he", "she", "who", "where", "let"].contains(low) {
                        out.append(PToken(start: s, end: s + stem.utf8.count, lower: low, tag: .pron, capitalised: capital))
                        out.append(PToken(start: s + stem.utf8.count, end: k, lower: low == "let" ? "us" : "is", tag: low == "let" ? .pron : .be))
                        i = k
                        continue
                    }
                    word = stem
                    possessive = true
                } else if word.hasSuffix("'") && word.count > 1 {
                    word = String(word.dropLast())
                    possessive = true
                }
                let low = word.lowercased()
                // n't contractions
                if low.hasSuffix("n't") {
                    let stemLow: String
                    switch low {
                    case "can't": stemLow = "can"
                    case "won't": stemLow = "will"
                    case "shan't": stemLow = "shall"
                    default: stemLow = String(low.dropLast(3))
                    }
                    out.append(PToken(start: s, end: k - 3, lower: stemLow, tag: .noun, capitalised: capital))
                    out.append(PToken(start: k - 3, end: k, lower: "not", tag: .neg))
                    i = k
                    continue
                }
                out.append(PToken(start: s, end: k, lower: low, tag: .noun, possessive: possessive, capitalised: capital))
                i = k
                continue
            }
            // punctuation
            var l = len(i)
            var p = String(decoding: bytes[i..<min(e, i + l)], as: UTF8.self)
            switch p {
            case "\u{201C}", "\u{201D}", "\u{201E}": p = "\""
            case "\u{2018}", "\u{2019}": p = "'"
            case "\u{2013}", "\u{2014}", "\u{2015}": p = "—"
            case "\u{2026}": p = "..."
            default: break
            }
            if p == "-" {
                // a spaced hyphen or a run of them is a dash
                var k = i
                while k < e && bytes[k] == 0x2D { k += 1 }
                l = k - i
                p = (i > range.lowerBound && bytes[i - 1] == 0x20) || l > 1 ? "—" : "-"
            }
            if p == "." && i + 2 < e && bytes[i + 1] == 0x2E && bytes[i + 2] == 0x2E { l = 3; p = "..." }
            out.append(PToken(start: i, end: i + l, lower: p, tag: .punct))
            i += l
        }
        var toks = mergeMentions(out, mentions: mentions)
        tag(&toks)
        return toks
    }

    /// Replaces the words a mention covers by one token for the mention.
    private func mergeMentions(_ toks: [PToken], mentions: [(target: Int, start: Int, end: Int)]) -> [PToken] {
        if mentions.isEmpty { return toks }
        var out: [PToken] = []
        out.reserveCapacity(toks.count)
        var m = 0
        var i = 0
        while i < toks.count {
            while m < mentions.count && mentions[m].end <= toks[i].start { m += 1 }
            if m < mentions.count && toks[i].isWord && mentions[m].start < toks[i].end && mentions[m].end > toks[i].start {
                let mm = mentions[m]
                var j = i
                while j + 1 < toks.count && toks[j + 1].start < mm.end { j += 1 }
                let embedded = toks[i].start < mm.start || toks[j].end > mm.end
                var t = PToken(start: toks[i].start, end: toks[j].end, lower: (i...j).map { toks[$0].lower }.joined(separator: " "),
                               tag: .mention, capitalised: toks[i].capitalised)
                t.mention = mm.target
                t.embedded = embedded
                t.possessive = toks[j].possessive
                out.append(t)
                i = j + 1
                m += 1
                continue
            }
            out.append(toks[i])
            i += 1
        }
        return out
    }

    /// Tags every word: closed classes from the lexicon, verb forms by morphology, then context.
    private func tag(_ t: inout [PToken]) {
        for k in t.indices where t[k].tag != .punct && t[k].tag != .mention && t[k].tag != .neg {
            t[k].tag = lexicalTag(t[k].lower, &t[k])
        }
        // Context, left to right.
        for k in t.indices {
            guard t[k].tag == .noun || t[k].tag == .verb || t[k].tag == .adj else { continue }
            let prev = previousWord(t, k)
            let next = k + 1 < t.count ? t[k + 1] : nil
            if t[k].tag == .verb && t[k].ambiguous {
                // noun or verb: "uses", "shapes", "need", "test"
                if let p = prev {
                    switch p.tag {
                    case .det, .adj, .num, .prep: t[k].tag = .noun
                    case .to, .modal, .doAux, .neg: t[k].tag = .verb
                    case .verb, .be, .have: t[k].tag = t[k].form == .base && p.tag == .verb && p.lemma.map { ["help", "let", "make"].contains($0) } == true ? .verb : .noun
                    case .pron: t[k].tag = Lexicon.subjectPronouns.contains(p.lower) ? .verb : .noun
                    case .noun, .mention:
                        if p.possessive { t[k].tag = .noun; break }
                        t[k].tag = startsPhrase(next) && !t[k].form.contains(.base) || (next?.tag == .prep && t[k].form.contains(.third)) ? .verb : .noun
                        if t[k].form == .base, let n = next, n.tag == .det || n.tag == .pron { t[k].tag = .verb }
                        // "a linear probe helps.", "the backdoor remains, …": a clause's only verb at its end
                        if t[k].form.contains(.third), let n = next, n.tag == .punct && [".", "!", "?", ";", ",", ":", "—"].contains(n.lower) || n.tag == .conj,
                           !t[..<k].reversed().prefix(while: { !($0.tag == .punct && [".", ";", ":", ","].contains($0.lower)) && $0.tag != .sub && $0.tag != .rel })
                            .contains(where: { $0.tag == .verb || $0.tag == .be || $0.tag == .modal || $0.tag == .have }) {
                            t[k].tag = .verb
                        }
                        // "the authors report that …", "models tend to …"
                        if let n = next, (n.tag == .rel && n.lower == "that") || n.tag == .wh || n.tag == .to { t[k].tag = .verb }
                    case .punct, .conj, .sub, .rel, .wh:
                        // "Treat a clean eval …", "Require model provenance …": imperatives
                        t[k].tag = t[k].form.contains(.base) && (next?.tag == .det || next?.tag == .mention || next?.tag == .adj) ? .verb : .noun
                    default: break
                    }
                } else {
                    t[k].tag = t[k].form.contains(.base) && (next?.tag == .det || next?.tag == .mention || next?.tag == .adj || next?.tag == .pron) ? .verb : .noun
                }
                if t[k].tag == .noun { t[k].lemma = nil; t[k].form = [] }
            } else if t[k].tag == .verb {
                if t[k].form == .gerund {
                    // gerund after a determiner or adjective, or before a noun: a noun-like modifier
                    if let p = prev, p.tag == .det || p.tag == .adj || p.possessive { t[k].tag = .noun }
                } else if t[k].form.contains(.participle) && !t[k].form.contains(.base) && !t[k].form.contains(.third) {
                    // "the planted backdoor", "a deliberately inserted backdoor": a modifier
                    if let p = prev, p.tag == .det || p.tag == .adj || p.possessive, let n = next, n.tag == .noun || n.tag == .mention {
                        t[k].tag = .adj
                    }
                } else if t[k].form.contains(.base) && !t[k].form.contains(.third) {
                    if let p = prev, p.tag == .det || p.tag == .adj || p.possessive { t[k].tag = .noun; t[k].lemma = nil; t[k].form = [] }
                }
            }
        }
    }

    private func previousWord(_ t: [PToken], _ k: Int) -> PToken? {
        var j = k - 1
        while j >= 0 {
            if t[j].tag == .adv { j -= 1; continue }
            return t[j]
        }
        return nil
    }

    private func startsPhrase(_ t: PToken?) -> Bool {
        guard let t else { return false }
        switch t.tag {
        case .det, .adj, .noun, .mention, .pron, .num, .adv, .prep, .to: return true
        case .verb: return t.ambiguous
        default: return false
        }
    }

    private func lexicalTag(_ w: String, _ tok: inout PToken) -> Tag {
        switch w {
        case "to": return .to
        case "that": return .rel  // relative pronoun, complementizer or determiner; RelationFinder decides
        case "which", "who", "whom", "whose": return .rel
        case "not", "never", "n't", "cannot": return w == "cannot" ? .modal : .neg
        default: break
        }
        if Lexicon.be.contains(w) { return .be }
        if Lexicon.have.contains(w) { tok.lemma = "have"; return .have }
        if Lexicon.doForms.contains(w) { tok.lemma = "do"; return .doAux }
        if Lexicon.modals.contains(w) { return .modal }
        if Lexicon.whWords.contains(w) { return .wh }
        if Lexicon.coordinators.contains(w) { return .conj }
        if ["no", "neither", "none", "nor", "without", "nothing", "nobody"].contains(w) {
            return w == "no" ? .det : (w == "without" ? .prep : (w == "nor" ? .conj : .pron))
        }
        if Lexicon.determiners.contains(w) && !["much", "more", "most", "less", "least", "enough", "what", "which"].contains(w) { return .det }
        if Lexicon.subordinators.contains(w) && !Lexicon.prepositions.contains(w) && w != "so" { return .sub }
        if Lexicon.prepositions.contains(w) { return .prep }
        if Lexicon.pronouns.contains(w) { return .pron }
        if w.first?.isNumber == true { return .num }
        if Lexicon.nounOnly.contains(w) { return .noun }
        if let (base, form) = Lexicon.lemma(of: w, extra: extraVerbs) {
            tok.lemma = base
            tok.form = form
            let nounish = Lexicon.nounVerb.contains(base) && (form.contains(.base) || form.contains(.third))
            tok.ambiguous = nounish
            if form == .gerund { return .verb }
            if Lexicon.adjectives.contains(w) && form.contains(.participle) { tok.ambiguous = true }
            return .verb
        }
        if Lexicon.adverbs.contains(w) { return .adv }
        if w.hasSuffix("ly") && w.count > 4 && !Lexicon.lyNotAdverb.contains(w) { return .adv }
        if Lexicon.adjectives.contains(w) || Lexicon.looksAdjective(w) { return .adj }
        if w == "so" { return .adv }
        return .noun
    }
}
