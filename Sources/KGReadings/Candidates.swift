import Foundation
import KGCore

/// Finds terms a reading uses that look like concepts the graph does not know yet:
/// acronyms the text defines ("… from human feedback (RLHF)"), acronyms used repeatedly,
/// capitalised multi-word terms, and repeated multi-word terms (2–3 words that neither start nor
/// end with a function word). Words already matched as a known concept never take part.
/// Ranked by score = count × (1 + log2(distinct sentences)), plus 3 for a defined acronym and 1
/// for a capitalised term; a term contained in a better-ranked longer term that occurs at least
/// as often is dropped.
struct CandidateFinder {
    let matcher: AliasMatcher
    let tokens: [WordToken]
    let source: ReadingSource
    let spans: [SentenceSpan]
    let graph: Graph
    let concepts: [NodeID]
    let matches: [AliasMatcher.Match]
    let knownWords: Set<Int>
    let sentenceIndex: (Int) -> Int

    private struct Acc {
        var display: String
        var count = 0
        var sentences = Set<Int>()
        var reason: ConceptCandidate.Reason
        var acronym: String?
        var aliasOf: String?
        var bonus = 0.0
        var words: [String]
    }

    func find(max: Int) -> [ConceptCandidate] {
        let n = tokens.count
        var covered = [Int](repeating: -1, count: n)  // matched target per word, -1 none
        for m in matches { for w in m.firstWord...m.lastWord { covered[w] = matcher.patterns[m.pattern].target } }
        let bytes = source.bytes
        func word(_ i: Int) -> String { String(decoding: bytes[Int(tokens[i].start)..<Int(tokens[i].end)], as: UTF8.self) }
        var lowerCache = [String?](repeating: nil, count: n)
        func lower(_ i: Int) -> String {
            if let s = lowerCache[i] { return s }
            let s = NameKey.normalize(word(i))
            lowerCache[i] = s
            return s
        }
        var sent = [Int](repeating: 0, count: n)
        do {
            var s = 0
            for i in 0..<n {
                let off = Int(tokens[i].start)
                while s + 1 < spans.count && spans[s + 1].range.lowerBound <= off { s += 1 }
                sent[i] = spans.isEmpty ? 1 : spans[s].number
            }
        }
        func sentenceStart(_ i: Int) -> Bool { i == 0 || sent[i - 1] != sent[i] }
        func joined(_ i: Int) -> Bool { tokens[i].flags & WordToken.joinable != 0 && tokens[i - 1].flags & WordToken.possessive == 0 }
        func gapText(_ a: Int, _ b: Int) -> ArraySlice<UInt8> { bytes[a..<b] }
        var acc: [String: Acc] = [:]
        func add(_ key: String, display: String, words: [String], sentence: Int, reason: ConceptCandidate.Reason,
                 acronym: String? = nil, aliasOf: String? = nil, bonus: Double = 0) {
            var a = acc[key] ?? Acc(display: display, reason: reason, acronym: acronym, aliasOf: aliasOf, words: words)
            a.count += 1
            a.sentences.insert(sentence)
            if acronym != nil && a.acronym == nil { a.acronym = acronym }
            if aliasOf != nil { a.aliasOf = aliasOf }
            if bonus > a.bonus { a.bonus = bonus; a.reason = reason }
            acc[key] = a
        }
        let knownKeys = Set(graph.indexedNames)

        // 1. Acronyms defined after their long form, and acronyms used on their own.
        var definedAcronyms = Set<String>()
        var acronymUses: [String: (count: Int, sentences: Set<Int>)] = [:]
        for j in 0..<n {
            let t = tokens[j]
            guard t.flags & WordToken.capitalised != 0 else { continue }  // acronyms start with a capital
            let w = word(j)
            let letters = w.filter { $0.isUppercase }
            let isAcr = letters.count >= 2 && letters.count <= 8 && (t.flags & WordToken.allCaps != 0
                || (w.hasSuffix("s") && w.dropLast().allSatisfy { $0.isUppercase || $0.isNumber }))
            guard isAcr, covered[j] < 0 else { continue }
            let acr = w.hasSuffix("s") && t.flags & WordToken.allCaps == 0 ? String(w.dropLast()) : w
            if knownKeys.contains(NameKey.normalize(acr)) { continue }
            // Defined here? "( ACR )" right after the long form.
            let open = j > 0 ? gapText(Int(tokens[j - 1].end), Int(t.start)) : []
            let closes = Int(t.end) < bytes.count && bytes[Int(t.end)] == 0x29
            if j > 0, closes, open.contains(0x28), open.allSatisfy({ $0 == 0x28 || $0 == 0x20 || $0 == 0x0A }) {
                let wanted = Array(acr.lowercased().filter { $0.isLetter })
                var k = j - 1
                var li = wanted.count - 1
                var startWord = -1
                var steps = 0
                while k >= 0 && li >= 0 && steps < wanted.count + 4 {
                    let lw = lower(k)
                    if k < j - 1 && !joined(k + 1) { break }
                    // A word gives its first letter, or all its capitals when it has several ("AI").
                    let w = word(k)
                    let caps = w.filter { $0.isUppercase }
                    let give: [Character] = caps.count >= 2 ? Array(caps.lowercased()) : (lw.first.map { [$0] } ?? [])
                    if !give.isEmpty, give.count <= li + 1, Array(wanted[(li + 1 - give.count)...li]) == give {
                        li -= give.count
                        startWord = k
                    } else if !CommonWords.stop.contains(lw) { break }
                    k -= 1
                    steps += 1
                }
                if li < 0 && startWord >= 0 {
                    let long = String(decoding: bytes[Int(tokens[startWord].start)..<Int(tokens[j - 1].end)], as: UTF8.self)
                        .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
                    let target = covered[j - 1] >= 0 && covered[startWord] == covered[j - 1] ? covered[j - 1] : -1
                    definedAcronyms.insert(acr)
                    if target >= 0 {
                        let id = graph.key(of: concepts[target])
                        add("alias:" + acr, display: acr, words: [acr.lowercased()], sentence: sent[j], reason: .acronym,
                            acronym: acr, aliasOf: id, bonus: 3)
                    } else if (startWord...(j - 1)).allSatisfy({ covered[$0] < 0 }) {
                        let key = NameKey.normalize(long)
                        add(key, display: long, words: key.split(separator: " ").map(String.init), sentence: sent[j], reason: .acronym,
                            acronym: acr, bonus: 3)
                    }
                    continue
                }
            }
            var u = acronymUses[acr] ?? (0, [])
            u.count += 1
            u.sentences.insert(sent[j])
            acronymUses[acr] = u
        }
        for (acr, u) in acronymUses {
            if definedAcronyms.contains(acr) {
                // Later uses of a defined acronym count for the defined term.
                if let k = acc.first(where: { $0.value.acronym == acr })?.key {
                    acc[k]!.count += u.count
                    acc[k]!.sentences.formUnion(u.sentences)
                }
                continue
            }
            guard u.count >= 2 else { continue }
            acc["acr:" + acr] = Acc(display: acr, count: u.count, sentences: u.sentences, reason: .acronymUsed, acronym: acr, bonus: 1,
                                    words: [acr.lowercased()])
        }

        // 2. Capitalised multi-word terms.
        var i = 0
        while i < n {
            guard tokens[i].flags & WordToken.capitalised != 0, covered[i] < 0, tokens[i].flags & WordToken.allCaps == 0 else { i += 1; continue }
            var j = i
            while j + 1 < n && joined(j + 1) && sent[j + 1] == sent[i] && covered[j + 1] < 0
                    && tokens[j + 1].flags & WordToken.capitalised != 0 && tokens[j + 1].flags & WordToken.allCaps == 0 { j += 1 }
            if j > i {
                var ws = (i...j).map(lower)
                var a = i
                if sentenceStart(i) && CommonWords.stop.contains(ws[0]) { ws.removeFirst(); a += 1 }
                if ws.count >= 2 && !CommonWords.stop.contains(ws.last!) {
                    let display = (a...j).map(word).joined(separator: " ")
                    add(ws.joined(separator: " "), display: display, words: ws, sentence: sent[i], reason: .capitalised, bonus: 1)
                }
            }
            i = j + 1
        }

        // 3. Repeated multi-word terms (2 or 3 words).
        for len in 2...3 {
            var i = 0
            while i + len <= n {
                defer { i += 1 }
                var ok = true
                for k in i..<(i + len) where covered[k] >= 0 || tokens[k].flags & WordToken.allCaps != 0 { ok = false; break }
                if !ok { continue }
                for k in (i + 1)..<(i + len) where !joined(k) || sent[k] != sent[i] { ok = false; break }
                if !ok { continue }
                var ws = (i..<(i + len)).map(lower)
                if CommonWords.stop.contains(ws[0]) || CommonWords.stop.contains(ws[len - 1]) { continue }
                if CommonWords.verbs.contains(ws[len - 1]) || CommonWords.verbs.contains(ws[0]) { continue }
                if ws[len - 1].hasSuffix("ed") || ws[len - 1].hasSuffix("ly") || ws[0].hasSuffix("ly") { continue }
                if ws.contains(where: { $0.count < 2 || $0.allSatisfy { $0.isNumber } || $0.contains("'") }) { continue }
                if let s = Inflection.singular(ws[len - 1]) { ws[len - 1] = s }
                let key = ws.joined(separator: " ")
                if acc[key]?.reason == .capitalised || acc[key]?.reason == .acronym {
                    continue
                }
                add(key, display: ws.joined(separator: " "), words: ws, sentence: sent[i], reason: .repeated)
            }
        }

        // Rank.
        var list: [(key: String, a: Acc, score: Double)] = []
        for (k, a) in acc {
            if knownKeys.contains(NameKey.normalize(a.display)) { continue }
            let minCount = a.reason == .repeated ? 2 : (a.bonus >= 3 ? 1 : 2)
            guard a.count >= minCount else { continue }
            if a.reason == .repeated && a.sentences.count < 2 { continue }
            let score = Double(a.count) * (1 + log2(Double(a.sentences.count))) + a.bonus
            list.append((k, a, (score * 100).rounded() / 100))
        }
        list.sort { $0.score != $1.score ? $0.score > $1.score : $0.key < $1.key }
        var kept: [(key: String, a: Acc, score: Double)] = []
        for c in list {
            let sub = kept.contains { k in
                k.a.words.count > c.a.words.count && k.a.count >= c.a.count
                    && (" " + k.a.words.joined(separator: " ") + " ").contains(" " + c.a.words.joined(separator: " ") + " ")
            }
            if !sub { kept.append(c) }
            if kept.count >= max { break }
        }
        var used = Set(graph.nodes.map { graph.key(of: $0) })
        return kept.enumerated().map { (i, c) in
            var id = Linker.slug(c.a.display)
            if used.contains(id) { var k = 2; while used.contains("\(id)-\(k)") { k += 1 }; id = "\(id)-\(k)" }
            used.insert(id)
            let name = c.a.reason == .repeated ? c.a.display.prefix(1).uppercased() + c.a.display.dropFirst() : c.a.display
            return ConceptCandidate(number: i + 1, name: name, id: c.a.aliasOf ?? id, acronym: c.a.acronym, count: c.a.count,
                                    sentences: c.a.sentences.sorted(), reason: c.a.reason, score: c.score, aliasOf: c.a.aliasOf)
        }
    }
}
