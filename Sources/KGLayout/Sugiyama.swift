/// Options of the layered layout; the phase strategies can be swapped.
public struct LayoutOptions: Sendable {
    public var direction: LayoutDirection = .topToBottom
    /// Gap between neighbouring node boxes in a layer.
    public var nodeSeparation: Double = 28
    /// Gap between neighbouring edges (dummy nodes) in a layer.
    public var edgeSeparation: Double = 10
    /// Gap between two layers of nodes (halved around a layer of edge labels).
    public var rankSeparation: Double = 56
    public var componentSeparation: Double = 40
    /// Distance between neighbouring edge ends on a node's side.
    public var portSeparation: Double = 14
    /// Size step of nested self-loops.
    public var selfLoopSize: Double = 22
    public var cycleRemover: any CycleRemover = GreedyCycleRemover()
    /// Further cycle-removal strategies tried in turn; the one whose ordering crosses least is kept.
    /// Default: plain DFS and 22 seeded DFS orders, screened (see `orientationFinalists`); the choice of
    /// orientation is the largest single effect on the crossings of the benchmark graphs.
    public var alternativeCycleRemovers: [any CycleRemover] = [DFSCycleRemover()] + (1...22).map { DFSCycleRemover(seed: $0) }
    /// With more orientations than this, each is first ordered by `screeningMinimizer` (a short run)
    /// and only this many with the fewest crossings get the full `crossingMinimizer`; 0 runs the full
    /// ordering on every orientation.
    public var orientationFinalists: Int = 4
    public var screeningMinimizer: any CrossingMinimizer = LayerSweepMinimizer(restarts: 1, maxIterations: 8, patience: 3, polish: false)
    public var layerer: any Layerer = NetworkSimplexLayerer()
    public var crossingMinimizer: any CrossingMinimizer = LayerSweepMinimizer()
    public var coordinateAssigner: any CoordinateAssigner = BrandesKoepfAssigner()
    public var router: any EdgeRouter = SplineRouter()
    public var packer: any ComponentPacker = ShelfPacker()
    /// When set (width / height of the final drawing), layers far wider than a drawing of this shape
    /// get their sinks stacked into further layers (see `stackSinks`).
    public var targetAspect: Double? = nil
    /// Given ranks (one per input node, ≥ 0) instead of cycle removal and layering: edges that point to
    /// a lower rank are drawn reversed. A story uses its argument order here. With labelled edges the
    /// caller leaves a free rank between nodes that an edge joins (e.g. rank = 2 × position).
    public var fixedRanks: [Int]? = nil
    /// Graph wrapping (as ELK Layered's): the sequence of layers is cut into this many chunks placed
    /// side by side across the layer direction, so a long left-to-right chain folds into rows read top
    /// to bottom (top-to-bottom: into columns read left to right). Edges across a cut run through the
    /// channel between the chunks. 1: no wrapping.
    public var wrap: Int = 1
    /// Gap between two wrapped chunks (grows with the number of edges running through it).
    public var wrapSeparation: Double = 36
    /// Distance between neighbouring edges in a wrap channel.
    public var trackSeparation: Double = 10
    /// Stretch a one-component drawing to this size (final coordinates): node centres spread across the
    /// layers and the gaps between layers grow, node boxes and text keep their size. Never shrinks.
    public var fitWidth: Double? = nil
    public var fitHeight: Double? = nil
    public init() {}
}

/// The layered layout: runs the phases on each connected component and packs the components.
public struct LayeredLayout: Sendable {
    public var options: LayoutOptions
    public init(options: LayoutOptions = LayoutOptions()) { self.options = options }

    public func layout(_ graph: LayoutGraph) -> LayoutResult {
        let n = graph.nodes.count
        var nodes = graph.nodes.map { Rect(x: 0, y: 0, width: max(0, $0.width), height: max(0, $0.height)) }
        var routes = graph.edges.map { _ in EdgeRoute(points: [], label: nil, isSelfLoop: false) }
        if n == 0 { return LayoutResult(nodes: [], edges: [], width: 0, height: 0, layerCrossings: 0) }
        // Edges with an endpoint out of range are ignored (drawn as nothing) rather than trapping.
        let valid = graph.edges.indices.filter { i in
            let e = graph.edges[i]
            return e.source >= 0 && e.source < n && e.target >= 0 && e.target < n
        }
        // Connected components (undirected), in order of their smallest node.
        var parent = Array(0..<n)
        func find(_ v: Int) -> Int { var v = v; while parent[v] != v { parent[v] = parent[parent[v]]; v = parent[v] }; return v }
        for i in valid { let a = find(graph.edges[i].source), b = find(graph.edges[i].target); if a != b { parent[max(a, b)] = min(a, b) } }
        var compIndex = [Int: Int]()
        var members: [[Int]] = []
        for v in 0..<n {
            let r = find(v)
            if let c = compIndex[r] { members[c].append(v) } else { compIndex[r] = members.count; members.append([v]) }
        }
        var compEdges = [[Int]](repeating: [], count: members.count)
        for i in valid { compEdges[compIndex[find(graph.edges[i].source)]!].append(i) }

        var sizes: [(Double, Double)] = []
        var parts: [Component] = []
        var crossings = 0
        let single = members.count == 1
        for c in members.indices {
            let part = layoutComponent(graph, nodes: members[c], edges: compEdges[c],
                                       fitWidth: single ? options.fitWidth : nil, fitHeight: single ? options.fitHeight : nil)
            crossings += part.crossings
            sizes.append((part.width, part.height)); parts.append(part)
        }
        var offsets = options.packer.offsets(sizes: sizes, separation: options.componentSeparation)
        if !single, let fw = options.fitWidth, let fh = options.fitHeight {
            // Several components on a frame: rows of components spread over it, each component
            // stretched to its row's height.
            let sep = options.componentSeparation
            let rows = Self.justifiedRows(sizes: sizes, width: fw, separation: sep)
            let rowH = (fh - sep * Double(max(0, rows.count - 1))) / Double(max(1, rows.count))
            for row in rows {
                let tallest = row.map { sizes[$0].1 }.max() ?? 0
                for c in row where rowH > tallest {
                    let part = layoutComponent(graph, nodes: members[c], edges: compEdges[c], fitWidth: nil, fitHeight: rowH)
                    sizes[c] = (part.width, part.height); parts[c] = part
                }
            }
            offsets = Self.justify(sizes: sizes, width: fw, height: fh, separation: sep)
        }
        var width = 0.0, height = 0.0
        for (c, part) in parts.enumerated() {
            let o = offsets[c]
            for (v, r) in part.nodes { nodes[v] = Rect(x: r.x + o.x, y: r.y + o.y, width: r.width, height: r.height) }
            for (e, route) in part.edges {
                routes[e] = EdgeRoute(points: route.points.map { Point(x: $0.x + o.x, y: $0.y + o.y) },
                                      label: route.label.map { Rect(x: $0.x + o.x, y: $0.y + o.y, width: $0.width, height: $0.height) },
                                      isSelfLoop: route.isSelfLoop)
            }
            width = max(width, o.x + part.width); height = max(height, o.y + part.height)
        }
        return LayoutResult(nodes: nodes, edges: routes, width: width, height: height, layerCrossings: crossings)
    }

    /// Several components spread over a frame: shelves (rows) of components, the rows spread over the
    /// height and the components of each row over the width (first at the left edge, last at the right).
    static func justifiedRows(sizes: [(Double, Double)], width: Double, separation s: Double) -> [[Int]] {
        // In input order (components come in order of their first node), rows no wider than the frame.
        var rows: [[Int]] = [[]]
        var x = 0.0
        for i in sizes.indices {
            let w = sizes[i].0
            if !rows[rows.count - 1].isEmpty && x + s + w > width { rows.append([]); x = 0 }
            x += (rows[rows.count - 1].isEmpty ? 0 : s) + w
            rows[rows.count - 1].append(i)
        }
        return rows
    }

    static func justify(sizes: [(Double, Double)], width: Double, height: Double, separation s: Double) -> [Point] {
        let rows = justifiedRows(sizes: sizes, width: width, separation: s)
        let rowHeights = rows.map { $0.map { sizes[$0].1 }.max() ?? 0 }
        let totalH = rowHeights.reduce(0, +)
        let gapY = rows.count > 1 ? max(s, (height - totalH) / Double(rows.count - 1)) : 0
        var out = [Point](repeating: Point(x: 0, y: 0), count: sizes.count)
        var y = rows.count == 1 ? max(0, (height - totalH) / 2) : 0
        for (r, row) in rows.enumerated() {
            let used = row.reduce(0.0) { $0 + sizes[$1].0 }
            let gapX = row.count > 1 ? max(s, (width - used) / Double(row.count - 1)) : 0
            var cx = row.count == 1 ? max(0, (width - used) / 2) : 0
            for i in row {
                out[i] = Point(x: cx, y: y + (rowHeights[r] - sizes[i].1) / 2)
                cx += sizes[i].0 + gapX
            }
            y += rowHeights[r] + gapY
        }
        return out
    }

    struct Component {
        var nodes: [(Int, Rect)] = []
        var edges: [(Int, EdgeRoute)] = []
        var width = 0.0, height = 0.0, crossings = 0
    }


    struct Ordered {
        var g: LayeredGraph
        var chains: [[Int]]
        var labelNode: [Int]
        var reversed: [Bool]
        var crossings: Int
    }

    func orderPhases(_ graph: LayoutGraph, reversed: [Bool], pairs: [(Int, Int)], plain: [Int],
                     reserved: [(Double, Double)], anyLabel: Bool, fixed: [Int]? = nil,
                     minimizer: any CrossingMinimizer) -> Ordered {
        let o = options
        let lr = o.direction == .leftToRight
        func swapIf(_ s: (Double, Double)) -> (Double, Double) { lr ? (s.1, s.0) : s }
        let m = reserved.count
        let minLen = anyLabel ? 2 : 1
        let rankEdges = pairs.indices.map { i -> RankEdge in
            let (a, b) = reversed[i] ? (pairs[i].1, pairs[i].0) : pairs[i]
            return RankEdge(source: a, target: b, minLength: minLen, weight: 1)
        }
        var rank: [Int]
        if let f = fixed {
            rank = Self.relaxFixedRanks(f, edges: rankEdges)
        } else {
            rank = o.layerer.ranks(nodeCount: m, edges: rankEdges)
        }
        if fixed == nil, let aspect = o.targetAspect, aspect > 0 {
            rank = Self.stackSinks(rank: rank, edges: rankEdges, sizes: reserved.map(swapIf), aspect: lr ? 1 / aspect : aspect,
                                   options: o, minLength: minLen)
        }
        var g = LayeredGraph()
        for i in 0..<m {
            let s = swapIf(reserved[i])
            g.addNode(.real(i), width: s.0, height: s.1, layer: rank[i])
        }
        var chains: [[Int]] = []
        var labelNode = [Int](repeating: -1, count: plain.count)
        for (k, re) in rankEdges.enumerated() {
            let ed = graph.edges[plain[k]]
            var chain = [re.source]
            let top = rank[re.source], bottom = rank[re.target]
            let mid = top + (bottom - top) / 2
            var prev = re.source
            if bottom > top + 1 {
                for l in (top + 1)..<bottom {
                    let v: Int
                    if ed.hasLabel && l == mid {
                        let s = swapIf((ed.labelWidth, ed.labelHeight))
                        v = g.addNode(.label(edge: k), width: s.0, height: s.1, layer: l)
                        labelNode[k] = v
                    } else {
                        v = g.addNode(.dummy(edge: k), width: o.edgeSeparation, height: 0, layer: l)
                    }
                    g.connect(prev, v); chain.append(v); prev = v
                }
            }
            g.connect(prev, re.target); chain.append(re.target)
            chains.append(chain)
        }
        minimizer.minimiseCrossings(&g)
        return Ordered(g: g, chains: chains, labelNode: labelNode, reversed: reversed, crossings: g.crossings())
    }

    /// Given ranks made valid: every edge at least its minimum length (targets pushed down in the
    /// order of the given ranks), then ranks no node or edge occupies removed.
    static func relaxFixedRanks(_ given: [Int], edges: [RankEdge]) -> [Int] {
        let m = given.count
        var rank = given.map { max(0, $0) }
        var outs = [[RankEdge]](repeating: [], count: m)
        for e in edges { outs[e.source].append(e) }
        let order = (0..<m).sorted { (rank[$0], $0) < (rank[$1], $1) }
        for v in order { for e in outs[v] where rank[e.target] < rank[v] + e.minLength { rank[e.target] = rank[v] + e.minLength } }
        let top = rank.max() ?? 0
        var used = [Bool](repeating: false, count: top + 1)
        for r in rank { used[r] = true }
        for e in edges where rank[e.target] > rank[e.source] + 1 { for r in (rank[e.source] + 1)..<rank[e.target] { used[r] = true } }
        var shift = [Int](repeating: 0, count: top + 1)
        var removed = 0
        for r in 0...top { if !used[r] { removed += 1 }; shift[r] = removed }
        return rank.map { $0 - shift[$0] }
    }

    /// Layer-width balancing: a layer much wider than a drawing of the target aspect ratio would be
    /// (typically a hub's many neighbours) has every second node moved down by one rank step —
    /// sinks first, then nodes with few successors — repeatedly, until it fits. Successors are pushed
    /// along where an edge would become too short, so the layering stays valid; the cost is longer
    /// edges, the gain a drawing that fits a page or a slide.
    static func stackSinks(rank input: [Int], edges: [RankEdge], sizes: [(Double, Double)], aspect: Double,
                           options o: LayoutOptions, minLength: Int) -> [Int] {
        var rank = input
        let m = rank.count
        var outs = [[Int]](repeating: [], count: m)
        for e in edges { outs[e.source].append(e.target) }
        var area = 0.0
        for (w, h) in sizes { area += (w + o.nodeSeparation) * (h + o.rankSeparation) }
        let widest = sizes.map(\.0).max() ?? 0
        let limit = max(widest + o.nodeSeparation, (area * aspect).squareRoot())
        func push(_ v: Int, to r: Int) {
            var stack = [(v, r)]
            while let (u, ru) = stack.popLast() {
                if rank[u] >= ru { continue }
                rank[u] = ru
                for t in outs[u] where rank[t] < ru + minLength { stack.append((t, ru + minLength)) }
            }
        }
        var l = 0
        var moves = 0
        while l <= (rank.max() ?? 0) && moves < 4 * m {
            var guardCount = 0
            while guardCount < 32 {
                guardCount += 1
                let members = (0..<m).filter { rank[$0] == l }
                var width = members.reduce(0.0) { $0 + sizes[$1].0 + o.nodeSeparation }
                if width <= limit || members.count < 2 { break }
                let candidates = members.sorted { (outs[$0].count, $0) < (outs[$1].count, $1) }
                var moved = false
                for (i, v) in candidates.enumerated() where i % 2 == 1 {
                    push(v, to: l + minLength); moved = true; moves += 1
                    width -= sizes[v].0 + o.nodeSeparation
                    if width <= limit { break }
                }
                if !moved { break }
            }
            l += 1
        }
        return rank
    }

    func layoutComponent(_ graph: LayoutGraph, nodes members: [Int], edges edgeIDs: [Int],
                         fitWidth: Double?, fitHeight: Double?) -> Component {
        let o = options
        let lr = o.direction == .leftToRight
        var local = [Int: Int]()
        for (i, v) in members.enumerated() { local[v] = i }
        let m = members.count
        // Self-loops: grouped per node, drawn on the cross side (right in TB, below in LR).
        var loops = [[Int]](repeating: [], count: m)
        var plain: [Int] = []
        for e in edgeIDs {
            let ed = graph.edges[e]
            if ed.source == ed.target { loops[local[ed.source]!].append(e) } else { plain.append(e) }
        }
        // Reserved box per node (final coordinates) and the node's own box inside it.
        var reserved = [(Double, Double)](repeating: (0, 0), count: m)
        for i in 0..<m {
            let nd = graph.nodes[members[i]]
            let w = max(1, nd.width), h = max(1, nd.height)
            if loops[i].isEmpty { reserved[i] = (w, h); continue }
            let k = Double(loops[i].count)
            let labels = loops[i].map { graph.edges[$0] }.filter(\.hasLabel)
            let labelW = labels.map(\.labelWidth).max() ?? 0
            let labelH = labels.reduce(0) { $0 + $1.labelHeight + 2 }
            if lr {
                reserved[i] = (max(w, labelW), h + k * o.selfLoopSize + 4 + labelH)
            } else {
                reserved[i] = (w + k * o.selfLoopSize + 6 + labelW, max(h, labelH))
            }
        }
        func swapIf(_ s: (Double, Double)) -> (Double, Double) { lr ? (s.1, s.0) : s }
        // Phases 1–3 (cycle removal, layering, ordering), once per cycle-removal strategy: the
        // orientation that leaves the fewest crossings wins (ties: the first strategy).
        let pairs = plain.map { (local[graph.edges[$0].source]!, local[graph.edges[$0].target]!) }
        let anyLabel = plain.contains { graph.edges[$0].hasLabel }
        var fixed: [Int]? = nil
        if let f = o.fixedRanks, f.count == graph.nodes.count { fixed = members.map { f[$0] } }
        // The distinct acyclic orientations to try (reversed-edge sets), in strategy order.
        var orientations: [[Bool]] = []
        if let f = fixed {
            orientations = [pairs.map { (f[$0.0], $0.0) > (f[$0.1], $0.1) }]
        } else {
            var seen = Set<[Bool]>()
            for remover in [o.cycleRemover] + o.alternativeCycleRemovers {
                let r = remover.reversedEdges(nodeCount: m, edges: pairs)
                if seen.insert(r).inserted { orientations.append(r) }
            }
        }
        // Screening: a short ordering of every orientation, the full one for the best few.
        var finalists = orientations
        if o.orientationFinalists > 0 && orientations.count > o.orientationFinalists {
            var scored: [(Int, Int)] = []
            for (i, rev) in orientations.enumerated() {
                let c = orderPhases(graph, reversed: rev, pairs: pairs, plain: plain, reserved: reserved, anyLabel: anyLabel,
                                    fixed: fixed, minimizer: o.screeningMinimizer).crossings
                scored.append((c, i))
                if c == 0 { break }
            }
            scored.sort { $0 < $1 }
            finalists = scored.prefix(o.orientationFinalists).map { orientations[$0.1] }
        }
        var best: Ordered? = nil
        for rev in finalists {
            let candidate = orderPhases(graph, reversed: rev, pairs: pairs, plain: plain, reserved: reserved,
                                        anyLabel: anyLabel, fixed: fixed, minimizer: o.crossingMinimizer)
            if best == nil || candidate.crossings < best!.crossings { best = candidate }
            if best!.crossings == 0 { break }
        }
        let ordered = best!
        let g = ordered.g, chains = ordered.chains, labelNode = ordered.labelNode, reversed = ordered.reversed
        let crossings = ordered.crossings
        // Phase 4: coordinates across the layers.
        let nodeSep = o.nodeSeparation, edgeSep = o.edgeSeparation
        let isReal = (0..<g.count).map { !g.isDummy($0) }
        let isLabel = (0..<g.count).map { v -> Bool in if case .label = g.role[v] { return true } else { return false } }
        let x0 = o.coordinateAssigner.coordinates(g) { u, v in
            if isReal[u] && isReal[v] { return nodeSep }
            if isReal[u] || isReal[v] { return nodeSep / 2 }
            if isLabel[u] || isLabel[v] { return edgeSep + 4 }
            return edgeSep
        }
        let layerCount = g.layers.count
        let baseGap = anyLabel ? o.rankSeparation / 2 : o.rankSeparation
        var bandHeight = [Double](repeating: 0, count: layerCount)
        for (l, layer) in g.layers.enumerated() { bandHeight[l] = layer.map { g.height[$0] }.max() ?? 0 }
        // Wrapping: the layers are cut into chunks placed side by side.
        let starts = Self.chunkStarts(g, wrap: o.wrap, bandHeight: bandHeight, gap: baseGap)
        var chunkOf = [Int](repeating: 0, count: layerCount)
        for (c, s) in starts.enumerated() { for l in s..<layerCount { chunkOf[l] = c } }
        let chunkCount = starts.count
        // Hops of a chain across a cut, per cut (indexed by the chunk they leave).
        var hopsPerCut = [Int](repeating: 0, count: max(0, chunkCount - 1))
        for chain in chains {
            for j in 0..<(chain.count - 1) where chunkOf[g.layer[chain[j]]] != chunkOf[g.layer[chain[j + 1]]] {
                hopsPerCut[chunkOf[g.layer[chain[j]]]] += 1
            }
        }
        let pad = o.wrapSeparation / 2
        func channel(_ c: Int) -> Double { o.wrapSeparation + Double(max(0, hopsPerCut[c] - 1)) * o.trackSeparation }
        let maxHops = hopsPerCut.max() ?? 0
        let trackSpace = maxHops > 0 ? pad + Double(maxHops - 1) * o.trackSeparation + o.trackSeparation / 2 : 0
        func chunkExtents(_ sx: Double) -> [(Double, Double)] {
            var ext = [(Double, Double)](repeating: (Double.infinity, -Double.infinity), count: chunkCount)
            for v in 0..<g.count {
                let c = chunkOf[g.layer[v]]
                ext[c].0 = min(ext[c].0, sx * x0[v] - g.width[v] / 2)
                ext[c].1 = max(ext[c].1, sx * x0[v] + g.width[v] / 2)
            }
            return ext.map { $0.0.isFinite ? $0 : (0, 0) }
        }
        func crossExtent(_ sx: Double) -> Double {
            let ext = chunkExtents(sx)
            var total = 0.0
            for c in 0..<chunkCount { total += ext[c].1 - ext[c].0; if c + 1 < chunkCount { total += channel(c) } }
            return total
        }
        // Stretch to the requested size: centres spread across the layers, the gaps between layers grow.
        var sx = 1.0
        let targetCross = lr ? fitHeight : fitWidth
        let targetRank = lr ? fitWidth : fitHeight
        if let t = targetCross, crossExtent(1) < t {
            var lo = 1.0, hi = 2.0
            while crossExtent(hi) < t && hi < 1e4 { lo = hi; hi *= 2 }
            for _ in 0..<40 { let mid = (lo + hi) / 2; if crossExtent(mid) <= t { lo = mid } else { hi = mid } }
            sx = lo
        }
        var gap = baseGap
        if let t = targetRank {
            var g2 = Double.infinity
            for c in 0..<chunkCount {
                let ls = (0..<layerCount).filter { chunkOf[$0] == c }
                if ls.count < 2 { continue }
                let bands = ls.reduce(0.0) { $0 + bandHeight[$1] }
                g2 = min(g2, (t - 2 * trackSpace - bands) / Double(ls.count - 1))
            }
            if g2.isFinite { gap = max(gap, g2) }
        }
        let ext = chunkExtents(sx)
        var chunkX = [Double](repeating: 0, count: chunkCount)
        for c in 1..<max(1, chunkCount) { chunkX[c] = chunkX[c - 1] + (ext[c - 1].1 - ext[c - 1].0) + channel(c - 1) }
        var px = [Double](repeating: 0, count: g.count)
        for v in 0..<g.count { let c = chunkOf[g.layer[v]]; px[v] = sx * x0[v] - ext[c].0 + chunkX[c] }
        var bandTop = [Double](repeating: 0, count: layerCount)
        var chunkBottom = [Double](repeating: trackSpace, count: chunkCount)
        do {
            var y = trackSpace
            for l in 0..<layerCount {
                if l > 0 && chunkOf[l] != chunkOf[l - 1] { y = trackSpace }
                bandTop[l] = y
                chunkBottom[chunkOf[l]] = y + bandHeight[l]
                y += bandHeight[l] + gap
            }
        }
        func bandBottom(_ l: Int) -> Double { bandTop[l] + bandHeight[l] }
        // Node boxes in layout coordinates (own box left-aligned in the reserved box, centred in the band).
        func ownSize(_ i: Int) -> (Double, Double) {
            let nd = graph.nodes[members[i]]
            return swapIf((max(1, nd.width), max(1, nd.height)))
        }
        var layoutBox = [Rect](repeating: Rect(x: 0, y: 0, width: 0, height: 0), count: m)
        for i in 0..<m {
            let (w, h) = ownSize(i)
            let left = px[i] - g.width[i] / 2
            let l = g.layer[i]
            layoutBox[i] = Rect(x: left, y: bandTop[l] + (bandHeight[l] - h) / 2, width: w, height: h)
        }
        // Ports: edges leave a node's bottom and enter its top, spread in the order of the other end.
        var downPort = [Int: Double](), upPort = [Int: Double]()  // chain index → x
        var downHops = [[(Int, Int)]](repeating: [], count: m), upHops = [[(Int, Int)]](repeating: [], count: m)
        for (k, chain) in chains.enumerated() {
            downHops[chain[0]].append((k, chain[1])); upHops[chain[chain.count - 1]].append((k, chain[chain.count - 2]))
        }
        func spread(_ hops: [(Int, Int)], _ box: Rect, into ports: inout [Int: Double]) {
            let sorted = hops.sorted { (px[$0.1], $0.0) < (px[$1.1], $1.0) }
            let k = sorted.count
            if k == 0 { return }
            let step = k > 1 ? min(o.portSeparation, box.width * 0.7 / Double(k - 1)) : 0
            let start = box.center.x - step * Double(k - 1) / 2
            for (j, hop) in sorted.enumerated() { ports[hop.0] = start + step * Double(j) }
        }
        for i in 0..<m {
            spread(downHops[i], layoutBox[i], into: &downPort)
            spread(upHops[i], layoutBox[i], into: &upPort)
        }
        // Tracks of the hops across each cut: the hop leaving further left takes the outer track.
        var track = [Int: (Int, Int)]()  // chain index * 1 (one hop per chain and cut) keyed by k * cutCount + cut → (index, count)
        if chunkCount > 1 {
            for c in 0..<(chunkCount - 1) {
                var hops: [(Double, Int)] = []
                for (k, chain) in chains.enumerated() {
                    for j in 0..<(chain.count - 1) where chunkOf[g.layer[chain[j]]] == c && chunkOf[g.layer[chain[j + 1]]] == c + 1 {
                        hops.append((j == 0 ? downPort[k]! : px[chain[j]], k))
                    }
                }
                hops.sort { ($0.0, $0.1) < ($1.0, $1.1) }
                for (i, h) in hops.enumerated() { track[h.1 * chunkCount + c] = (i, hops.count) }
            }
        }
        // Phase 5: routes.
        var comp = Component()
        comp.crossings = crossings
        func toFinal(_ p: Point) -> Point { lr ? Point(x: p.y, y: p.x) : p }
        func toFinal(_ r: Rect) -> Rect { lr ? Rect(x: r.y, y: r.x, width: r.height, height: r.width) : r }
        let radius = min(6, o.trackSeparation * 0.45)
        for (k, chain) in chains.enumerated() {
            var pieces: [Cubic] = []
            var buf: [Point] = []
            var flags: [Bool] = []
            func add(_ p: Point, crossingGap: Bool) {
                if let last = buf.last {
                    if last == p { return }
                    flags.append(crossingGap)
                }
                buf.append(p)
            }
            func flush() {
                if buf.count >= 2 { pieces += RouteGeometry.pieces(o.router.route(buf, crossesGap: flags)) }
                buf = buf.last.map { [$0] } ?? []
                flags = []
            }
            let s = chain[0], t = chain[chain.count - 1]
            let sxPort = downPort[k]!, txPort = upPort[k]!
            add(Point(x: sxPort, y: layoutBox[s].maxY), crossingGap: false)
            add(Point(x: sxPort, y: bandBottom(g.layer[s])), crossingGap: false)
            for j in 0..<(chain.count - 1) {
                let a = chain[j], b = chain[j + 1]
                let la = g.layer[a], lb = g.layer[b]
                let xb = j + 1 == chain.count - 1 ? txPort : px[b]
                if chunkOf[la] != chunkOf[lb] {
                    flush()
                    let c = chunkOf[la]
                    let (i, count) = track[k * chunkCount + c] ?? (0, 1)
                    let outer = Double(count - 1 - i) * o.trackSeparation
                    let start = buf.last ?? Point(x: px[a], y: bandBottom(la))
                    let below = chunkBottom[c] + pad / 2 + outer
                    let chX = chunkX[c] + (ext[c].1 - ext[c].0) + pad + outer
                    let above = trackSpace - pad / 2 - outer
                    let corners = [start, Point(x: start.x, y: below), Point(x: chX, y: below), Point(x: chX, y: above),
                                   Point(x: xb, y: above), Point(x: xb, y: bandTop[lb])]
                    pieces += Self.roundedOrthogonal(corners, radius: radius)
                    buf = [Point(x: xb, y: bandTop[lb])]; flags = []
                } else {
                    add(Point(x: xb, y: bandTop[lb]), crossingGap: true)
                }
                if j + 1 < chain.count - 1 { add(Point(x: px[b], y: bandBottom(lb)), crossingGap: false) }
            }
            add(Point(x: txPort, y: layoutBox[t].minY), crossingGap: false)
            flush()
            var curve = RouteGeometry.points(pieces).map(toFinal)
            if curve.isEmpty { let p = toFinal(Point(x: sxPort, y: layoutBox[s].maxY)); curve = [p, p, p, p] }
            if reversed[k] { curve.reverse() }
            var label: Rect? = nil
            if labelNode[k] >= 0 {
                let v = labelNode[k], l = g.layer[v]
                let c = Point(x: px[v], y: bandTop[l] + bandHeight[l] / 2)
                label = toFinal(Rect(center: c, width: g.width[v], height: g.height[v]))
            }
            comp.edges.append((plain[k], EdgeRoute(points: curve, label: label, isSelfLoop: false)))
        }
        // Node boxes and self-loops in final coordinates.
        var right = 0.0, bottom = 0.0
        for i in 0..<m {
            let box = toFinal(layoutBox[i])
            comp.nodes.append((members[i], box))
            let reservedBox = toFinal(Rect(x: px[i] - g.width[i] / 2, y: bandTop[g.layer[i]] + (bandHeight[g.layer[i]] - g.height[i]) / 2,
                                           width: g.width[i], height: g.height[i]))
            right = max(right, reservedBox.maxX); bottom = max(bottom, reservedBox.maxY)
            if loops[i].isEmpty { continue }
            let count = Double(loops[i].count)
            var labelCursor = 0.0
            let labels = loops[i].map { graph.edges[$0] }.filter(\.hasLabel)
            let labelsHeight = labels.reduce(0) { $0 + $1.labelHeight + 2 }
            for (j, e) in loops[i].enumerated() {
                let ed = graph.edges[e]
                let s = o.selfLoopSize * Double(j + 1) * 4 / 3
                var pts: [Point]
                var label: Rect? = nil
                if lr {
                    let a = min(box.width / 4, 10 + 3 * Double(j))
                    let cx = box.center.x
                    pts = [Point(x: cx - a, y: box.maxY), Point(x: box.minX + 1, y: box.maxY + s),
                           Point(x: box.maxX - 1, y: box.maxY + s), Point(x: cx + a, y: box.maxY)]
                    if ed.hasLabel {
                        let top = box.maxY + count * o.selfLoopSize + 4 + labelCursor
                        label = Rect(x: cx - ed.labelWidth / 2, y: top, width: ed.labelWidth, height: ed.labelHeight)
                        labelCursor += ed.labelHeight + 2
                    }
                } else {
                    let a = min(box.height / 4, 6 + 2 * Double(j))
                    let cy = box.center.y
                    pts = [Point(x: box.maxX, y: cy - a), Point(x: box.maxX + s, y: box.minY + 1),
                           Point(x: box.maxX + s, y: box.maxY - 1), Point(x: box.maxX, y: cy + a)]
                    if ed.hasLabel {
                        let left = box.maxX + count * o.selfLoopSize + 6
                        let top = cy - labelsHeight / 2 + labelCursor
                        label = Rect(x: left, y: top, width: ed.labelWidth, height: ed.labelHeight)
                        labelCursor += ed.labelHeight + 2
                    }
                }
                comp.edges.append((e, EdgeRoute(points: pts, label: label, isSelfLoop: true)))
            }
        }
        // The drawing's extent: boxes, labels and every route (wrap tracks lie outside the boxes).
        for (_, r) in comp.edges {
            for p in r.points { right = max(right, p.x); bottom = max(bottom, p.y) }
            if let l = r.label { right = max(right, l.maxX); bottom = max(bottom, l.maxY) }
        }
        comp.width = right; comp.height = bottom
        return comp
    }

    /// Where each chunk of layers starts when the layers are cut into `wrap` chunks: the longest chunk
    /// as short as possible (dynamic programming over the cut positions), then cuts that few edges
    /// cross and that start a chunk with a node rather than with edges.
    static func chunkStarts(_ g: LayeredGraph, wrap: Int, bandHeight: [Double], gap: Double) -> [Int] {
        let count = g.layers.count
        guard wrap > 1, count >= 2 * wrap else { return [0] }
        var cum = [Double](repeating: 0, count: count + 1)
        for l in 0..<count { cum[l + 1] = cum[l] + bandHeight[l] + gap }
        let share = cum[count] / Double(wrap)
        func extent(_ a: Int, _ b: Int) -> Double { cum[b] - cum[a] - gap }   // layers a..<b
        func penalty(_ b: Int) -> Double {
            let hops = g.layers[b - 1].reduce(0) { $0 + g.down[$1].count }
            let startsWithNode = g.layers[b].contains { !g.isDummy($0) }
            return 0.1 * Double(hops) + (startsWithNode ? 0 : 0.3)
        }
        // best[j][b]: first b layers in j chunks → (longest chunk quantised to 2 % of a share, penalties, last cut)
        let q = max(1e-9, share * 0.02)
        struct Cell { var longest: Double; var pen: Double; var cut: Int }
        let inf = Cell(longest: .infinity, pen: .infinity, cut: -1)
        var best = [[Cell]](repeating: [Cell](repeating: inf, count: count + 1), count: wrap + 1)
        best[0][0] = Cell(longest: 0, pen: 0, cut: 0)
        func better(_ a: Cell, _ b: Cell) -> Bool { (a.longest / q).rounded() < (b.longest / q).rounded() || ((a.longest / q).rounded() == (b.longest / q).rounded() && a.pen < b.pen) }
        for j in 1...wrap {
            for b in (2 * j)...count {
                for a in stride(from: 2 * (j - 1), through: b - 2, by: 1) where best[j - 1][a].longest.isFinite {
                    if j == 1 && a != 0 { continue }
                    let c = Cell(longest: max(best[j - 1][a].longest, extent(a, b)), pen: best[j - 1][a].pen + (a > 0 ? penalty(a) : 0), cut: a)
                    if better(c, best[j][b]) { best[j][b] = c }
                }
            }
        }
        guard best[wrap][count].longest.isFinite else { return [0] }
        var starts: [Int] = []
        var b = count
        for j in stride(from: wrap, through: 1, by: -1) { let a = best[j][b].cut; starts.append(a); b = a }
        return starts.reversed()
    }

    /// An orthogonal polyline as cubic pieces: straight runs, corners rounded with `radius`.
    static func roundedOrthogonal(_ pts: [Point], radius: Double) -> [Cubic] {
        var p: [Point] = []
        for q in pts where p.last != q { p.append(q) }
        guard p.count >= 2 else { return [] }
        func dist(_ a: Point, _ b: Point) -> Double { ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot() }
        func toward(_ a: Point, _ b: Point, _ d: Double) -> Point {
            let l = max(1e-9, dist(a, b)); return Point(x: a.x + (b.x - a.x) * d / l, y: a.y + (b.y - a.y) * d / l)
        }
        var out: [Cubic] = []
        var cur = p[0]
        for i in 1..<p.count {
            let corner = p[i]
            if i == p.count - 1 { if cur != corner { out.append(.line(cur, corner)) }; break }
            let next = p[i + 1]
            let r = min(radius, dist(cur, corner) / 2, dist(corner, next) / 2)
            let a = toward(corner, cur, r), b = toward(corner, next, r)
            if cur != a { out.append(.line(cur, a)) }
            if r > 1e-9 {
                let k = 0.5523
                out.append(Cubic(a, toward(a, corner, r * k), toward(b, corner, r * k), b))
            }
            cur = b
        }
        return out
    }
}
