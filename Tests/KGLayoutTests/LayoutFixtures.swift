import KGLayout

/// Seeded fixture graphs and the geometric checks every layout must pass.
enum Fixtures {
    /// A random graph like a concept map: a connected growth backbone, extra edges drawn by degree
    /// (hubs), some cycles, optional self-loops and parallel edges, labels on most edges.
    static func random(nodes n: Int, edges m: Int, seed: UInt64, labels: Bool = true, loops: Bool = false,
                       components: Int = 1) -> LayoutGraph {
        var rng = SplitMix64(seed: seed)
        var g = LayoutGraph()
        for _ in 0..<n {
            g.nodes.append(LayoutNode(width: Double(40 + Int(rng.next() % 120)), height: Double(24 + Int(rng.next() % 3) * 16)))
        }
        func label() -> (Double, Double) {
            labels && rng.next() % 5 != 0 ? (Double(30 + Int(rng.next() % 60)), 14) : (0, 0)
        }
        let per = max(1, n / max(1, components))
        var degree = [Int](repeating: 1, count: n)
        for v in 1..<max(1, n) where v % per != 0 {
            let base = (v / per) * per
            let u = base + Int(rng.next() % UInt64(v - base))
            let (w, h) = label()
            g.edges.append(LayoutEdge(source: u, target: v, labelWidth: w, labelHeight: h))
            degree[u] += 1; degree[v] += 1
        }
        while g.edges.count < m && n > 1 {
            let c = Int(rng.next() % UInt64(max(1, components)))
            let lo = c * per, hi = min(n, lo + per)
            if hi - lo < 2 { break }
            var pick: [Int] = []
            for _ in 0..<2 {
                let total = (lo..<hi).reduce(0) { $0 + degree[$1] }
                var r = Int(rng.next() % UInt64(total))
                var chosen = lo
                for v in lo..<hi { r -= degree[v]; if r < 0 { chosen = v; break } }
                pick.append(chosen)
            }
            if pick[0] == pick[1] && !loops { continue }
            let (w, h) = label()
            g.edges.append(LayoutEdge(source: pick[0], target: pick[1], labelWidth: w, labelHeight: h))
            degree[pick[0]] += 1; degree[pick[1]] += 1
        }
        return g
    }

    struct Problems: CustomStringConvertible {
        var nodeOverlaps: [(Int, Int)] = []
        var edgeThroughNode: [(Int, Int)] = []
        var labelOverNode: [(Int, Int)] = []
        var labelOverLabel: [(Int, Int)] = []
        var detachedEnds: [Int] = []
        var isEmpty: Bool {
            nodeOverlaps.isEmpty && edgeThroughNode.isEmpty && labelOverNode.isEmpty && labelOverLabel.isEmpty && detachedEnds.isEmpty
        }
        var description: String {
            "node overlaps \(nodeOverlaps.prefix(5)), edge through node \(edgeThroughNode.prefix(5)), label over node \(labelOverNode.prefix(5)), label over label \(labelOverLabel.prefix(5)), detached ends \(detachedEnds.prefix(5))"
        }
    }

    /// The quality rules of issue 5, checked on the geometry.
    static func problems(_ g: LayoutGraph, _ r: LayoutResult) -> Problems {
        var p = Problems()
        let boxes = r.nodes
        for i in boxes.indices { for j in boxes.indices where j > i && boxes[i].overlaps(boxes[j]) { p.nodeOverlaps.append((i, j)) } }
        for (k, e) in g.edges.enumerated() {
            let pts = r.edges[k].flattened(samples: 16)
            for (v, box) in boxes.enumerated() where v != e.source && v != e.target {
                let inner = box.insetBy(0.5)
                if zip(pts, pts.dropFirst()).contains(where: { inner.intersectsSegment($0, $1) }) { p.edgeThroughNode.append((k, v)) }
            }
            if let l = r.edges[k].label {
                for (v, box) in boxes.enumerated() where box.insetBy(0.5).overlaps(l) { p.labelOverNode.append((k, v)) }
            }
            // The curve starts on the source's border and ends on the target's border.
            func onBorder(_ q: Point, _ b: Rect) -> Bool {
                let eps = 0.01
                let inX = q.x >= b.minX - eps && q.x <= b.maxX + eps, inY = q.y >= b.minY - eps && q.y <= b.maxY + eps
                return inX && inY && (abs(q.x - b.minX) < eps || abs(q.x - b.maxX) < eps || abs(q.y - b.minY) < eps || abs(q.y - b.maxY) < eps)
            }
            if let a = r.edges[k].points.first, let b = r.edges[k].points.last {
                if !onBorder(a, boxes[e.source]) || !onBorder(b, boxes[e.target]) { p.detachedEnds.append(k) }
            } else { p.detachedEnds.append(k) }
        }
        let labels = r.edges.enumerated().compactMap { k, e in e.label.map { (k, $0) } }
        for i in labels.indices { for j in labels.indices where j > i && labels[i].1.overlaps(labels[j].1) {
            p.labelOverLabel.append((labels[i].0, labels[j].0)) } }
        return p
    }
}
