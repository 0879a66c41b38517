import Foundation
import Testing
import PropertyBased
@testable import KGReadings

/// The matcher against a naive reference: whole words, separators, leftmost-longest.
@Suite("Alias matcher properties")
struct MatcherPropertyTests {
    static let pool = ["alpha", "beta", "Gamma", "delta", "extraordinarily", "qq", "kappa", "omega", "zeta9", "b"]
    static let seps = [" ", "-", "\n", ". ", ", ", " -- "]

    /// Reference: words and separators; an alias may continue over " ", "-" and one "\n" only.
    static func naive(_ words: [String], _ gaps: [String], _ aliases: [[String]]) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var i = 0
        while i < words.count {
            var best = -1
            for a in aliases where a.count <= words.count - i {
                var ok = true
                for (k, w) in a.enumerated() {
                    if words[i + k].lowercased() != w.lowercased() { ok = false; break }
                    if k > 0 && !["-", " ", "\n", " -- "].contains(gaps[i + k]) { ok = false; break }
                }
                if ok { best = max(best, i + a.count - 1) }
            }
            if best >= 0 { out.append((i, best)); i = best + 1 } else { i += 1 }
        }
        return out
    }

    @Test func agreesWithANaiveMatcher() async {
        let gen = Gen.int(in: 0...(Self.pool.count * Self.seps.count - 1)).array(of: 1...60)
        let aliasGen = Gen.int(in: 0...(Self.pool.count - 1)).array(of: 1...3).array(of: 1...8)
        await propertyCheck(input: gen, aliasGen) { picks, aliasPicks in
            let aliases = aliasPicks.map { $0.map { Self.pool[$0] } }
            var words: [String] = [], gaps: [String] = [""]
            var text = ""
            for (k, p) in picks.enumerated() {
                let w = Self.pool[p % Self.pool.count]
                if k > 0 { let g = Self.seps[p / Self.pool.count]; gaps.append(g); text += g }
                words.append(w)
                text += w
            }
            let m = AliasMatcher()
            for (i, a) in aliases.enumerated() { m.add(alias: a.joined(separator: " "), target: i) }
            let bytes = Array(text.utf8)
            let got = bytes.withUnsafeBufferPointer { b in m.match(tokens: m.tokenize(b), text: b) }
            let spans = Dictionary(grouping: got, by: { $0.firstWord }).map { ($0.key, $0.value[0].lastWord) }.sorted { $0.0 < $1.0 }
            let want = Self.naive(words, gaps, aliases)
            #expect(spans.map { "\($0.0)-\($0.1)" } == want.map { "\($0.0)-\($0.1)" }, "text: \(text) aliases: \(aliases)")
        }
    }

    @Test func twoThreadsGiveTheSameAnswerAsOne() async {
        let gen = Gen.int(in: 0...(Self.pool.count * Self.seps.count - 1)).array(of: 50...400)
        let aliasGen = Gen.int(in: 0...(Self.pool.count - 1)).array(of: 1...3).array(of: 1...8)
        await propertyCheck(count: 60, input: gen, aliasGen) { picks, aliasPicks in
            var text = ""
            for (k, p) in picks.enumerated() {
                if k > 0 { text += Self.seps[p / Self.pool.count] }
                text += k % 7 == 3 ? "unknownword" : Self.pool[p % Self.pool.count]
            }
            let one = AliasMatcher(), two = AliasMatcher()
            two.parallelBytes = 64
            two.parallelWords = 10
            for (i, a) in aliasPicks.enumerated() {
                let alias = a.map { Self.pool[$0] }.joined(separator: " ")
                one.add(alias: alias, target: i)
                two.add(alias: alias, target: i)
            }
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { b in
                let t1 = one.tokenize(b), t2 = two.tokenize(b)
                #expect(t1.map { [$0.start, $0.end, $0.id, Int32($0.flags)] } == t2.map { [$0.start, $0.end, $0.id, Int32($0.flags)] })
                #expect(one.match(tokens: t1, text: b) == two.match(tokens: t2, text: b))
            }
        }
    }

    @Test func longWordsAndTheEndOfTheText() {
        let m = AliasMatcher()
        m.add(alias: "Extraordinarily persistent backdoors", target: 0)
        m.add(alias: "RLHF", target: 1)
        m.add(alias: "interpretability", target: 2)
        for text in ["EXTRAORDINARILY persistent backdoor", "x extraordinarily-persistent backdoors", "RLHF", "Interpretability",
                     "an interpretability", "rlhf"] {
            let b = Array(text.utf8)
            let got = b.withUnsafeBufferPointer { p in m.match(tokens: m.tokenize(p), text: p) }
            #expect(got.count == (text == "rlhf" ? 0 : 1), "\(text)")
            if let g = got.first { #expect(g.end == b.count, "\(text)") }
        }
    }
}

@Suite("Linker robustness")
struct LinkerRobustnessTests {
    static let fragments = ["RLHF", "(RLHF)", "reinforcement learning from human feedback", "backdoor's", "agents'", "**", "_", "`",
                            "[link](http://x.org/backdoor)", "<b>", "</b>", "# ", "\n", "\n\n", "- ", "1. ", "```", "e.g.", "Dr.",
                            "…", "’s", "Naïve", "Ｒｅｄ", "red-", "teaming", "scale", "backdoor", ".", "?", " ", "\t", "\r\n", "Ω",
                            "Constitutional AI (CAI)", "CoT", "cot", "\u{0301}", "'", "\"", "|", ">"]

    @Test func arbitraryTextsNeverBreakTheLinker() async throws {
        let g = try fixtureGraph()
        let linker = Linker(graph: g)
        await propertyCheck(count: 300, input: Gen.int(in: 0...(Self.fragments.count - 1)).array(of: 1...80), Gen.bool) { picks, md in
            let text = picks.map { Self.fragments[$0] }.joined()
            guard let src = try? ReadingSource(path: md ? "r.md" : "r.txt", bytes: Array(text.utf8)) else { return }
            let r = try linker.link(src, options: LinkOptions(path: "r", sha256: String(repeating: "0", count: 64)))
            let lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).count
            for m in r.mentions {
                for o in m.occurrences {
                    #expect(o.sentence >= 1 && o.sentence <= max(1, r.reading.sentences))
                    #expect(o.line >= 1 && o.line <= lines)
                    #expect(o.start < o.end && o.end <= src.bytes.count)
                }
            }
            for p in r.relations { #expect(p.sentences.allSatisfy { $0 >= 1 && $0 <= max(1, r.reading.sentences) }) }
            for c in r.candidates { #expect(c.count >= 1) }
            let kg = KGEmitter.emit(r, accept: .all, graph: g)
            #expect(kg.hasPrefix("#"))
        }
    }
}
