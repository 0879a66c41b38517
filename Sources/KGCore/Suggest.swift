/// "Did you mean" suggestions: the candidate with the smallest edit distance, if close enough.
public enum Suggest {
    /// Levenshtein distance over Unicode scalars, case-sensitive.
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// The nearest candidate within max(2, length/3) edits (case-insensitive comparison counts
    /// a pure case difference as distance 0). Ties go to the alphabetically first candidate.
    public static func nearest<S: Sequence>(_ word: String, in candidates: S) -> String? where S.Element == String {
        nearest(word, in: candidates, limit: 1).first
    }

    /// Up to `limit` candidates ordered by distance, then alphabetically.
    public static func nearest<S: Sequence>(_ word: String, in candidates: S, limit: Int) -> [String] where S.Element == String {
        let w = word.lowercased()
        let maxD = Swift.max(2, word.count / 3)
        var scored: [(Int, String)] = []
        for c in candidates where c != word {
            let lc = c.lowercased()
            if abs(lc.count - w.count) > maxD { continue }
            let d = lc == w ? 0 : distance(w, lc)
            if d <= maxD { scored.append((d, c)) }
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return scored.prefix(limit).map(\.1)
    }
}
