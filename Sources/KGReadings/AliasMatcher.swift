import Foundation
import KGCore

/// A multi-pattern matcher over whole words: every alias becomes a path of word ids in a trie,
/// and the text is scanned once, word by word, keeping the leftmost-longest match.
///
/// Why words and not bytes: whole-word matching, hyphen/space variants ("red-teaming" /
/// "red teaming"), case folding and English inflections all become properties of the word
/// sequence, so the automaton needs no failure links — at each word the trie is walked while
/// words continue it (aliases are a few words long), and a failed start costs one hash lookup.
///
/// Matching rules:
/// - case-insensitive (ASCII folding; NFKC + case folding through `NameKey` for other scripts);
/// - words inside an alias may be separated in the text by spaces, one line break, hyphens,
///   dashes or underscores; where the alias itself has other punctuation between two words
///   ("et al. 2024"), the text must have punctuation there too;
/// - the last word of an alias also matches its English plural or singular ("backdoor" /
///   "backdoors", "policy" / "policies", "agents" / "agent"); a possessive `'s` is ignored;
/// - an alias written all in capitals with at most five letters ("RLHF", "AI") only matches the
///   same capitals in the text, so "it" never matches an alias "IT".
public final class AliasMatcher {
    /// What an alias pattern stands for.
    public struct Pattern: Sendable {
        /// Index of the target (a concept) in the caller's list.
        public var target: Int
        /// The alias as declared.
        public var alias: String
        /// Matches only when written in capitals (short acronyms).
        public var requiresCaps: Bool
        /// Matches only the declared spelling (mixed-case acronyms such as "CoT"), or it plus "s".
        public var exactCase: Bool
        var aliasBytes: [UInt8]
        /// Number of words.
        public var words: Int
    }

    /// One match: word range [firstWord, lastWord] and byte range in the text.
    public struct Match: Sendable, Equatable {
        public var pattern: Int
        public var start: Int
        public var end: Int
        public var firstWord: Int
        public var lastWord: Int
    }

    let vocab = Vocabulary(capacity: 4096)
    public private(set) var patterns: [Pattern] = []
    // Trie: node 0 is the root. Children of the root by word id; other edges in a hash map.
    private var rootChild: [Int32] = []
    private var edges: [UInt64: Int32] = [:]
    private var terminal: [Int32] = [-1]  // per node: first pattern, -1 none
    private var extraTerminals: [Int32: [Int32]] = [:]
    private var nodeCount = 1

    public init() {}

    public var vocabularySize: Int { vocab.count }

    /// Adds an alias for `target`. Returns false when the alias has no words.
    @discardableResult
    public func add(alias: String, target: Int) -> Bool {
        var toks: [WordToken] = []
        var bytes = Array(alias.utf8)
        bytes.withUnsafeMutableBufferPointer { mp in
            Tokenizer.tokenize(UnsafeBufferPointer(mp), vocab: vocab, addUnknown: true, into: &toks)
        }
        guard !toks.isEmpty else { return false }
        let letters = alias.unicodeScalars.filter { $0.properties.isAlphabetic }
        // Short acronyms ("RLHF", "CoT", "GPT") must be written as declared: all capitals, or
        // the exact declared case when it mixes cases.
        let requiresCaps = toks.count == 1 && letters.count >= 2 && letters.count <= 5
            && letters.dropFirst().contains { $0.properties.isUppercase }
        let exactCase = requiresCaps && !letters.allSatisfy { $0.properties.isUppercase }
        let p = Int32(patterns.count)
        patterns.append(Pattern(target: target, alias: alias, requiresCaps: requiresCaps, exactCase: exactCase,
                                aliasBytes: Array(alias.utf8), words: toks.count))
        // The path up to the last word.
        var node: Int32 = 0
        for (k, t) in toks.dropLast().enumerated() {
            node = child(node, t.id, punct: k > 0 && t.flags & WordToken.punct != 0, create: true)
        }
        let last = toks[toks.count - 1]
        let lastPunct = toks.count > 1 && last.flags & WordToken.punct != 0
        var forms = [vocab.word(last.id)]
        if !requiresCaps { forms.append(contentsOf: Inflection.variants(of: forms[0])) } else if !exactCase { forms.append(forms[0] + "s") }
        var seen = Set<Int32>()
        for f in forms {
            let id = vocab.intern(f)
            guard seen.insert(id).inserted else { continue }
            let end = child(node, id, punct: lastPunct, create: true)
            addTerminal(end, p)
        }
        return true
    }

    private func addTerminal(_ node: Int32, _ p: Int32) {
        if terminal[Int(node)] < 0 { terminal[Int(node)] = p; return }
        if terminal[Int(node)] == p { return }
        var list = extraTerminals[node, default: []]
        if !list.contains(p) { list.append(p) }
        extraTerminals[node] = list
    }

    @inline(__always) private func edgeKey(_ node: Int32, _ word: Int32, _ punct: Bool) -> UInt64 {
        (UInt64(UInt32(bitPattern: node)) << 33) | (UInt64(UInt32(bitPattern: word)) << 1) | (punct ? 1 : 0)
    }

    private func child(_ node: Int32, _ word: Int32, punct: Bool, create: Bool) -> Int32 {
        if node == 0 {
            if Int(word) < rootChild.count, rootChild[Int(word)] > 0 { return rootChild[Int(word)] }
            guard create else { return -1 }
            if Int(word) >= rootChild.count { rootChild.append(contentsOf: repeatElement(0, count: Int(word) + 1 - rootChild.count)) }
            let n = newNode()
            rootChild[Int(word)] = n
            return n
        }
        let k = edgeKey(node, word, punct)
        if let c = edges[k] { return c }
        guard create else { return -1 }
        let n = newNode()
        edges[k] = n
        return n
    }

    private func newNode() -> Int32 {
        terminal.append(-1)
        nodeCount += 1
        return Int32(nodeCount - 1)
    }

    /// Every pattern that ends at a trie node.
    private func terminals(_ node: Int32) -> [Int32] {
        let t = terminal[Int(node)]
        if t < 0 { return [] }
        return [t] + (extraTerminals[node] ?? [])
    }

    /// Tokenizes `bytes` against the vocabulary.
    /// Long texts are tokenised in two halves at once, split where a space follows a letter or
    /// digit (so the gap before the first word of the second half lies wholly in it).
    public func tokenize(_ bytes: UnsafeBufferPointer<UInt8>) -> [WordToken] {
        let n = bytes.count
        if n >= parallelBytes {
            var cut = n / 2
            let limit = min(n - 1, cut + 65_536)
            while cut < limit && !(bytes[cut] == 0x20 && Tokenizer.isASCIIWord(bytes[cut - 1])) { cut += 1 }
            if cut < limit {
                var parts: [[WordToken]] = [[], []]
                parts.withUnsafeMutableBufferPointer { pp in
                    DispatchQueue.concurrentPerform(iterations: 2) { part in
                        let r = part == 0 ? 0..<cut : cut..<n
                        var toks: [WordToken] = []
                        toks.reserveCapacity(r.count / 5)
                        Tokenizer.tokenize(UnsafeBufferPointer(rebasing: bytes[r]), vocab: vocab, into: &toks)
                        if part == 1 {
                            let off = Int32(cut)
                            for t in toks.indices { toks[t].start += off; toks[t].end += off }
                        }
                        pp[part] = toks
                    }
                }
                return parts[0] + parts[1]
            }
        }
        var toks: [WordToken] = []
        toks.reserveCapacity(n / 5)
        Tokenizer.tokenize(bytes, vocab: vocab, into: &toks)
        return toks
    }

    /// Open-addressing copy of `edges` for the scan loop (rebuilt when aliases were added).
    private var frozenKeys: [UInt64] = []
    private var frozenVals: [Int32] = []
    private var frozenFor = -1

    private func freeze() {
        if frozenFor == nodeCount { return }
        var cap = 16
        while cap < edges.count * 2 + 2 { cap <<= 1 }
        var keys = [UInt64](repeating: UInt64.max, count: cap)
        var vals = [Int32](repeating: -1, count: cap)
        for (k, v) in edges {
            var i = Int(truncatingIfNeeded: Self.mix(k)) & (cap - 1)
            while keys[i] != UInt64.max { i = (i + 1) & (cap - 1) }
            keys[i] = k
            vals[i] = v
        }
        frozenKeys = keys
        frozenVals = vals
        // Per node: 0 no pattern ends here; 1 one pattern that needs no check; 2 look closer.
        var quick = [UInt8](repeating: 0, count: terminal.count)
        for (k, t) in terminal.enumerated() where t >= 0 {
            quick[k] = (extraTerminals[Int32(k)] == nil && !patterns[Int(t)].requiresCaps) ? 1 : 2
        }
        frozenQuick = quick
        frozenFor = nodeCount
    }
    private var frozenQuick: [UInt8] = []

    @inline(__always) static func mix(_ k: UInt64) -> UInt64 {
        var x = k &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 32
        return x
    }

    /// Leftmost-longest, non-overlapping matches over the words of a text, in text order.
    /// Where one span matches aliases of several targets, one match per target is reported.
    /// `text` is needed for aliases that must keep their exact case ("CoT"); without it they never
    /// match. `progress` is called now and then with the fraction of words done.
    ///
    /// Long texts are matched in two halves at once, split at a word that is in no alias (no match
    /// can span it, so the result is the same as one pass).
    public func match(tokens: [WordToken], text: UnsafeBufferPointer<UInt8>? = nil, progress: ((Double) -> Void)? = nil) -> [Match] {
        freeze()
        let n = tokens.count
        if n >= parallelWords {
            var k = n / 2
            let limit = min(n, k + 100_000)
            while k < limit && tokens[k].id >= 0 { k += 1 }
            if k < limit {
                var parts: [[Match]] = [[], []]
                parts.withUnsafeMutableBufferPointer { pp in
                    DispatchQueue.concurrentPerform(iterations: 2) { part in
                        pp[part] = part == 0
                            ? matchRange(tokens: tokens, lo: 0, hi: k, text: text, progress: progress.map { f in { f($0 * 0.5) } })
                            : matchRange(tokens: tokens, lo: k, hi: n, text: text, progress: nil)
                    }
                }
                progress?(1)
                return parts[0] + parts[1]
            }
        }
        let out = matchRange(tokens: tokens, lo: 0, hi: n, text: text, progress: progress)
        progress?(1)
        return out
    }

    /// Texts of at least this many words are matched in two threads; tokenised likewise from
    /// `parallelBytes` bytes.
    public var parallelWords = 400_000
    public var parallelBytes = 2_000_000

    private func matchRange(tokens: [WordToken], lo: Int, hi: Int, text: UnsafeBufferPointer<UInt8>?,
                            progress: ((Double) -> Void)?) -> [Match] {
        let n = hi
        let rootCount = Int32(rootChild.count)
        let term = terminal
        let keys = frozenKeys, vals = frozenVals
        let kmask = keys.count - 1
        let needsCheck = frozenQuick
        // `out` lives inside the closures: a captured var would pay a dynamic exclusivity check per append.
        let out: [Match] = tokens.withUnsafeBufferPointer { tp in
        rootChild.withUnsafeBufferPointer { rc in
        term.withUnsafeBufferPointer { tm in
        keys.withUnsafeBufferPointer { kp in
        vals.withUnsafeBufferPointer { vp in
        needsCheck.withUnsafeBufferPointer { nc -> [Match] in
            var out: [Match] = []
            @inline(__always) func ok(_ node: Int32, _ i: Int, _ j: Int) -> Bool {
                let q = nc[Int(node)]
                if q == 0 { return false }
                if q == 1 { return true }
                for p in terminals(node) where patternAccepts(Int(p), tp, i, j, text) { return true }
                return false
            }
            var i = lo
            var nextReport = lo + (1 << 20)
            while i < n {
                if i >= nextReport { progress?(Double(i - lo) / Double(max(1, n - lo))); nextReport += 1 << 20 }
                let t = tp[i]
                guard t.id >= 0, t.id < rootCount else { i += 1; continue }
                var node = rc[Int(t.id)]
                if node <= 0 { i += 1; continue }
                var bestEnd = -1
                var bestNode: Int32 = -1
                if ok(node, i, i) { bestEnd = i; bestNode = node }
                var j = i
                while tp[j].flags & WordToken.possessive == 0 && j + 1 < n {
                    let u = tp[j + 1]
                    if u.id < 0 || u.flags & (WordToken.joinable | WordToken.punct) == 0 { break }
                    let key = edgeKey(node, u.id, u.flags & WordToken.punct != 0)
                    var h = Int(truncatingIfNeeded: Self.mix(key)) & kmask
                    var c: Int32 = -1
                    while kp[h] != UInt64.max {
                        if kp[h] == key { c = vp[h]; break }
                        h = (h + 1) & kmask
                    }
                    if c < 0 { break }
                    node = c
                    j += 1
                    if ok(node, i, j) { bestEnd = j; bestNode = node }
                }
                if bestEnd < 0 { i += 1; continue }
                if nc[Int(bestNode)] == 1 {
                    out.append(Match(pattern: Int(tm[Int(bestNode)]), start: Int(tp[i].start), end: Int(tp[bestEnd].end),
                                     firstWord: i, lastWord: bestEnd))
                    i = bestEnd + 1
                    continue
                }
                var targets: [Int] = []
                for p in terminals(bestNode) where patternAccepts(Int(p), tp, i, bestEnd, text) {
                    if targets.contains(patterns[Int(p)].target) { continue }
                    targets.append(patterns[Int(p)].target)
                    out.append(Match(pattern: Int(p), start: Int(tp[i].start), end: Int(tp[bestEnd].end),
                                     firstWord: i, lastWord: bestEnd))
                }
                i = bestEnd + 1
            }
            return out
        }
        }
        }
        }
        }
        }
        return out
    }

    private func patternAccepts(_ p: Int, _ tp: UnsafeBufferPointer<WordToken>, _ i: Int, _ j: Int,
                                _ currentText: UnsafeBufferPointer<UInt8>?) -> Bool {
        let pat = patterns[p]
        if !pat.requiresCaps { return true }
        if !pat.exactCase { return tp[i].flags & WordToken.allCaps != 0 }
        guard let text = currentText else { return false }
        let s = Int(tp[i].start), e = Int(tp[j].end)
        let a = pat.aliasBytes
        if e - s == a.count { return text[s..<e].elementsEqual(a) }
        if e - s == a.count + 1 && text[e - 1] == 0x73 { return text[s..<(e - 1)].elementsEqual(a) }
        return false
    }
}

/// English plural and singular forms of a word, for matching the last word of an alias.
public enum Inflection {
    static let vowels: Set<Character> = ["a", "e", "i", "o", "u"]

    /// The plural and singular forms of a lower-case word (not including the word itself).
    public static func variants(of w: String) -> [String] {
        guard w.count >= 3, w.allSatisfy({ $0.isLetter }) else { return [] }
        var out: [String] = []
        let sing = singular(w)
        if let s = sing { out.append(s) }
        out.append(plural(w))
        if let s = sing { out.append(plural(s)) }
        return out.filter { $0 != w }
    }

    public static func plural(_ w: String) -> String {
        if w.hasSuffix("s") || w.hasSuffix("x") || w.hasSuffix("z") || w.hasSuffix("ch") || w.hasSuffix("sh") {
            return w + "es"
        }
        if w.hasSuffix("y"), w.count >= 2, !vowels.contains(w[w.index(w.endIndex, offsetBy: -2)]) {
            return String(w.dropLast()) + "ies"
        }
        return w + "s"
    }

    public static func singular(_ w: String) -> String? {
        if w.hasSuffix("ies") && w.count > 4 { return String(w.dropLast(3)) + "y" }
        for suf in ["sses", "shes", "ches", "xes", "zes"] where w.hasSuffix(suf) { return String(w.dropLast(2)) }
        if w.hasSuffix("s") && !w.hasSuffix("ss") && !w.hasSuffix("us") && !w.hasSuffix("is") && w.count > 3 {
            return String(w.dropLast())
        }
        return nil
    }
}
