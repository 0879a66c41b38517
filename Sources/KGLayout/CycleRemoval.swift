/// Phase 1: choose which edges to reverse so that the graph becomes acyclic.
/// `edges` never contains self-loops (they are drawn separately). Returns one flag per edge: reversed?
public protocol CycleRemover: Sendable {
    func reversedEdges(nodeCount: Int, edges: [(Int, Int)]) -> [Bool]
}

/// Greedy heuristic of Eades, Lin and Smyth (1993): repeatedly peel sinks to the right and sources to
/// the left, otherwise the node with the largest out-degree minus in-degree goes left; edges that point
/// right-to-left in the resulting sequence are reversed. Reverses at most m/2 − n/6 edges. Ties are
/// broken by node index, so the result is deterministic.
public struct GreedyCycleRemover: CycleRemover {
    public init() {}
    public func reversedEdges(nodeCount n: Int, edges: [(Int, Int)]) -> [Bool] {
        var outs = [[Int]](repeating: [], count: n), ins = [[Int]](repeating: [], count: n)
        for (i, e) in edges.enumerated() { outs[e.0].append(i); ins[e.1].append(i) }
        var outDeg = outs.map(\.count), inDeg = ins.map(\.count)
        var removed = [Bool](repeating: false, count: n)
        var left: [Int] = [], right: [Int] = []
        var remaining = n
        // Buckets would make this linear; graphs here are small enough for the direct scan per step.
        var sinks: [Int] = [], sources: [Int] = []
        for v in 0..<n { if outDeg[v] == 0 { sinks.append(v) } else if inDeg[v] == 0 { sources.append(v) } }
        func remove(_ v: Int) {
            removed[v] = true; remaining -= 1
            for e in outs[v] {
                let w = edges[e].1
                if removed[w] { continue }
                inDeg[w] -= 1
                if inDeg[w] == 0 && outDeg[w] > 0 { sources.append(w) }
            }
            for e in ins[v] {
                let u = edges[e].0
                if removed[u] { continue }
                outDeg[u] -= 1
                if outDeg[u] == 0 { sinks.append(u) }
            }
        }
        while remaining > 0 {
            var progressed = true
            while progressed {
                progressed = false
                while let v = sinks.popLast() {
                    if removed[v] { continue }
                    right.append(v); remove(v); progressed = true
                }
                while let v = sources.popLast() {
                    if removed[v] || outDeg[v] == 0 { continue }
                    left.append(v); remove(v); progressed = true
                }
            }
            if remaining == 0 { break }
            var best = -1, bestDelta = Int.min
            for v in 0..<n where !removed[v] {
                let d = outDeg[v] - inDeg[v]
                if d > bestDelta { bestDelta = d; best = v }
            }
            left.append(best); remove(best)
        }
        var order = [Int](repeating: 0, count: n)
        for (i, v) in (left + right.reversed()).enumerated() { order[v] = i }
        return edges.map { order[$0.0] > order[$0.1] }
    }
}

/// Depth-first search: edges that close a cycle (point back to a node on the DFS stack) are reversed.
/// With a seed, the roots and the out-edges are visited in a seeded random order (another acyclic
/// orientation of the same graph, for best-of-several strategies).
public struct DFSCycleRemover: CycleRemover {
    public var seed: UInt64?
    public init(seed: UInt64? = nil) { self.seed = seed }
    public func reversedEdges(nodeCount n: Int, edges: [(Int, Int)]) -> [Bool] {
        var outs = [[Int]](repeating: [], count: n)
        for (i, e) in edges.enumerated() { outs[e.0].append(i) }
        var roots = Array(0..<n)
        if let s = seed {
            var rng = SplitMix64(seed: s)
            roots.shuffle(using: &rng)
            for v in 0..<n { outs[v].shuffle(using: &rng) }
        }
        var state = [UInt8](repeating: 0, count: n)  // 0 new, 1 on stack, 2 done
        var reversed = [Bool](repeating: false, count: edges.count)
        for root in roots where state[root] == 0 {
            var stack: [(Int, Int)] = [(root, 0)]
            state[root] = 1
            while let (v, k) = stack.last {
                if k < outs[v].count {
                    stack[stack.count - 1].1 += 1
                    let e = outs[v][k], w = edges[e].1
                    if state[w] == 1 { reversed[e] = true } else if state[w] == 0 { state[w] = 1; stack.append((w, 0)) }
                } else {
                    state[v] = 2; stack.removeLast()
                }
            }
        }
        return reversed
    }
}
