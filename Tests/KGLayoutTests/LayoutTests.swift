import Testing
@testable import KGLayout

@Suite struct LayoutQualityTests {
    @Test(arguments: [LayoutDirection.topToBottom, .leftToRight])
    func randomConceptMapsHaveNoOverlapsAndNoEdgeThroughNodes(direction: LayoutDirection) {
        var options = LayoutOptions()
        options.direction = direction
        for seed in UInt64(1)...12 {
            let n = 5 + Int(seed * 7 % 40)
            let g = Fixtures.random(nodes: n, edges: n * 3 / 2, seed: seed, loops: seed % 3 == 0, components: Int(seed % 3) + 1)
            let r = LayeredLayout(options: options).layout(g)
            let p = Fixtures.problems(g, r)
            #expect(p.isEmpty, "seed \(seed), \(n) nodes: \(p)")
            #expect(r.nodes.count == g.nodes.count && r.edges.count == g.edges.count)
            for box in r.nodes {
                #expect(box.minX >= -0.001 && box.minY >= -0.001 && box.maxX <= r.width + 0.001 && box.maxY <= r.height + 0.001)
            }
        }
    }

    @Test func largerGraphWithAspectBalancing() {
        var options = LayoutOptions()
        options.targetAspect = 16.0 / 9
        options.crossingMinimizer = LayerSweepMinimizer(restarts: 2)
        let g = Fixtures.random(nodes: 90, edges: 135, seed: 99)
        let r = LayeredLayout(options: options).layout(g)
        let p = Fixtures.problems(g, r)
        #expect(p.isEmpty, "\(p)")
    }

    @Test func sameInputSameCoordinates() {
        let g = Fixtures.random(nodes: 60, edges: 90, seed: 7, loops: true, components: 2)
        let a = LayeredLayout().layout(g), b = LayeredLayout().layout(g)
        #expect(a == b)
    }

    @Test func emptyGraphAndSingleNode() {
        let empty = LayeredLayout().layout(LayoutGraph())
        #expect(empty.nodes.isEmpty && empty.width == 0 && empty.height == 0)
        let one = LayeredLayout().layout(LayoutGraph(nodes: [LayoutNode(width: 80, height: 30)]))
        #expect(one.nodes == [Rect(x: 0, y: 0, width: 80, height: 30)])
        #expect(one.width == 80 && one.height == 30)
    }

    @Test func selfLoopsAreDrawnBesideTheirNodeWithLabelsClear() {
        for direction in LayoutDirection.allCases {
            var o = LayoutOptions(); o.direction = direction
            let g = LayoutGraph(nodes: [LayoutNode(width: 80, height: 30), LayoutNode(width: 60, height: 30)],
                                edges: [LayoutEdge(source: 0, target: 0, labelWidth: 50, labelHeight: 14),
                                        LayoutEdge(source: 0, target: 0, labelWidth: 40, labelHeight: 14),
                                        LayoutEdge(source: 0, target: 1, labelWidth: 30, labelHeight: 14)])
            let r = LayeredLayout(options: o).layout(g)
            #expect(r.edges[0].isSelfLoop && r.edges[1].isSelfLoop && !r.edges[2].isSelfLoop)
            #expect(Fixtures.problems(g, r).isEmpty, "\(direction): \(Fixtures.problems(g, r))")
            #expect(r.edges[0].points != r.edges[1].points)
            // Loops stay inside the drawing.
            for e in r.edges { for q in e.flattened() { #expect(q.x <= r.width + 0.01 && q.y <= r.height + 0.01) } }
        }
    }

    @Test func parallelEdgesGetDistinctRoutes() {
        let g = LayoutGraph(nodes: [LayoutNode(width: 80, height: 30), LayoutNode(width: 80, height: 30)],
                            edges: [LayoutEdge(source: 0, target: 1), LayoutEdge(source: 0, target: 1), LayoutEdge(source: 1, target: 0)])
        let r = LayeredLayout().layout(g)
        #expect(Set(r.edges.map { $0.points }).count == 3)
        #expect(Fixtures.problems(g, r).isEmpty)
        // The reversed edge still ends at its own target (node 0).
        #expect(abs(r.edges[2].points.last!.y - r.nodes[0].maxY) < 0.01)
    }

    @Test func cyclesAreDrawnWithEveryEdgePointingAtItsTarget() {
        let n = 6
        let g = LayoutGraph(nodes: (0..<n).map { _ in LayoutNode(width: 50, height: 24) },
                            edges: (0..<n).map { LayoutEdge(source: $0, target: ($0 + 1) % n, labelWidth: 30, labelHeight: 12) })
        let r = LayeredLayout().layout(g)
        #expect(Fixtures.problems(g, r).isEmpty, "\(Fixtures.problems(g, r))")
    }

    @Test func treesAreDrawnWithoutCrossings() {
        var g = LayoutGraph()
        for _ in 0..<40 { g.nodes.append(LayoutNode(width: 60, height: 24)) }
        var rng = SplitMix64(seed: 3)
        for v in 1..<40 { g.edges.append(LayoutEdge(source: Int(rng.next() % UInt64(v)), target: v, labelWidth: 30, labelHeight: 12)) }
        let r = LayeredLayout().layout(g)
        #expect(r.layerCrossings == 0)
    }

    @Test func longEdgesRunStraightThroughTheirDummies() {
        // a→b→c→d and a→d: the long edge's pieces inside the layer bands share one x.
        let g = LayoutGraph(nodes: (0..<4).map { _ in LayoutNode(width: 60, height: 24) },
                            edges: [LayoutEdge(source: 0, target: 1), LayoutEdge(source: 1, target: 2),
                                    LayoutEdge(source: 2, target: 3), LayoutEdge(source: 0, target: 3)])
        let r = LayeredLayout().layout(g)
        let pts = r.edges[3].points
        // Interior bend points (every third point) of the long edge.
        let xs = Set(stride(from: 3, to: pts.count - 3, by: 3).map { (pts[$0].x * 100).rounded() })
        #expect(xs.count <= 2, "\(xs)")
    }
}

@Suite struct PhaseTests {
    func isAcyclic(_ n: Int, _ edges: [(Int, Int)]) -> Bool {
        var indeg = [Int](repeating: 0, count: n), outs = [[Int]](repeating: [], count: n)
        for (a, b) in edges { outs[a].append(b); indeg[b] += 1 }
        var q = (0..<n).filter { indeg[$0] == 0 }, seen = 0
        while let v = q.popLast() { seen += 1; for w in outs[v] { indeg[w] -= 1; if indeg[w] == 0 { q.append(w) } } }
        return seen == n
    }

    @Test func cycleRemoversLeaveAnAcyclicGraph() {
        for seed in UInt64(1)...30 {
            var rng = SplitMix64(seed: seed)
            let n = 2 + Int(rng.next() % 30)
            let edges = (0..<(n * 2)).compactMap { _ -> (Int, Int)? in
                let a = Int(rng.next() % UInt64(n)), b = Int(rng.next() % UInt64(n))
                return a == b ? nil : (a, b)
            }
            for remover in [GreedyCycleRemover() as any CycleRemover, DFSCycleRemover()] {
                let rev = remover.reversedEdges(nodeCount: n, edges: edges)
                let oriented = edges.enumerated().map { rev[$0.offset] ? ($0.element.1, $0.element.0) : $0.element }
                #expect(isAcyclic(n, oriented), "seed \(seed) \(type(of: remover))")
            }
            // Eades–Lin–Smyth bound: at most m/2 edges reversed.
            let greedy = GreedyCycleRemover().reversedEdges(nodeCount: n, edges: edges).filter { $0 }.count
            #expect(greedy <= edges.count / 2)
        }
    }

    @Test func networkSimplexKeepsEdgesShortAndFeasible() {
        // a→b→c→d plus a→d and e→d: longest path puts e at rank 0 (edge e→d of length 3);
        // network simplex moves e down next to d.
        let edges = [RankEdge(source: 0, target: 1), RankEdge(source: 1, target: 2), RankEdge(source: 2, target: 3),
                     RankEdge(source: 0, target: 3), RankEdge(source: 4, target: 3)]
        let ns = NetworkSimplexLayerer().ranks(nodeCount: 5, edges: edges)
        let lp = LongestPathLayerer().ranks(nodeCount: 5, edges: edges)
        func cost(_ r: [Int]) -> Int { edges.reduce(0) { $0 + r[$1.target] - r[$1.source] } }
        for e in edges { #expect(ns[e.target] - ns[e.source] >= e.minLength) }
        #expect(ns == [0, 1, 2, 3, 2])
        #expect(cost(ns) < cost(lp))
        // Random DAGs: feasible, and never worse than longest path.
        for seed in UInt64(1)...20 {
            var rng = SplitMix64(seed: seed)
            let n = 3 + Int(rng.next() % 25)
            let es = (0..<(n * 2)).compactMap { _ -> RankEdge? in
                let a = Int(rng.next() % UInt64(n)), b = Int(rng.next() % UInt64(n))
                return a < b ? RankEdge(source: a, target: b, minLength: 1 + Int(rng.next() % 2), weight: 1 + Int(rng.next() % 3)) : nil
            }
            let r = NetworkSimplexLayerer().ranks(nodeCount: n, edges: es)
            let l = LongestPathLayerer().ranks(nodeCount: n, edges: es)
            for e in es { #expect(r[e.target] - r[e.source] >= e.minLength) }
            func wcost(_ r: [Int]) -> Int { es.reduce(0) { $0 + $1.weight * (r[$1.target] - r[$1.source]) } }
            #expect(wcost(r) <= wcost(l), "seed \(seed)")
            #expect(r.min() == 0)
        }
    }

    @Test func crossingCountMatchesBruteForce() {
        var rng = SplitMix64(seed: 11)
        var g = LayeredGraph()
        for l in 0..<3 { for _ in 0..<6 { g.addNode(.real(0), width: 10, height: 10, layer: l) } }
        for _ in 0..<20 {
            let l = Int(rng.next() % 2)
            let a = g.layers[l][Int(rng.next() % 6)], b = g.layers[l + 1][Int(rng.next() % 6)]
            g.connect(a, b)
        }
        let pos = g.positions()
        var brute = 0
        for l in 0..<2 {
            var es: [(Int, Int)] = []
            for v in g.layers[l] { for w in g.down[v] { es.append((pos[v], pos[w])) } }
            for i in es.indices { for j in es.indices where j > i {
                if (es[i].0 < es[j].0 && es[i].1 > es[j].1) || (es[i].0 > es[j].0 && es[i].1 < es[j].1) { brute += 1 } } }
        }
        #expect(g.crossings() == brute)
        var h = g
        LayerSweepMinimizer().minimiseCrossings(&h)
        #expect(h.crossings() <= brute)
        #expect(Set(h.layers.map { Set($0) }) == Set(g.layers.map { Set($0) }))
    }

    @Test func brandesKoepfKeepsSeparation() {
        let g = Fixtures.random(nodes: 50, edges: 80, seed: 5)
        let r = LayeredLayout().layout(g)
        #expect(Fixtures.problems(g, r).nodeOverlaps.isEmpty)
    }

    @Test func shelfPackerPlacesComponentsApart() {
        let sizes: [(Double, Double)] = [(100, 50), (30, 80), (60, 60), (10, 10)]
        let o = ShelfPacker().offsets(sizes: sizes, separation: 10)
        let rects = zip(o, sizes).map { Rect(x: $0.x, y: $0.y, width: $1.0, height: $1.1) }
        for i in rects.indices { for j in rects.indices where j > i { #expect(!rects[i].overlaps(rects[j])) } }
    }
}

@Suite struct TextMetricsTests {
    let m = TextMetrics(fontSize: 10)

    @Test func widthsComeFromTheTable() {
        // DejaVu Sans 'W' is 1.03 em wider than 'i' … the table's values for these letters.
        #expect(abs(m.width("W") - 9.89) < 0.01)
        #expect(abs(m.width("i") - 2.78) < 0.01)
        #expect(m.width("mmm") > m.width("iii") * 3)
        #expect(m.width("") == 0)
        #expect(TextMetrics(fontSize: 10, bold: true).width("Hello") > m.width("Hello"))
    }

    @Test func anyScriptHasAWidth() {
        #expect(m.width("漢字") == 20)                 // wide: 1 em each
        #expect(m.width("e\u{301}") == m.width("e"))  // combining accent takes no room
        #expect(m.width("Привет") > 30)               // Cyrillic from the table
        #expect(m.width("مرحبا") > 25)                // Arabic: estimate
        #expect(m.width("🙂") >= 10)
    }

    @Test func wrappingRespectsTheMaximum() {
        let text = "Safety training that holds only on the inputs it was shown"
        let lines = m.wrap(text, maxWidth: 80)
        #expect(lines.count > 1)
        for l in lines { #expect(m.width(l) <= 80) }
        #expect(lines.joined(separator: " ") == text)
        // A word longer than the limit is broken between characters; nothing is lost.
        let long = String(repeating: "x", count: 100)
        let parts = m.wrap(long, maxWidth: 50)
        #expect(parts.joined() == long)
        for l in parts { #expect(m.width(l) <= 50) }
        #expect(m.wrap("   ", maxWidth: 50) == [""])
        #expect(m.wrap("漢字漢字漢字", maxWidth: 25).count == 3)
    }
}
