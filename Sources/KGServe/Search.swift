import Foundation
import KGCore
import KGFormat

/// Completion over every name, alias and id of the graph, typo-tolerant: exact hits through the
/// graph's name index (the one `kg show` uses) first, then names that start with the query, names
/// with a word that starts with it, names that contain it, and last names whose beginning is one or
/// two edits away from it (a typo).
final class SearchIndex: @unchecked Sendable {
    struct Entry {
        var node: NodeID
        /// The text as written (name, alias or id) and its normal form (`NameKey`).
        var text: String
        var key: String
        var via: String
        /// Word starts in `key` (byte offsets).
        var wordStarts: [Int]
    }
    let entries: [Entry]

    init(_ g: Graph) {
        var out: [Entry] = []
        for n in g.nodes {
            var seen: Set<String> = []
            func add(_ text: String, _ via: String) {
                let k = NameKey.normalize(text)
                guard !k.isEmpty, seen.insert(k).inserted else { return }
                var starts: [Int] = [0]
                for (i, b) in k.utf8.enumerated() where b == 0x20 { starts.append(i + 1) }
                out.append(Entry(node: n, text: text, key: k, via: via, wordStarts: starts))
            }
            add(g.displayName(of: n), "name")
            for a in g.aliases(of: n) { add(a, "alias") }
            add(g.key(of: n), "id")
        }
        entries = out
    }

    struct Hit {
        var node: NodeID
        var text: String
        var via: String
        var rank: Int
    }

    func search(_ query: String, in g: Graph, limit: Int = 10) -> [Hit] {
        let q = NameKey.normalize(query)
        guard !q.isEmpty else { return [] }
        var best: [NodeID: Hit] = [:]
        func offer(_ h: Hit) {
            if let old = best[h.node], (old.rank, old.via == "name" ? 0 : 1) <= (h.rank, h.via == "name" ? 0 : 1) { return }
            best[h.node] = h
        }
        // Exact hits through the graph's name index (the one `kg show` resolves names with).
        for n in g.resolve(name: query) {
            if NameKey.normalize(g.displayName(of: n)) == q { offer(Hit(node: n, text: g.displayName(of: n), via: "name", rank: 0)) }
            else if let a = g.aliases(of: n).first(where: { NameKey.normalize($0) == q }) { offer(Hit(node: n, text: a, via: "alias", rank: 0)) }
            else { offer(Hit(node: n, text: g.key(of: n), via: "id", rank: 0)) }
        }
        let qb = Array(q.utf8)
        let typos = qb.count >= 8 ? 2 : (qb.count >= 4 ? 1 : 0)
        for e in entries {
            let kb = Array(e.key.utf8)
            var rank: Int? = nil
            if kb == qb { rank = 0 }
            else if kb.starts(with: qb) { rank = 1 }
            else if e.wordStarts.dropFirst().contains(where: { kb[$0...].starts(with: qb) }) { rank = 2 }
            else if e.key.contains(q) { rank = 3 }
            else if typos > 0 {
                // The query against the entry's beginning of about the same length, and against each word.
                var d = Int.max
                for start in e.wordStarts {
                    let rest = Array(kb[start...])
                    let lo = max(1, qb.count - typos), hi = min(rest.count, qb.count + typos)
                    guard lo <= hi else { continue }
                    for len in lo...hi { d = min(d, Self.distance(qb, Array(rest[0..<len]), limit: typos)) }
                }
                if d <= typos { rank = 4 + d }
            }
            if let r = rank { offer(Hit(node: e.node, text: e.text, via: e.via, rank: r)) }
        }
        return best.values.sorted { a, b in
            if a.rank != b.rank { return a.rank < b.rank }
            let an = g.displayName(of: a.node), bn = g.displayName(of: b.node)
            if an.count != bn.count { return an.count < bn.count }
            if an != bn { return an < bn }
            return a.node < b.node
        }.prefix(limit).map { $0 }
    }

    /// Optimal-string-alignment distance, stopping early once it exceeds `limit`.
    static func distance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { v = min(v, prev2[j - 2] + 1) }
                cur[j] = v
                rowMin = min(rowMin, v)
            }
            if rowMin > limit { return limit + 1 }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}
