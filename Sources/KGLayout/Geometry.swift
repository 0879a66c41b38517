// KGLayout: a layered (Sugiyama-style) layout engine for concept maps.
//
// The phases live one per file, each behind a protocol so a strategy can be swapped:
//   CycleRemoval.swift        — `CycleRemover`   (greedy Eades–Lin–Smyth, DFS)
//   Layering.swift            — `Layerer`        (network simplex, longest path)
//   CrossingMinimisation.swift— `CrossingMinimizer` (layer sweeps, median/barycenter, transposition, restarts)
//   CoordinateAssignment.swift— `CoordinateAssigner` (Brandes–Köpf, four alignments balanced)
//   EdgeRouting.swift         — `EdgeRouter`     (cubic Bézier through the layers, or polylines)
//   ComponentPacking.swift    — `ComponentPacker` (shelf packing of disconnected components)
//   TextMetrics.swift         — advance-width table and word wrapping
// `LayeredLayout` (Sugiyama.swift) runs them in order. The module does not depend on KGCore.

/// A point in drawing units (SVG user units; y grows downwards).
public struct Point: Equatable, Hashable, Sendable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// An axis-aligned box; `x`, `y` is the top-left corner.
public struct Rect: Equatable, Hashable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public init(center: Point, width: Double, height: Double) {
        self.init(x: center.x - width / 2, y: center.y - height / 2, width: width, height: height)
    }
    public var minX: Double { x }
    public var minY: Double { y }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var center: Point { Point(x: x + width / 2, y: y + height / 2) }
    /// True when the interiors overlap (touching edges do not count).
    public func overlaps(_ o: Rect) -> Bool {
        minX < o.maxX && o.minX < maxX && minY < o.maxY && o.minY < maxY
    }
    public func insetBy(_ d: Double) -> Rect {
        Rect(x: x + d, y: y + d, width: max(0, width - 2 * d), height: max(0, height - 2 * d))
    }
    /// True when the segment p–q has a point strictly inside the box (Liang–Barsky clipping).
    public func intersectsSegment(_ p: Point, _ q: Point) -> Bool {
        var t0 = 0.0, t1 = 1.0
        let dx = q.x - p.x, dy = q.y - p.y
        for (pk, qk) in [(-dx, p.x - minX), (dx, maxX - p.x), (-dy, p.y - minY), (dy, maxY - p.y)] {
            if pk == 0 {
                if qk <= 0 { return false }
            } else {
                let t = qk / pk
                if pk < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
                if t0 >= t1 { return false }
            }
        }
        return true
    }
}

/// Direction of the layers: top-to-bottom (edges point down) or left-to-right.
public enum LayoutDirection: String, CaseIterable, Sendable {
    case topToBottom = "TB"
    case leftToRight = "LR"
}

/// A node to lay out: its box size (from its text) is fixed.
public struct LayoutNode: Equatable, Sendable {
    public var width: Double
    public var height: Double
    public init(width: Double, height: Double) { self.width = width; self.height = height }
}

/// A directed edge; a label of non-zero size gets room of its own in the drawing.
public struct LayoutEdge: Equatable, Sendable {
    public var source: Int
    public var target: Int
    public var labelWidth: Double
    public var labelHeight: Double
    public init(source: Int, target: Int, labelWidth: Double = 0, labelHeight: Double = 0) {
        self.source = source; self.target = target
        self.labelWidth = labelWidth; self.labelHeight = labelHeight
    }
    public var hasLabel: Bool { labelWidth > 0 && labelHeight > 0 }
}

/// The input graph of the layout engine.
public struct LayoutGraph: Equatable, Sendable {
    public var nodes: [LayoutNode]
    public var edges: [LayoutEdge]
    public init(nodes: [LayoutNode] = [], edges: [LayoutEdge] = []) { self.nodes = nodes; self.edges = edges }
}

/// The drawn route of one edge: a piecewise cubic Bézier curve (3k+1 points: start, then
/// control, control, end for each piece), from the source's border to the target's border.
public struct EdgeRoute: Equatable, Sendable {
    public var points: [Point]
    /// Where the label's box is, when the edge has a label.
    public var label: Rect?
    public var isSelfLoop: Bool
    public init(points: [Point], label: Rect?, isSelfLoop: Bool) {
        self.points = points; self.label = label; self.isSelfLoop = isSelfLoop
    }
    /// The curve sampled into a polyline (`samples` steps per Bézier piece).
    public func flattened(samples: Int = 8) -> [Point] {
        guard points.count >= 4, (points.count - 1) % 3 == 0 else { return points }
        var out = [points[0]]
        var i = 0
        while i + 3 < points.count {
            let p0 = points[i], p1 = points[i + 1], p2 = points[i + 2], p3 = points[i + 3]
            for j in 1...samples {
                let t = Double(j) / Double(samples), u = 1 - t
                let a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t
                out.append(Point(x: a * p0.x + b * p1.x + c * p2.x + d * p3.x,
                                 y: a * p0.y + b * p1.y + c * p2.y + d * p3.y))
            }
            i += 3
        }
        return out
    }
}

/// The result: one box per input node, one route per input edge (same order), the size of the drawing.
public struct LayoutResult: Equatable, Sendable {
    public var nodes: [Rect]
    public var edges: [EdgeRoute]
    public var width: Double
    public var height: Double
    /// Edge crossings between consecutive layers left by the ordering phase (summed over components).
    public var layerCrossings: Int
    public init(nodes: [Rect], edges: [EdgeRoute], width: Double, height: Double, layerCrossings: Int) {
        self.nodes = nodes; self.edges = edges; self.width = width; self.height = height
        self.layerCrossings = layerCrossings
    }
}

/// A small deterministic pseudo-random generator (SplitMix64), so seeded restarts repeat exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
