/// Phase 4: x coordinates (across the layers) for the ordered layered graph. y comes from the layers.
public protocol CoordinateAssigner: Sendable {
    /// `separation(u, v)`: minimum distance between the borders of neighbours u (left) and v in a layer.
    func coordinates(_ g: LayeredGraph, separation: (Int, Int) -> Double) -> [Double]
}

/// Brandes and Köpf (2001), "Fast and Simple Horizontal Coordinate Assignment": four vertical
/// alignments (up/down × left/right) that align each node with a median neighbour, avoiding type-1
/// conflicts so that inner segments of long edges stay straight, each compacted horizontally; the
/// four results are aligned to the narrowest and each node takes the mean of its two median
/// candidates. Compaction here is longest-path on the block graph followed by a pull towards the
/// opposite side (as in dagre), which keeps the separation constraints exactly.
public struct BrandesKoepfAssigner: CoordinateAssigner {
    /// nil: balance the four alignments (mean of the two medians); 0–3: use that alignment alone
    /// (up-left, up-right, down-left, down-right).
    public var only: Int?
    public init(only: Int? = nil) { self.only = only }

    public func coordinates(_ g: LayeredGraph, separation: (Int, Int) -> Double) -> [Double] {
        let n = g.count
        if n == 0 { return [] }
        let pos = g.positions()
        let conflicts = type1Conflicts(g, pos: pos)
        var results: [[Double]] = []
        for vertical in [true, false] {          // true: align with upper neighbours, sweeping downwards
            for leftToRight in [true, false] {
                var layers = vertical ? g.layers : g.layers.reversed()
                if !leftToRight { layers = layers.map { $0.reversed() } }
                var p = [Int](repeating: 0, count: n)
                for l in layers { for (i, v) in l.enumerated() { p[v] = i } }
                let neighbours = vertical ? g.up : g.down
                let (root, align) = verticalAlignment(layers: layers, pos: p, neighbours: neighbours,
                                                      conflicts: conflicts, n: n)
                _ = align
                let sep: (Int, Int) -> Double = leftToRight ? { separation($0, $1) } : { separation($1, $0) }
                var xs = compaction(layers: layers, root: root, g: g, n: n, separation: sep)
                if !leftToRight { xs = xs.map { -$0 } }
                results.append(xs)
            }
        }
        // Align to the narrowest layout.
        func extent(_ xs: [Double]) -> (Double, Double) {
            var lo = Double.infinity, hi = -Double.infinity
            for v in 0..<n { lo = min(lo, xs[v] - g.width[v] / 2); hi = max(hi, xs[v] + g.width[v] / 2) }
            return (lo, hi)
        }
        let ext = results.map(extent)
        var smallest = 0
        for i in 1..<4 where ext[i].1 - ext[i].0 < ext[smallest].1 - ext[smallest].0 { smallest = i }
        for i in 0..<4 {
            let left = i % 2 == 0
            let shift = left ? ext[smallest].0 - ext[i].0 : ext[smallest].1 - ext[i].1
            if shift != 0 { results[i] = results[i].map { $0 + shift } }
        }
        if let k = only, (0..<4).contains(k) { return results[k] }
        var x = [Double](repeating: 0, count: n)
        for v in 0..<n {
            var c = [results[0][v], results[1][v], results[2][v], results[3][v]]
            c.sort()
            x[v] = (c[1] + c[2]) / 2
        }
        return x
    }

    /// Marks segments that cross an inner segment (an edge between two dummies); alignment avoids them.
    func type1Conflicts(_ g: LayeredGraph, pos: [Int]) -> Set<Int> {
        var marked = Set<Int>()
        let n = g.count
        guard g.layers.count > 2 else { return marked }
        for li in 1..<g.layers.count {
            let prevCount = g.layers[li - 1].count
            let layer = g.layers[li]
            var k0 = 0, scan = 0
            for (l1, v) in layer.enumerated() {
                var inner: Int? = nil
                if g.isDummy(v) { inner = g.up[v].first(where: { g.isDummy($0) }) }
                let k1 = inner.map { pos[$0] } ?? prevCount
                if inner != nil || l1 == layer.count - 1 {
                    for s in layer[scan...l1] {
                        for u in g.up[s] {
                            let p = pos[u]
                            if (p < k0 || p > k1) && !(g.isDummy(u) && g.isDummy(s)) {
                                marked.insert(min(u, s) * n + max(u, s))
                            }
                        }
                    }
                    scan = l1 + 1; k0 = k1
                }
            }
        }
        return marked
    }

    func verticalAlignment(layers: [[Int]], pos: [Int], neighbours: [[Int]], conflicts: Set<Int>, n: Int)
        -> ([Int], [Int])
    {
        var root = Array(0..<n), align = Array(0..<n)
        for layer in layers {
            var r = -1
            for v in layer {
                let ws = neighbours[v].sorted { pos[$0] < pos[$1] }
                if ws.isEmpty { continue }
                let d = ws.count
                let lo = (d - 1) / 2, hi = d / 2
                for m in Set([lo, hi]).sorted() {
                    if align[v] != v { break }
                    let w = ws[m]
                    if r < pos[w] && !conflicts.contains(min(v, w) * n + max(v, w)) {
                        align[w] = v; root[v] = root[w]; align[v] = root[v]; r = pos[w]
                    }
                }
            }
        }
        return (root, align)
    }

    func compaction(layers: [[Int]], root: [Int], g: LayeredGraph, n: Int, separation: (Int, Int) -> Double)
        -> [Double]
    {
        // Block graph: an edge root(u) → root(v) for each pair of neighbours u, v in a layer.
        var outs = [[(Int, Double)]](repeating: [], count: n)
        var ins = [[(Int, Double)]](repeating: [], count: n)
        for layer in layers where layer.count > 1 {
            for i in 1..<layer.count {
                let u = layer[i - 1], v = layer[i]
                let d = (g.width[u] + g.width[v]) / 2 + separation(u, v)
                outs[root[u]].append((root[v], d)); ins[root[v]].append((root[u], d))
            }
        }
        var indeg = [Int](repeating: 0, count: n)
        for v in 0..<n { indeg[v] = ins[v].count }
        var order: [Int] = []
        for v in 0..<n where root[v] == v && indeg[v] == 0 { order.append(v) }
        var k = 0
        while k < order.count {
            let b = order[k]; k += 1
            for (c, _) in outs[b] { indeg[c] -= 1; if indeg[c] == 0 { order.append(c) } }
        }
        var xs = [Double](repeating: 0, count: n)
        for b in order { for (a, d) in ins[b] { xs[b] = max(xs[b], xs[a] + d) } }
        for b in order.reversed() {
            var m = Double.infinity
            for (c, d) in outs[b] { m = min(m, xs[c] - d) }
            if m.isFinite && m > xs[b] { xs[b] = m }
        }
        var x = [Double](repeating: 0, count: n)
        for v in 0..<n { x[v] = xs[root[v]] }
        return x
    }
}
