import Testing
@testable import KGLayout

/// Stars around a focus, like the neighbourhoods slides draw: `ins` nodes point to the focus, `outs`
/// are pointed to by it, `extra` edges join neighbours, some parallel edges and one self-loop.
enum StarFixtures {
    static func star(ins: Int, outs: Int, extra: Int, seed: UInt64, loop: Bool = false, parallel: Bool = false) -> LayoutGraph {
        var rng = SplitMix64(seed: seed)
        var g = LayoutGraph(nodes: [LayoutNode(width: 200, height: 70)])
        for _ in 0..<(ins + outs) {
            g.nodes.append(LayoutNode(width: Double(120 + Int(rng.next() % 140)), height: Double([40, 70, 100][Int(rng.next() % 3)])))
        }
        for i in 1...max(1, ins) where i <= ins { g.edges.append(LayoutEdge(source: i, target: 0, labelWidth: 90, labelHeight: 24)) }
        for i in 0..<outs { g.edges.append(LayoutEdge(source: 0, target: ins + 1 + i, labelWidth: Double(70 + Int(rng.next() % 90)), labelHeight: 24)) }
        let n = g.nodes.count
        if n > 2 {
            for _ in 0..<extra {
                let a = 1 + Int(rng.next() % UInt64(n - 1)), b = 1 + Int(rng.next() % UInt64(n - 1))
                if a != b { g.edges.append(LayoutEdge(source: a, target: b, labelWidth: 80, labelHeight: 24)) }
            }
        }
        if parallel && n > 1 { g.edges.append(LayoutEdge(source: 1, target: 0, labelWidth: 60, labelHeight: 24)) }
        if loop { g.edges.append(LayoutEdge(source: 0, target: 0, labelWidth: 60, labelHeight: 24)) }
        return g
    }
}

@Suite struct ConceptMapTests {
    static let shapes: [(ConceptMapLayout.Shape, ConceptMapLayout.Sides)] = [(.columns, .byDirection), (.columns, .balanced), (.ellipse, .byDirection)]

    /// Whatever a concept map returns obeys the layout rules and stays inside its frame.
    @Test func everyPlacementIsCleanAndInsideTheFrame() {
        var placed = 0
        for seed in UInt64(1)...30 {
            let ins = Int(seed % 4), outs = Int(seed * 3 % 7)
            let g = StarFixtures.star(ins: ins, outs: outs, extra: Int(seed % 3), seed: seed, loop: seed % 7 == 0, parallel: seed % 5 == 0)
            for (shape, sides) in Self.shapes {
                guard let r = ConceptMapLayout(width: 1248, height: 600, shape: shape, sides: sides).layout(g, focus: 0) else { continue }
                placed += 1
                let p = Fixtures.problems(g, r)
                #expect(p.isEmpty, "seed \(seed) \(shape) \(sides): \(p)")
                for b in r.nodes { #expect(b.minX >= -0.01 && b.minY >= -0.01 && b.maxX <= 1248.01 && b.maxY <= 600.01) }
                for e in r.edges {
                    for q in e.flattened() { #expect(q.x >= -0.5 && q.y >= -0.5 && q.x <= 1248.5 && q.y <= 600.5, "seed \(seed): route leaves the frame") }
                    if let l = e.label { #expect(l.minX >= 0 && l.maxX <= 1248 && l.minY >= 0 && l.maxY <= 600) }
                }
            }
        }
        #expect(placed > 40, "too few stars placed: \(placed)")
    }

    @Test func incomingOnTheLeftOutgoingOnTheRight() {
        let g = StarFixtures.star(ins: 3, outs: 4, extra: 0, seed: 4)
        guard let r = ConceptMapLayout(width: 1248, height: 600, shape: .columns, sides: .byDirection).layout(g, focus: 0) else {
            Issue.record("a 7-neighbour star does not fit 1248×600"); return
        }
        let c = r.nodes[0].center.x
        for i in 1...3 { #expect(r.nodes[i].maxX < c, "in-neighbour \(i) is not left of the focus") }
        for i in 4...7 { #expect(r.nodes[i].minX > c, "out-neighbour \(i) is not right of the focus") }
        // The focus sits in the middle: as much room on either side.
        #expect(abs(r.nodes[0].center.y - 300) < 1)
        #expect(r.layerCrossings == 0)
    }

    @Test func radialKeepsTheFocusCentredAndFillsTheFrame() {
        let g = StarFixtures.star(ins: 4, outs: 4, extra: 0, seed: 9)
        guard let r = ConceptMapLayout(width: 1248, height: 600, shape: .ellipse).layout(g, focus: 0) else {
            Issue.record("radial failed"); return
        }
        #expect(abs(r.nodes[0].center.x - 624) < 1 && abs(r.nodes[0].center.y - 300) < 1)
        let xs = r.nodes.map(\.minX) + r.nodes.map(\.maxX), ys = r.nodes.map(\.minY) + r.nodes.map(\.maxY)
        #expect(xs.max()! - xs.min()! > 1100 && ys.max()! - ys.min()! > 500)
    }

    @Test func tooManyNeighboursOrTooFarIsDeclinedNotSqueezed() {
        // 30 tall neighbours cannot stand in two columns of 600 px.
        var g = LayoutGraph(nodes: [LayoutNode(width: 200, height: 70)])
        for i in 1...30 { g.nodes.append(LayoutNode(width: 150, height: 70)); g.edges.append(LayoutEdge(source: 0, target: i, labelWidth: 80, labelHeight: 24)) }
        for (shape, sides) in Self.shapes { #expect(ConceptMapLayout(width: 1248, height: 600, shape: shape, sides: sides).layout(g, focus: 0) == nil) }
        // A node three steps away is not a concept map.
        let chain = LayoutGraph(nodes: (0..<4).map { _ in LayoutNode(width: 100, height: 40) },
                                edges: [LayoutEdge(source: 0, target: 1), LayoutEdge(source: 1, target: 2), LayoutEdge(source: 2, target: 3)])
        #expect(ConceptMapLayout(width: 1248, height: 600).layout(chain, focus: 0) == nil)
        #expect(ConceptMapLayout(width: 1248, height: 600).layout(chain, focus: 1) != nil)
    }

    @Test func sameInputSamePlacement() {
        let g = StarFixtures.star(ins: 2, outs: 5, extra: 2, seed: 3)
        let a = ConceptMapLayout(width: 1248, height: 600).layout(g, focus: 0)
        #expect(a != nil && a == ConceptMapLayout(width: 1248, height: 600).layout(g, focus: 0))
    }
}

@Suite struct WrappingAndStretchTests {
    static func chain(_ n: Int, labels: Bool = true) -> LayoutGraph {
        LayoutGraph(nodes: (0..<n).map { i in LayoutNode(width: Double(100 + 20 * (i % 3)), height: 40) },
                    edges: (1..<n).map { LayoutEdge(source: $0 - 1, target: $0, labelWidth: labels ? 70 : 0, labelHeight: labels ? 16 : 0) })
    }

    /// A long left-to-right chain folds into rows read left to right, top to bottom.
    @Test(arguments: [2, 3, 4])
    func aChainFoldsIntoRowsInReadingOrder(rows: Int) {
        var o = LayoutOptions()
        o.direction = .leftToRight
        o.wrap = rows
        let g = Self.chain(12)
        let r = LayeredLayout(options: o).layout(g)
        #expect(Fixtures.problems(g, r).isEmpty, "\(Fixtures.problems(g, r))")
        let unwrapped: LayoutResult = { var u = o; u.wrap = 1; return LayeredLayout(options: u).layout(g) }()
        #expect(r.width < unwrapped.width * 0.75, "wrapping did not shorten the strip")
        // Reading order: each next node is to the right in the same row, or in a lower row.
        var rowCount = 1
        for i in 1..<12 {
            let a = r.nodes[i - 1], b = r.nodes[i]
            if b.minY >= a.maxY { rowCount += 1 } else { #expect(b.minX > a.maxX, "node \(i) is not right of node \(i - 1)") }
        }
        #expect(rowCount == rows)
        // Every route stays inside the drawing.
        for e in r.edges { for q in e.flattened() { #expect(q.x >= -0.01 && q.y >= -0.01 && q.x <= r.width + 0.01 && q.y <= r.height + 0.01) } }
    }

    @Test func fixedRanksGiveTheOrderAndReverseBackwardEdges() {
        var o = LayoutOptions()
        o.direction = .leftToRight
        let g = LayoutGraph(nodes: (0..<5).map { _ in LayoutNode(width: 80, height: 30) },
                            edges: [LayoutEdge(source: 0, target: 1), LayoutEdge(source: 3, target: 2), LayoutEdge(source: 2, target: 4),
                                    LayoutEdge(source: 4, target: 0)])
        o.fixedRanks = [0, 2, 4, 6, 8]
        let r = LayeredLayout(options: o).layout(g)
        for i in 1..<5 { #expect(r.nodes[i].minX > r.nodes[i - 1].maxX) }
        #expect(Fixtures.problems(g, r).isEmpty)
        // A backward edge is still drawn from its source to its target.
        let e = r.edges[1]
        #expect(abs(e.points.first!.x - r.nodes[3].minX) < 0.01 || abs(e.points.first!.x - r.nodes[3].maxX) < 0.01 || e.points.first!.y <= r.nodes[3].maxY + 0.01)
        #expect(LayeredLayout.relaxFixedRanks([0, 0, 5], edges: [RankEdge(source: 0, target: 1, minLength: 2), RankEdge(source: 1, target: 2, minLength: 2)]) == [0, 2, 5])
        // Ranks nothing occupies are removed.
        #expect(LayeredLayout.relaxFixedRanks([0, 0, 9], edges: [RankEdge(source: 0, target: 1, minLength: 2)]) == [0, 2, 3])
    }

    @Test(arguments: [LayoutDirection.topToBottom, .leftToRight])
    func stretchingFillsTheFrameWithoutMovingTextOrBreakingRules(direction: LayoutDirection) {
        var o = LayoutOptions()
        o.direction = direction
        let g = Fixtures.random(nodes: 9, edges: 11, seed: 5)
        let natural = LayeredLayout(options: o).layout(g)
        o.fitWidth = natural.width * 1.8
        o.fitHeight = natural.height * 1.6
        let r = LayeredLayout(options: o).layout(g)
        #expect(Fixtures.problems(g, r).isEmpty, "\(Fixtures.problems(g, r))")
        #expect(r.width <= o.fitWidth! + 0.5 && r.height <= o.fitHeight! + 0.5)
        #expect(r.width > o.fitWidth! * 0.9 && r.height > o.fitHeight! * 0.9, "\(r.width)×\(r.height) for \(o.fitWidth!)×\(o.fitHeight!)")
        // Boxes keep their sizes.
        for (a, b) in zip(natural.nodes, r.nodes) { #expect(a.width == b.width && a.height == b.height) }
    }

    @Test func severalComponentsSpreadOverTheFrame() {
        var o = LayoutOptions()
        o.fitWidth = 1200; o.fitHeight = 600
        let g = Fixtures.random(nodes: 12, edges: 8, seed: 2, components: 4)
        let r = LayeredLayout(options: o).layout(g)
        #expect(Fixtures.problems(g, r).isEmpty)
        #expect(r.width <= 1200.5 && r.height <= 600.5 && r.width > 1000)
    }

    @Test func chunksAreBalanced() {
        var lg = LayeredGraph()
        for l in 0..<12 { lg.addNode(.real(l), width: 50, height: 10 + Double(l % 3) * 10, layer: l) }
        let starts = LayeredLayout.chunkStarts(lg, wrap: 3, bandHeight: (0..<12).map { 10 + Double($0 % 3) * 10 }, gap: 5)
        #expect(starts.count == 3 && starts[0] == 0)
        #expect(starts == starts.sorted())
        // No chunk is more than 40 % longer than an equal share.
        let sizes = zip(starts, starts.dropFirst() + [12]).map { $1 - $0 }
        #expect(sizes.allSatisfy { $0 >= 3 && $0 <= 6 }, "\(sizes)")
    }
}

@Suite struct CurveTests {
    @Test func subCurvesAndClipping() {
        let c = Cubic(Point(x: 0, y: 0), Point(x: 100, y: 200), Point(x: 300, y: -100), Point(x: 400, y: 100))
        let s = c.sub(0.25, 0.75)
        for (t, u) in [(0.0, 0.25), (1.0, 0.75), (0.5, 0.5)] {
            let a = s.point(at: t), b = c.point(at: u)
            #expect(abs(a.x - b.x) < 1e-6 && abs(a.y - b.y) < 1e-6)
        }
        let from = Rect(x: -50, y: -30, width: 100, height: 60), to = Rect(x: 350, y: 70, width: 100, height: 60)
        let v = RouteGeometry.clip(c, from: from, to: to)!
        func onBorder(_ p: Point, _ r: Rect) -> Bool {
            min(abs(p.x - r.minX), abs(p.x - r.maxX), abs(p.y - r.minY), abs(p.y - r.maxY)) < 1e-3
        }
        #expect(onBorder(v.p0, from) && onBorder(v.p3, to))
        #expect(!RouteGeometry.hits([v.p0, v.p1, v.p2, v.p3], boxes: [from, to], except: [0, 1]))
        #expect(RouteGeometry.hits([v.p0, v.p1, v.p2, v.p3], boxes: [Rect(x: 150, y: 0, width: 20, height: 150)], except: []))
        #expect(RouteGeometry.crossings([Point(x: 0, y: 0), Point(x: 10, y: 10)], [Point(x: 0, y: 10), Point(x: 10, y: 0)]) == 1)
    }

    @Test func roundedOrthogonalRoutesAreContinuous() {
        let pieces = LayeredLayout.roundedOrthogonal([Point(x: 0, y: 0), Point(x: 0, y: 50), Point(x: 80, y: 50), Point(x: 80, y: 10)], radius: 6)
        for (a, b) in zip(pieces, pieces.dropFirst()) { #expect(a.p3 == b.p0) }
        #expect(pieces.first!.p0 == Point(x: 0, y: 0) && pieces.last!.p3 == Point(x: 80, y: 10))
    }
}

@Suite struct WrapTextTests {
    let m = TextMetrics(fontSize: 24)
    @Test func wordsBreakAfterHyphensBeforeBetweenLetters() {
        let w = m.width("Distribution-bound")
        let lines = m.wrap("Distribution-bound safety", maxWidth: w * 0.8)
        #expect(lines == ["Distribution-", "bound safety"])
        #expect(m.widestPiece("Distribution-bound safety") == m.width("Distribution-"))
        #expect(m.wrap("a - b", maxWidth: 1000) == ["a - b"])
        #expect(m.wrap("Self-driving cars", maxWidth: 10_000) == ["Self-driving cars"])
    }

    @Test func conservativeMetricsNeverUnderestimateOtherScripts() {
        let c = TextMetrics(fontSize: 20, conservative: true)
        for s in ["Ѐиі", "Ωμέγα", "ABC"] { #expect(c.width(s) >= m.width(s) * 20 / 24 - 1e-9) }
        #expect(c.width("і") >= 0.72 * 20 - 1e-9)
        #expect(c.width("ABC") == TextMetrics(fontSize: 20).width("ABC"))
    }
}
