/// Phase 5: turn the polyline an edge follows through the layers into the drawn curve.
/// The input is a polyline whose segments alternate between pieces inside a layer band (vertical in
/// layout coordinates, clear of every node box because nodes keep their separation from dummies) and
/// pieces that cross the empty gap between two layers (`crossesGap[i]` for segment i).
public protocol EdgeRouter: Sendable {
    /// Returns 3k+1 points: piecewise cubic Bézier control polygon.
    func route(_ polyline: [Point], crossesGap: [Bool]) -> [Point]
}

/// Smooth curves: each gap is crossed by an S-shaped cubic whose tangents are vertical at both ends,
/// so it joins the vertical pieces inside the bands with a continuous tangent (C¹). All control points
/// stay inside the gap, so the curve cannot touch a node.
public struct SplineRouter: EdgeRouter {
    public init() {}
    public func route(_ p: [Point], crossesGap: [Bool]) -> [Point] {
        guard let first = p.first else { return [] }
        var out = [first]
        for i in 0..<(p.count - 1) {
            let a = p[i], b = p[i + 1]
            if crossesGap[i] {
                // Control points at 40 % / 60 % of the gap: vertical tangents at both ends, and a
                // control polygon that crosses another exactly when the curves cross.
                let dy = b.y - a.y
                out.append(Point(x: a.x, y: a.y + dy * 0.4)); out.append(Point(x: b.x, y: b.y - dy * 0.4)); out.append(b)
            } else {
                out.append(Point(x: a.x + (b.x - a.x) / 3, y: a.y + (b.y - a.y) / 3))
                out.append(Point(x: a.x + 2 * (b.x - a.x) / 3, y: a.y + 2 * (b.y - a.y) / 3))
                out.append(b)
            }
        }
        if out.count == 1 { out += [first, first, first] }
        return out
    }
}

/// Straight segments between the bend points (the Bézier pieces are degenerate lines).
public struct PolylineRouter: EdgeRouter {
    public init() {}
    public func route(_ p: [Point], crossesGap: [Bool]) -> [Point] {
        guard let first = p.first else { return [] }
        var out = [first]
        for i in 0..<(p.count - 1) {
            let a = p[i], b = p[i + 1]
            out.append(Point(x: a.x + (b.x - a.x) / 3, y: a.y + (b.y - a.y) / 3))
            out.append(Point(x: a.x + 2 * (b.x - a.x) / 3, y: a.y + 2 * (b.y - a.y) / 3))
            out.append(b)
        }
        if out.count == 1 { out += [first, first, first] }
        return out
    }
}
