/// An edge of the acyclic graph given to the layering phase: `target` must be at least `minLength`
/// layers below `source`; `weight` says how much a long edge costs.
public struct RankEdge: Equatable, Sendable {
    public var source: Int, target: Int, minLength: Int, weight: Int
    public init(source: Int, target: Int, minLength: Int = 1, weight: Int = 1) {
        self.source = source; self.target = target; self.minLength = minLength; self.weight = weight
    }
}

/// Phase 2: assign each node a layer (rank ≥ 0) with rank(target) − rank(source) ≥ minLength.
public protocol Layerer: Sendable {
    func ranks(nodeCount: Int, edges: [RankEdge]) -> [Int]
}

/// Longest path from the sources: fast, but tall and with long edges. Also the start of network simplex.
public struct LongestPathLayerer: Layerer {
    public init() {}
    public func ranks(nodeCount n: Int, edges: [RankEdge]) -> [Int] {
        var outs = [[Int]](repeating: [], count: n), indeg = [Int](repeating: 0, count: n)
        for (i, e) in edges.enumerated() { outs[e.source].append(i); indeg[e.target] += 1 }
        var rank = [Int](repeating: 0, count: n)
        var queue = (0..<n).filter { indeg[$0] == 0 }
        var head = 0
        while head < queue.count {
            let v = queue[head]; head += 1
            for e in outs[v] {
                let w = edges[e].target
                rank[w] = max(rank[w], rank[v] + edges[e].minLength)
                indeg[w] -= 1
                if indeg[w] == 0 { queue.append(w) }
            }
        }
        return rank
    }
}

/// Network simplex (Gansner, Koutsofios, North, Vo 1993): minimises Σ weight·length over all edges,
/// i.e. keeps edges short, which keeps drawings compact and dummy nodes few. Works per connected
/// component; multi-edges are merged (weights added, largest minimum length kept).
public struct NetworkSimplexLayerer: Layerer {
    /// Bound on pivots, as a safety net against degenerate cycling.
    public var maxIterations: Int
    public init(maxIterations: Int = 5000) { self.maxIterations = maxIterations }

    public func ranks(nodeCount n: Int, edges input: [RankEdge]) -> [Int] {
        if n == 0 { return [] }
        // Merge multi-edges.
        var merged: [Int: Int] = [:]
        var edges: [RankEdge] = []
        for e in input where e.source != e.target {
            let key = e.source * n + e.target
            if let i = merged[key] {
                edges[i].weight += e.weight; edges[i].minLength = max(edges[i].minLength, e.minLength)
            } else { merged[key] = edges.count; edges.append(e) }
        }
        var rank = LongestPathLayerer().ranks(nodeCount: n, edges: edges)
        // Components are solved one by one.
        var incident = [[Int]](repeating: [], count: n)
        for (i, e) in edges.enumerated() { incident[e.source].append(i); incident[e.target].append(i) }
        var comp = [Int](repeating: -1, count: n)
        var comps: [[Int]] = []
        for s in 0..<n where comp[s] < 0 {
            var members = [s]; comp[s] = comps.count
            var k = 0
            while k < members.count {
                let v = members[k]; k += 1
                for e in incident[v] {
                    let w = edges[e].source == v ? edges[e].target : edges[e].source
                    if comp[w] < 0 { comp[w] = comps.count; members.append(w) }
                }
            }
            comps.append(members.sorted())
        }
        for members in comps where members.count > 1 {
            var solver = Simplex(n: n, edges: edges, incident: incident, members: members, rank: rank,
                                 maxIterations: maxIterations)
            solver.run()
            rank = solver.rank
        }
        // Normalise each component so that its smallest rank is 0.
        for members in comps {
            let lo = members.map { rank[$0] }.min() ?? 0
            for v in members { rank[v] -= lo }
        }
        return rank
    }

    struct Simplex {
        let edges: [RankEdge]
        let incident: [[Int]]
        let members: [Int]
        var rank: [Int]
        let maxIterations: Int
        var inTree: [Bool]           // per edge
        var treeAdj: [[Int]]         // per node: tree edges
        var cut: [Int]               // per edge
        var parentEdge: [Int]        // per node, -1 for the root
        var low: [Int], lim: [Int]
        var postorder: [Int] = []

        init(n: Int, edges: [RankEdge], incident: [[Int]], members: [Int], rank: [Int], maxIterations: Int) {
            self.edges = edges; self.incident = incident; self.members = members; self.rank = rank
            self.maxIterations = maxIterations
            inTree = [Bool](repeating: false, count: edges.count)
            treeAdj = [[Int]](repeating: [], count: n)
            cut = [Int](repeating: 0, count: edges.count)
            parentEdge = [Int](repeating: -1, count: n)
            low = [Int](repeating: 0, count: n); lim = [Int](repeating: 0, count: n)
        }

        func slack(_ e: Int) -> Int { rank[edges[e].target] - rank[edges[e].source] - edges[e].minLength }
        func other(_ e: Int, _ v: Int) -> Int { edges[e].source == v ? edges[e].target : edges[e].source }

        mutating func feasibleTree() {
            let n = rank.count
            var inT = [Bool](repeating: false, count: n)
            var treeNodes = [members[0]]
            inT[members[0]] = true
            while true {
                // Grow the tight tree as far as it goes.
                var k = 0
                while k < treeNodes.count {
                    let v = treeNodes[k]; k += 1
                    for e in incident[v] {
                        let w = other(e, v)
                        if !inT[w] && slack(e) == 0 {
                            inT[w] = true; treeNodes.append(w)
                            inTree[e] = true; treeAdj[v].append(e); treeAdj[w].append(e)
                        }
                    }
                }
                if treeNodes.count == members.count { return }
                // Find the incident non-tree edge of smallest slack and shift the tree to make it tight.
                var best = -1, bestSlack = Int.max
                for v in treeNodes {
                    for e in incident[v] where !inT[other(e, v)] {
                        let s = slack(e)
                        if s < bestSlack || (s == bestSlack && e < best) { bestSlack = s; best = e }
                    }
                }
                let delta = inT[edges[best].source] ? bestSlack : -bestSlack
                for v in treeNodes { rank[v] += delta }
            }
        }

        /// Postorder numbering (lim), subtree minimum (low) and parent edges from the root members[0].
        mutating func computeLowLim() {
            let root = members[0]
            parentEdge[root] = -1
            postorder.removeAll(keepingCapacity: true)
            var next = 1
            var stack: [(Int, Int, Int)] = [(root, 0, next)]  // node, child cursor, low
            var visitedFrom = [Int: Int]()
            _ = visitedFrom
            while !stack.isEmpty {
                let (v, k, lo) = stack[stack.count - 1]
                if k < treeAdj[v].count {
                    stack[stack.count - 1].1 += 1
                    let e = treeAdj[v][k]
                    if e == parentEdge[v] { continue }
                    let w = other(e, v)
                    parentEdge[w] = e
                    stack.append((w, 0, next))
                } else {
                    low[v] = lo; lim[v] = next; next += 1
                    postorder.append(v)
                    stack.removeLast()
                }
            }
            visitedFrom.removeAll()
        }

        /// Cut values of all tree edges, children before parents.
        mutating func computeCutValues() {
            for v in postorder {
                let pe = parentEdge[v]
                if pe < 0 { continue }
                let parent = other(pe, v)
                let childIsTail = edges[pe].source == v
                var value = edges[pe].weight
                for e in incident[v] where e != pe {
                    let isOut = edges[e].source == v
                    let w = other(e, v)
                    let pointsToHead = isOut == childIsTail
                    value += pointsToHead ? edges[e].weight : -edges[e].weight
                    if inTree[e] && w != parent {
                        value += pointsToHead ? -cut[e] : cut[e]
                    }
                }
                cut[pe] = value
            }
        }

        func isDescendant(_ v: Int, of root: Int) -> Bool { low[root] <= lim[v] && lim[v] <= lim[root] }

        mutating func run() {
            feasibleTree()
            computeLowLim()
            computeCutValues()
            var iterations = 0
            while iterations < maxIterations {
                // Leaving edge: a tree edge with negative cut value (first by index: deterministic).
                var leave = -1
                for m in members {
                    let e = parentEdge[m]
                    if e >= 0 && cut[e] < 0 && (leave < 0 || e < leave) { leave = e }
                }
                if leave < 0 { break }
                iterations += 1
                var v = edges[leave].source, w = edges[leave].target
                var flip = false
                if lim[v] > lim[w] { swap(&v, &w); flip = true }
                // `v` is the root of the subtree cut off by removing `leave`.
                let tailRoot = v
                var enter = -1, enterSlack = Int.max
                for m in members {
                    for e in incident[m] where edges[e].source == m && !inTree[e] {
                        let sIn = isDescendant(edges[e].source, of: tailRoot)
                        let tIn = isDescendant(edges[e].target, of: tailRoot)
                        if flip == sIn && flip != tIn {
                            let s = slack(e)
                            if s < enterSlack || (s == enterSlack && e < enter) { enterSlack = s; enter = e }
                        }
                    }
                }
                if enter < 0 { break }
                // Exchange: drop `leave`, add `enter`.
                inTree[leave] = false
                treeAdj[edges[leave].source].removeAll { $0 == leave }
                treeAdj[edges[leave].target].removeAll { $0 == leave }
                inTree[enter] = true
                treeAdj[edges[enter].source].append(enter); treeAdj[edges[enter].target].append(enter)
                computeLowLim()
                // Re-rank from the root along tree edges (all tight).
                for v in postorder.reversed() {
                    let pe = parentEdge[v]
                    if pe < 0 { continue }
                    let p = other(pe, v)
                    rank[v] = edges[pe].source == p ? rank[p] + edges[pe].minLength : rank[p] - edges[pe].minLength
                }
                computeCutValues()
            }
        }
    }
}
