/// Phase 3: order the nodes within each layer so that few edges cross.
public protocol CrossingMinimizer: Sendable {
    /// Reorders `graph.layers` in place.
    func minimiseCrossings(_ graph: inout LayeredGraph)
}

/// Layer-by-layer sweeps (Gansner et al. 1993, "dot"): alternately down and up, each layer sorted by the
/// weighted median (or barycenter) of its neighbours in the fixed layer, then adjacent swaps
/// (transposition) while they remove crossings. As in dot, every other pair of iterations sorts nodes with
/// equal medians right to left and lets transposition also make swaps that leave the count equal, so the
/// search crosses plateaus instead of stopping on them (`plateau`). Several restarts from seeded random
/// initial orders; the order with the fewest crossings (counted exactly after every iteration) wins
/// (ties: the earliest run), so results are reproducible; sifting passes then polish it.
public struct LayerSweepMinimizer: CrossingMinimizer {
    public enum Heuristic: Sendable { case median, barycenter }
    public var heuristic: Heuristic
    public var restarts: Int
    public var seed: UInt64
    public var maxIterations: Int
    /// Stop a run after this many iterations without improvement.
    public var patience: Int
    /// After each sweep, move every node to its best position within its layer (sifting, Matuszewski,
    /// Schönfeld, Molitor 1999), which escapes the local optima of adjacent swaps.
    public var sifting: Bool
    /// Sifting passes on the final (best) order, kept only while they remove crossings.
    public var polish: Bool
    /// dot's plateau moves: on every second iteration nodes with equal medians are sorted right to left
    /// and transposition also swaps pairs whose swap leaves the crossings equal.
    public var plateau: Bool

    public init(heuristic: Heuristic = .median, restarts: Int = 6, seed: UInt64 = 1,
                maxIterations: Int = 24, patience: Int = 6, sifting: Bool = false, polish: Bool = true,
                plateau: Bool = true) {
        self.heuristic = heuristic; self.restarts = restarts; self.seed = seed; self.sifting = sifting; self.polish = polish
        self.maxIterations = maxIterations; self.patience = patience; self.plateau = plateau
    }

    public func minimiseCrossings(_ g: inout LayeredGraph) {
        if g.layers.count < 2 { return }
        var best = g.layers
        var bestCrossings = Int.max
        var rng = SplitMix64(seed: seed)
        for run in 0..<max(1, restarts) {
            g.layers = initialOrder(g, run: run, rng: &rng)
            var pos = g.positions()
            var runBest = g.crossings()
            if runBest < bestCrossings { bestCrossings = runBest; best = g.layers }
            if bestCrossings == 0 { break }
            var stale = 0
            let useMedian = heuristic == .median ? (run % 3 != 2) : (run % 3 == 2)
            for it in 0..<maxIterations {
                let reverse = plateau && it % 4 >= 2
                sweep(&g, pos: &pos, downward: it % 2 == 0, median: useMedian, reverse: reverse)
                transpose(&g, pos: &pos, reverse: plateau && !reverse)
                if sifting { sift(&g, pos: &pos, downward: it % 2 == 0) }
                let c = g.crossings()
                if c < runBest { runBest = c; stale = 0 } else { stale += 1 }
                if c < bestCrossings { bestCrossings = c; best = g.layers }
                if bestCrossings == 0 || stale >= patience { break }
            }
        }
        g.layers = best
        // Final polish: sifting passes on the best order; each pass can only remove crossings.
        if polish && bestCrossings > 0 {
            var pos = g.positions()
            for round in 0..<6 {
                let before = g.layers
                sift(&g, pos: &pos, downward: round % 2 == 0)
                pos = g.positions()
                let c = g.crossings()
                if c >= bestCrossings { g.layers = before; if round % 2 == 1 { break } else { pos = g.positions(); continue } }
                bestCrossings = c
            }
        }
    }

    /// Run 0: breadth-first from the nodes of the top layers in input order (keeps related nodes close).
    /// Later runs: the same search from a shuffled start order with shuffled neighbour lists.
    func initialOrder(_ g: LayeredGraph, run: Int, rng: inout SplitMix64) -> [[Int]] {
        var layers = [[Int]](repeating: [], count: g.layers.count)
        var seen = [Bool](repeating: false, count: g.count)
        var starts = Array(0..<g.count).sorted { (g.layer[$0], $0) < (g.layer[$1], $1) }
        if run > 0 { starts.shuffle(using: &rng) }
        var queue: [Int] = []
        for s in starts where !seen[s] {
            seen[s] = true; queue = [s]
            var k = 0
            while k < queue.count {
                let v = queue[k]; k += 1
                layers[g.layer[v]].append(v)
                var next = g.down[v] + g.up[v]
                if run > 0 { next.shuffle(using: &rng) }
                for w in next where !seen[w] { seen[w] = true; queue.append(w) }
            }
        }
        return layers
    }

    func sweep(_ g: inout LayeredGraph, pos: inout [Int], downward: Bool, median: Bool, reverse: Bool = false) {
        let range: [Int] = downward ? Array(1..<g.layers.count) : Array((0..<(g.layers.count - 1)).reversed())
        var value = [Double](repeating: -1, count: 0)
        for li in range {
            let layer = g.layers[li]
            value = layer.map { v in
                let nb = downward ? g.up[v] : g.down[v]
                if nb.isEmpty { return -1 }
                var p = nb.map { Double(pos[$0]) }
                if !median { return p.reduce(0, +) / Double(p.count) }
                p.sort()
                let m = p.count / 2
                if p.count % 2 == 1 { return p[m] }
                if p.count == 2 { return (p[0] + p[1]) / 2 }
                let left = p[m - 1] - p[0], right = p[p.count - 1] - p[m]
                if left + right == 0 { return (p[m - 1] + p[m]) / 2 }
                return (p[m - 1] * right + p[m] * left) / (left + right)
            }
            // Nodes without neighbours keep their slots; the others are sorted into the remaining slots.
            var movable = [(Double, Int, Int)]()  // value, old index, node
            for (i, v) in layer.enumerated() where value[i] >= 0 { movable.append((value[i], i, v)) }
            if reverse { movable.sort { ($0.0, -$0.1) < ($1.0, -$1.1) } } else { movable.sort { ($0.0, $0.1) < ($1.0, $1.1) } }
            var out = layer
            var k = 0
            for i in 0..<layer.count where value[i] >= 0 { out[i] = movable[k].2; k += 1 }
            g.layers[li] = out
            for (i, v) in out.enumerated() { pos[v] = i }
        }
    }

    /// Crossings among the edges of `v` and `w` (v left of w) towards both neighbouring layers.
    @inline(__always)
    func pairCrossings(_ g: LayeredGraph, _ pos: [Int], _ v: Int, _ w: Int) -> (keep: Int, swapped: Int) {
        var keep = 0, swapped = 0
        for a in g.up[v] { for b in g.up[w] { let pa = pos[a], pb = pos[b]; if pa > pb { keep += 1 } else if pa < pb { swapped += 1 } } }
        for a in g.down[v] { for b in g.down[w] { let pa = pos[a], pb = pos[b]; if pa > pb { keep += 1 } else if pa < pb { swapped += 1 } } }
        return (keep, swapped)
    }

    /// Adjacent swaps while they remove crossings; with `reverse` (dot) also swaps that leave a crossing
    /// pair's count equal, which moves across plateaus (only strict gains keep the passes going).
    func transpose(_ g: inout LayeredGraph, pos: inout [Int], reverse: Bool = false) {
        var improved = true
        var passes = 0
        while improved && passes < 12 {
            improved = false; passes += 1
            for li in 0..<g.layers.count {
                var layer = g.layers[li]
                if layer.count < 2 { continue }
                for i in 0..<(layer.count - 1) {
                    let v = layer[i], w = layer[i + 1]
                    let c = pairCrossings(g, pos, v, w)
                    if c.swapped < c.keep || (reverse && c.keep > 0 && c.swapped == c.keep) {
                        layer[i] = w; layer[i + 1] = v
                        pos[w] = i; pos[v] = i + 1
                        if c.swapped < c.keep { improved = true }
                    }
                }
                g.layers[li] = layer
            }
        }
    }

    /// One sifting pass over all layers: each node (in order of decreasing degree) is taken out of its
    /// layer and put back where it crosses the fewest edges to both neighbouring layers.
    func sift(_ g: inout LayeredGraph, pos: inout [Int], downward: Bool) {
        let order: [Int] = downward ? Array(0..<g.layers.count) : Array((0..<g.layers.count).reversed())
        for li in order {
            var layer = g.layers[li]
            if layer.count < 2 { continue }
            let byDegree = layer.sorted { (-(g.up[$0].count + g.down[$0].count), $0) < (-(g.up[$1].count + g.down[$1].count), $1) }
            for v in byDegree {
                if g.up[v].count + g.down[v].count == 0 { continue }
                guard let current = layer.firstIndex(of: v) else { continue }
                layer.remove(at: current)
                // Cost of v at slot j relative to slot 0; prefer the current slot on ties.
                var cum = 0, best = 0, bestSlot = 0
                var currentCost = 0
                for (j, w) in layer.enumerated() {
                    let c = pairCrossings(g, pos, v, w)
                    cum += c.swapped - c.keep
                    if j + 1 == current { currentCost = cum }
                    if cum < best { best = cum; bestSlot = j + 1 }
                }
                let slot = (current == 0 ? 0 : currentCost) <= best ? current : bestSlot
                layer.insert(v, at: slot)
                for (i, u) in layer.enumerated() { pos[u] = i }
            }
            g.layers[li] = layer
        }
    }
}
