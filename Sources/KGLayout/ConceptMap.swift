import Foundation

/// A concept map around one focus node, placed straight into a frame (a slide's drawing area):
///
/// - `columns`: the focus in the middle column; concepts with a relation into the focus in a column
///   on the left, those the focus points to on the right (with `.balanced` sides, split evenly), and
///   concepts two steps away in an outer column on their neighbour's side. Columns spread over the
///   frame's width, the nodes of a column over its height.
/// - `ellipse`: the neighbours on an ellipse that touches the frame, the focus in its centre
///   (radial, as CmapTools and ELK's radial layout draw "one concept and what touches it").
///
/// Relations between the focus and a neighbour are straight spokes; other relations take the
/// shortest of a family of curves that passes no node box and leaves room for its label. Labels sit
/// on their route where they cover no node and no other label. A placement that cannot meet these
/// rules (too many nodes for the frame, a route with no clear curve) returns nil: the caller tries a
/// smaller font, another layout, or splits the graph.
public struct ConceptMapLayout: Sendable {
    public enum Shape: String, Sendable, CaseIterable { case columns, ellipse }
    public enum Sides: String, Sendable, CaseIterable { case byDirection, balanced }

    public var width: Double
    public var height: Double
    public var shape: Shape = .columns
    public var sides: Sides = .byDirection
    /// Smallest gap between two node boxes (and between a node and the frame's inner parts).
    public var nodeGap: Double = 16
    /// Clearance kept around an edge label.
    public var labelPad: Double = 4
    /// Room kept between a route and a box it passes.
    public var routeClearance: Double = 4
    /// Length at the end of a route kept clear of its label (the arrowhead).
    public var arrowClearance: Double = 14
    /// Order of relation types around the focus (index per edge; edges with the same key sit together).
    public var edgeGroup: [Int] = []

    /// Say on standard error why a placement fails (environment KG_SLIDE_DEBUG).
    static let debug = ProcessInfo.processInfo.environment["KG_SLIDE_DEBUG"] != nil
    func why(_ s: String) { if Self.debug { FileHandle.standardError.write(Data("    concept map: \(s)\n".utf8)) } }

    public init(width: Double, height: Double, shape: Shape = .columns, sides: Sides = .byDirection) {
        self.width = width; self.height = height; self.shape = shape; self.sides = sides
    }

    public func layout(_ g: LayoutGraph, focus c: Int) -> LayoutResult? {
        let n = g.nodes.count
        guard n > 0, c >= 0, c < n else { return nil }
        let sizes = g.nodes.map { (max(1, $0.width), max(1, $0.height)) }
        for (w, h) in sizes where w > width || h > height { return nil }
        // Distances from the focus (both directions); more than two steps: not a concept map.
        var adj = [[Int]](repeating: [], count: n)
        for e in g.edges where e.source != e.target && (0..<n).contains(e.source) && (0..<n).contains(e.target) {
            adj[e.source].append(e.target); adj[e.target].append(e.source)
        }
        var dist = [Int](repeating: -1, count: n)
        dist[c] = 0
        var queue = [c], head = 0
        while head < queue.count {
            let v = queue[head]; head += 1
            for w in adj[v] where dist[w] < 0 { dist[w] = dist[v] + 1; queue.append(w) }
        }
        if dist.contains(where: { $0 < 0 || $0 > 2 }) { return nil }
        if shape == .ellipse && dist.contains(2) { return nil }
        // Sides of the neighbours: -1 left, +1 right.
        let group = { (e: Int) -> Int in e < edgeGroup.count ? edgeGroup[e] : 0 }
        var side = [Int](repeating: 0, count: n)
        var key = [(Int, Int, Int)](repeating: (0, 0, 0), count: n)  // ordering key within a side
        var ins = [Bool](repeating: false, count: n), outs = [Bool](repeating: false, count: n)
        var firstGroup = [Int](repeating: Int.max, count: n)
        for (i, e) in g.edges.enumerated() where e.source != e.target {
            if e.target == c, e.source != c { ins[e.source] = true; firstGroup[e.source] = min(firstGroup[e.source], group(i)) }
            if e.source == c, e.target != c { outs[e.target] = true; firstGroup[e.target] = min(firstGroup[e.target], group(i)) }
        }
        let ring = (0..<n).filter { dist[$0] == 1 }
        for v in ring { key[v] = (firstGroup[v], ins[v] ? 0 : 1, v) }
        var left = ring.filter { ins[$0] && !outs[$0] }.sorted { key[$0] < key[$1] }
        var right = ring.filter { !(ins[$0] && !outs[$0]) }.sorted { key[$0] < key[$1] }
        if sides == .balanced || shape == .ellipse && (left.isEmpty || right.isEmpty) {
            // Split evenly, keeping the order (ins, then outs, by relation type).
            let all = (left + right)
            let half = (all.count + 1) / 2
            right = Array(all.prefix(half)); left = Array(all.suffix(all.count - half))
            // Reading order: the left column lists from the top what precedes.
        }
        for v in left { side[v] = -1 }
        for v in right { side[v] = 1 }
        // Outer nodes (two steps away) go beside a neighbour they touch.
        var outerLeft: [Int] = [], outerRight: [Int] = []
        let outer = (0..<n).filter { dist[$0] == 2 }
        func position(_ v: Int) -> Double {
            if let i = left.firstIndex(of: v) { return Double(i) / Double(max(1, left.count)) }
            if let i = right.firstIndex(of: v) { return Double(i) / Double(max(1, right.count)) }
            return 0.5
        }
        var outerKey = [Double](repeating: 0, count: n)
        for v in outer {
            let parents = adj[v].filter { dist[$0] == 1 }
            let l = parents.filter { side[$0] < 0 }.count, r = parents.filter { side[$0] > 0 }.count
            side[v] = r >= l ? 1 : -1
            let ps = parents.filter { side[$0] == side[v] }
            outerKey[v] = ps.isEmpty ? 0.5 : ps.map(position).reduce(0, +) / Double(ps.count)
            if side[v] > 0 { outerRight.append(v) } else { outerLeft.append(v) }
        }
        outerLeft.sort { (outerKey[$0], $0) < (outerKey[$1], $1) }
        outerRight.sort { (outerKey[$0], $0) < (outerKey[$1], $1) }
        // Place; then reorder each side by adjacent swaps while that removes crossings of the straight
        // centre-to-centre lines (a cheap stand-in for the routes drawn later).
        func place(_ l: [Int], _ r: [Int], _ ol: [Int], _ or: [Int], quiet: Bool) -> [Rect]? {
            var b = [Rect](repeating: Rect(x: 0, y: 0, width: 0, height: 0), count: n)
            let ok: Bool
            switch shape {
            case .columns: ok = placeColumns(g, focus: c, columns: [ol, l, [c], r, or], sizes: sizes, boxes: &b, quiet: quiet)
            case .ellipse: ok = placeEllipse(focus: c, left: l, right: r, sizes: sizes, boxes: &b)
            }
            return ok ? b : nil
        }
        func straightCrossings(_ b: [Rect]) -> Int {
            let segs = g.edges.filter { $0.source != $0.target }.map { ($0.source, $0.target, b[$0.source].center, b[$0.target].center) }
            var k = 0
            for i in segs.indices {
                for j in (i + 1)..<segs.count {
                    let a = segs[i], o = segs[j]
                    if a.0 == o.0 || a.0 == o.1 || a.1 == o.0 || a.1 == o.1 { continue }
                    k += RouteGeometry.crossings([a.2, a.3], [o.2, o.3])
                }
            }
            return k
        }
        if let b0 = place(left, right, outerLeft, outerRight, quiet: true) {
            var best = straightCrossings(b0)
            var pass = 0
            while best > 0 && pass < 4 {
                pass += 1
                var improved = false
                for which in 0..<4 {
                    var lists = [left, right, outerLeft, outerRight]
                    if lists[which].count < 2 { continue }
                    for i in 0..<(lists[which].count - 1) {
                        lists[which].swapAt(i, i + 1)
                        if let b = place(lists[0], lists[1], lists[2], lists[3], quiet: true), straightCrossings(b) < best {
                            best = straightCrossings(b)
                            (left, right, outerLeft, outerRight) = (lists[0], lists[1], lists[2], lists[3])
                            improved = true
                        } else {
                            lists[which].swapAt(i, i + 1)
                        }
                    }
                }
                if !improved { break }
            }
        }
        guard let placedBoxes = place(left, right, outerLeft, outerRight, quiet: false) else {
            why("\(shape): no room for the columns or rows"); return nil
        }
        let boxes = placedBoxes
        for i in 0..<n { for j in (i + 1)..<n where boxes[i].overlaps(inflate(boxes[j], nodeGap / 2 - 0.01)) { why("boxes \(i) and \(j) overlap"); return nil } }
        // Route: spokes first (the focus's relations), then the others, shortest first.
        var routes = [EdgeRoute](repeating: EdgeRoute(points: [], label: nil, isSelfLoop: false), count: g.edges.count)
        var placedLabels: [Rect] = []
        var drawn: [[Point]] = []
        var crossingsTotal = 0
        // Parallel edges (either direction) between the same two nodes bend apart.
        var pairIndex = [Int](repeating: 0, count: g.edges.count), pairCount = [String: Int]()
        for (i, e) in g.edges.enumerated() where e.source != e.target {
            let k = "\(min(e.source, e.target)),\(max(e.source, e.target))"
            pairIndex[i] = pairCount[k, default: 0]; pairCount[k, default: 0] += 1
        }
        let order = g.edges.indices.sorted { a, b in
            let ea = g.edges[a], eb = g.edges[b]
            let sa = ea.source == c || ea.target == c, sb = eb.source == c || eb.target == c
            if sa != sb { return sa }
            let la = dsq(boxes[ea.source].center, boxes[ea.target].center), lb = dsq(boxes[eb.source].center, boxes[eb.target].center)
            return (la, a) < (lb, b)
        }
        let frame = Rect(x: 0, y: 0, width: width, height: height)
        for i in order {
            let e = g.edges[i]
            guard (0..<n).contains(e.source), (0..<n).contains(e.target) else { continue }
            let labelSize: (Double, Double)? = e.hasLabel ? (e.labelWidth, e.labelHeight) : nil
            if e.source == e.target {
                guard let r = selfLoop(boxes[e.source], index: pairIndex[i], label: labelSize, boxes: boxes, own: e.source,
                                       labels: placedLabels, frame: frame) else { why("no room for the loop on \(e.source)"); return nil }
                routes[i] = r
                if let l = r.label { placedLabels.append(l) }
                drawn.append(RouteGeometry.polyline(r.points, steps: 8))
                continue
            }
            let k = "\(min(e.source, e.target)),\(max(e.source, e.target))"
            let parallel = pairCount[k] ?? 1
            guard let r = route(from: e.source, to: e.target, boxes: boxes, label: labelSize, labels: placedLabels, drawn: drawn,
                                frame: frame, parallel: (pairIndex[i], parallel), sameColumn: side[e.source] == side[e.target]
                                    && dist[e.source] == dist[e.target] && e.source != c && e.target != c,
                                sideOf: side[e.source] != 0 ? side[e.source] : side[e.target]) else {
                why("no clear route for \(e.source) → \(e.target)"); return nil
            }
            routes[i] = r.route
            crossingsTotal += r.crossings
            if let l = r.route.label { placedLabels.append(l) }
            drawn.append(RouteGeometry.polyline(r.route.points, steps: 8))
        }
        return LayoutResult(nodes: boxes, edges: routes, width: width, height: height, layerCrossings: crossingsTotal)
    }

    func inflate(_ r: Rect, _ d: Double) -> Rect { Rect(x: r.x - d, y: r.y - d, width: r.width + 2 * d, height: r.height + 2 * d) }
    func dsq(_ a: Point, _ b: Point) -> Double { (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) }

    /// Columns across the frame, nodes spread over each column's height.
    func placeColumns(_ g: LayoutGraph, focus c: Int, columns all: [[Int]], sizes: [(Double, Double)], boxes: inout [Rect],
                      quiet: Bool = false) -> Bool {
        func why(_ s: String) { if !quiet { self.why(s) } }
        let cols = all.filter { !$0.isEmpty }
        let index = cols.firstIndex(of: [c])!
        // Room between neighbouring columns: the widest label of an edge between them, and a gap.
        var colOf = [Int: Int]()
        for (k, col) in cols.enumerated() { for v in col { colOf[v] = k } }
        var need = [Double](repeating: 3 * nodeGap, count: max(0, cols.count - 1))
        for e in g.edges where e.hasLabel {
            guard let a = colOf[e.source], let b = colOf[e.target], a != b else { continue }
            let lo = min(a, b), hi = max(a, b)
            for k in lo..<hi { need[k] = max(need[k], e.labelWidth + 2 * labelPad + 2 * nodeGap) }
        }
        // Relations within a column bend outwards: room beyond the outer columns.
        var outerRoom = [0.0, 0.0]
        for e in g.edges where e.source != e.target {
            guard let a = colOf[e.source], let b = colOf[e.target], a == b, a != index else { continue }
            let room = (e.hasLabel ? e.labelWidth + 2 * labelPad : 0) + 3 * nodeGap
            if a == 0 { outerRoom[0] = max(outerRoom[0], room) }
            if a == cols.count - 1 { outerRoom[1] = max(outerRoom[1], room) }
        }
        let colW = cols.map { col in col.map { sizes[$0].0 }.max() ?? 0 }
        let used = colW.reduce(0, +) + need.reduce(0, +) + outerRoom[0] + outerRoom[1]
        if used > width + 1e-6 { why("columns need \(Int(used)) px of \(Int(width))"); return false }
        // Spread the spare width over the gaps (half-shares at the frame's edges when there is outer room).
        let spare = width - used
        let shares = Double(need.count) + (outerRoom[0] > 0 ? 0.5 : 0) + (outerRoom[1] > 0 ? 0.5 : 0)
        let extra = shares > 0 ? spare / shares : 0
        var x = outerRoom[0] + (outerRoom[0] > 0 ? extra / 2 : 0)
        if shares == 0 { x = spare / 2 }
        var colX = [Double](repeating: 0, count: cols.count)
        for k in 0..<cols.count {
            colX[k] = x
            x += colW[k] + (k < need.count ? need[k] + extra : 0)
        }
        let many = cols.enumerated().contains { $0.offset != index && $0.element.count >= 2 }
        for (k, col) in cols.enumerated() {
            let heights = col.map { sizes[$0].1 }
            let total = heights.reduce(0, +)
            if total + Double(col.count - 1) * nodeGap > height + 1e-6 { why("column \(k) needs \(Int(total)) px of \(Int(height))"); return false }
            var ys: [Double] = []
            if col.count == 1 {
                let h = heights[0]
                if k == index || many { ys = [(height - h) / 2] }
                else if k < index { ys = [0] }      // a lone neighbour on the left sits top left,
                else { ys = [height - h] }          // on the right bottom right: the eye reads across.
                if k == index && !many && cols.count == 2 {
                    // Focus and one column of one node: opposite corners, in reading order.
                    ys = [index == 0 ? 0 : height - h]
                }
            } else {
                let step = (height - total) / Double(col.count - 1)
                var y = 0.0
                for h in heights { ys.append(y); y += h + step }
            }
            for (j, v) in col.enumerated() {
                let (w, h) = sizes[v]
                let left: Double
                if k == index { left = colX[k] + (colW[k] - w) / 2 }
                else if k < index { left = colX[k] + colW[k] - w }    // aligned towards the focus
                else { left = colX[k] }
                boxes[v] = Rect(x: left, y: ys[j], width: w, height: h)
            }
        }
        return true
    }

    /// Neighbours on an ellipse touching the frame, right side from the top clockwise, left side from the top.
    func placeEllipse(focus c: Int, left: [Int], right: [Int], sizes: [(Double, Double)], boxes: inout [Rect]) -> Bool {
        let cx = width / 2, cy = height / 2
        let (fw, fh) = sizes[c]
        boxes[c] = Rect(x: cx - fw / 2, y: cy - fh / 2, width: fw, height: fh)
        let few = left.count <= 1 && right.count <= 1
        func put(_ vs: [Int], sign: Double) {
            let k = vs.count
            for (i, v) in vs.enumerated() {
                let (w, h) = sizes[v]
                // angle from the top (-90°) to the bottom (+90°) on the right; mirrored on the left. A
                // lone neighbour on each side sits high on the left and low on the right: the eye reads
                // across and the drawing fills the frame.
                var t = -Double.pi / 2 + Double.pi * (Double(i) + 0.5) / Double(k)
                if few { t = sign > 0 ? Double.pi * 0.22 : -Double.pi * 0.22 }
                let a = width / 2 - w / 2, b = height / 2 - h / 2
                let px = cx + sign * a * cos(t), py = cy + b * sin(t)
                boxes[v] = Rect(x: px - w / 2, y: py - h / 2, width: w, height: h)
            }
        }
        put(right, sign: 1)
        put(left, sign: -1)
        return true
    }

    struct Routed { var route: EdgeRoute; var crossings: Int }

    /// The best clear route between two boxes, with its label placed.
    func route(from s: Int, to t: Int, boxes: [Rect], label: (Double, Double)?, labels: [Rect], drawn: [[Point]],
               frame: Rect, parallel: (Int, Int), sameColumn: Bool, sideOf: Int) -> Routed? {
        let a = boxes[s], b = boxes[t]
        let pa = a.center, pb = b.center
        let dx = pb.x - pa.x, dy = pb.y - pa.y
        let len = max(1, (dx * dx + dy * dy).squareRoot())
        let nx = -dy / len, ny = dx / len
        var candidates: [Cubic] = []
        // Parallel relations between the same pair: fixed, distinct bends.
        let base: Double = parallel.1 > 1 ? (Double(parallel.0) - Double(parallel.1 - 1) / 2) * 0.45 : 0
        var bends: [Double] = [base]
        for m in [0.15, 0.3, 0.5, 0.75, 1.0] { bends += [base + m, base - m] }
        for bend in bends {
            let o = bend * len
            candidates.append(Cubic(pa, Point(x: pa.x + dx / 3 + nx * o, y: pa.y + dy / 3 + ny * o),
                                    Point(x: pa.x + 2 * dx / 3 + nx * o, y: pa.y + 2 * dy / 3 + ny * o), pb))
        }
        if sameColumn {
            // Around the column's outer side (or inner), as a bracket.
            let outward = Double(sideOf >= 0 ? 1 : -1)
            let colEdge = outward > 0 ? max(a.maxX, b.maxX) : min(a.minX, b.minX)
            for reach in [0.5, 1.0, 1.6, 2.4] {
                let lw = (label?.0 ?? 0) * reach + 3 * nodeGap
                for dir in [outward, -outward] {
                    let xo = dir == outward ? colEdge + dir * lw : (dir > 0 ? max(a.maxX, b.maxX) : min(a.minX, b.minX)) + dir * lw
                    candidates.append(Cubic(pa, Point(x: xo, y: pa.y), Point(x: xo, y: pb.y), pb))
                }
            }
        }
        var best: (Routed, Double)? = nil
        for curve in candidates {
            guard let vis = RouteGeometry.clip(curve, from: a, to: b) else { continue }
            let pts = [vis.p0, vis.p1, vis.p2, vis.p3]
            if RouteGeometry.hits(pts, boxes: boxes, except: [s, t], inflate: routeClearance) { continue }
            guard let bb = RouteGeometry.bounds(pts), bb.minX >= frame.minX - 0.01, bb.maxX <= frame.maxX + 0.01,
                  bb.minY >= frame.minY - 0.01, bb.maxY <= frame.maxY + 0.01 else { continue }
            // Too short to show an arrow and a label clearly.
            let visLen = vis.length
            if visLen < nodeGap * 1.5 { continue }
            var labelRect: Rect? = nil
            if let (lw, lh) = label {
                guard let r = placeLabel(vis, size: (lw, lh), boxes: boxes, labels: labels, frame: frame) else { continue }
                labelRect = r
            }
            let poly = RouteGeometry.polyline(pts, steps: 8)
            let cr = drawn.reduce(0) { $0 + RouteGeometry.crossings(poly, $1) }
            let cost = Double(cr) * 400 + visLen + abs(candidates.firstIndex(of: curve).map(Double.init) ?? 0) * 2
            if best == nil || cost < best!.1 {
                best = (Routed(route: EdgeRoute(points: pts, label: labelRect, isSelfLoop: false), crossings: cr), cost)
            }
            if cr == 0 && best!.1 == cost { break }  // the shortest clear, crossing-free route
        }
        return best?.0
    }

    /// A place on the route for a label: middle first, then further out; clear of nodes and labels.
    func placeLabel(_ curve: Cubic, size: (Double, Double), boxes: [Rect], labels: [Rect], frame: Rect) -> Rect? {
        // The last stretch of the route (the arrowhead) stays visible.
        let samples = curve.sampled(48)
        var tail: [Point] = []
        var run = 0.0
        for i in stride(from: samples.count - 1, to: 0, by: -1) {
            tail.append(samples[i])
            run += ((samples[i].x - samples[i - 1].x) * (samples[i].x - samples[i - 1].x) + (samples[i].y - samples[i - 1].y) * (samples[i].y - samples[i - 1].y)).squareRoot()
            if run > arrowClearance { break }
        }
        for t in [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.2, 0.8] {
            let p = curve.point(at: t)
            let r = Rect(center: p, width: size.0, height: size.1)
            let padded = inflate(r, labelPad)
            if padded.minX < frame.minX || padded.maxX > frame.maxX || padded.minY < frame.minY || padded.maxY > frame.maxY { continue }
            if tail.contains(where: { $0.x > padded.minX && $0.x < padded.maxX && $0.y > padded.minY && $0.y < padded.maxY }) { continue }
            if boxes.contains(where: { $0.overlaps(padded) }) { continue }
            if labels.contains(where: { $0.overlaps(padded) }) { continue }
            return r
        }
        return nil
    }

    /// A loop on a side of its node: the side facing away from the frame's centre first, then the
    /// others, the first with room for the loop and its label.
    func selfLoop(_ box: Rect, index: Int, label: (Double, Double)?, boxes: [Rect], own: Int, labels: [Rect], frame: Rect) -> EdgeRoute? {
        let s = 22 + 10 * Double(index)
        let verticalFirst = abs(box.center.y - height / 2) / height >= abs(box.center.x - width / 2) / width
        let down = box.center.y > height / 2, right = box.center.x > width / 2
        // (dx, dy): the direction the loop sticks out.
        let sides: [(Double, Double)] = verticalFirst
            ? [(0, down ? 1 : -1), (right ? 1 : -1, 0), (0, down ? -1 : 1), (right ? -1 : 1, 0)]
            : [(right ? 1 : -1, 0), (0, down ? 1 : -1), (right ? -1 : 1, 0), (0, down ? -1 : 1)]
        for (dx, dy) in sides {
            let pts: [Point]
            if dy != 0 {
                let y = dy > 0 ? box.maxY : box.minY
                let a = min(box.width / 4, 14 + 4 * Double(index))
                let p0 = Point(x: box.center.x + a, y: y), p3 = Point(x: box.center.x - a, y: y)
                pts = [p0, Point(x: p0.x + s, y: y + dy * s * 1.6), Point(x: p3.x - s, y: y + dy * s * 1.6), p3]
            } else {
                let x = dx > 0 ? box.maxX : box.minX
                let a = min(box.height / 4, 10 + 3 * Double(index))
                let p0 = Point(x: x, y: box.center.y - a), p3 = Point(x: x, y: box.center.y + a)
                pts = [p0, Point(x: x + dx * s * 1.6, y: p0.y - s), Point(x: x + dx * s * 1.6, y: p3.y + s), p3]
            }
            if RouteGeometry.hits(pts, boxes: boxes, except: [own], inflate: routeClearance) { continue }
            guard let bb = RouteGeometry.bounds(pts), bb.minX >= frame.minX, bb.maxX <= frame.maxX,
                  bb.minY >= frame.minY, bb.maxY <= frame.maxY else { continue }
            var lr: Rect? = nil
            if let (lw, lh) = label {
                let r: Rect
                if dy != 0 {
                    r = Rect(x: box.center.x - lw / 2, y: dy > 0 ? bb.maxY + labelPad : bb.minY - labelPad - lh, width: lw, height: lh)
                } else {
                    r = Rect(x: dx > 0 ? bb.maxX + labelPad : bb.minX - labelPad - lw, y: box.center.y - lh / 2, width: lw, height: lh)
                }
                let padded = inflate(r, labelPad)
                if padded.minY < frame.minY || padded.maxY > frame.maxY || padded.minX < frame.minX || padded.maxX > frame.maxX { continue }
                if boxes.contains(where: { $0.overlaps(padded) }) || labels.contains(where: { $0.overlaps(padded) }) { continue }
                lr = r
            }
            return EdgeRoute(points: pts, label: lr, isSelfLoop: true)
        }
        return nil
    }
}
