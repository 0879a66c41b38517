/// Cubic Bézier pieces and the checks every drawn route must pass: a route never passes through
/// a node box other than its own two ends, and it stays inside its frame.
public struct Cubic: Equatable, Sendable {
    public var p0: Point, p1: Point, p2: Point, p3: Point
    public init(_ p0: Point, _ p1: Point, _ p2: Point, _ p3: Point) { self.p0 = p0; self.p1 = p1; self.p2 = p2; self.p3 = p3 }

    /// A straight piece from `a` to `b` (control points at a third and two thirds).
    public static func line(_ a: Point, _ b: Point) -> Cubic {
        Cubic(a, Point(x: a.x + (b.x - a.x) / 3, y: a.y + (b.y - a.y) / 3),
              Point(x: a.x + 2 * (b.x - a.x) / 3, y: a.y + 2 * (b.y - a.y) / 3), b)
    }

    public func point(at t: Double) -> Point {
        let u = 1 - t
        let a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t
        return Point(x: a * p0.x + b * p1.x + c * p2.x + d * p3.x, y: a * p0.y + b * p1.y + c * p2.y + d * p3.y)
    }

    /// Unit tangent direction at `t` (derivative, normalised; falls back to the chord).
    public func tangent(at t: Double) -> Point {
        let u = 1 - t
        var dx = 3 * u * u * (p1.x - p0.x) + 6 * u * t * (p2.x - p1.x) + 3 * t * t * (p3.x - p2.x)
        var dy = 3 * u * u * (p1.y - p0.y) + 6 * u * t * (p2.y - p1.y) + 3 * t * t * (p3.y - p2.y)
        var len = (dx * dx + dy * dy).squareRoot()
        if len < 1e-9 { dx = p3.x - p0.x; dy = p3.y - p0.y; len = max(1e-9, (dx * dx + dy * dy).squareRoot()) }
        return Point(x: dx / len, y: dy / len)
    }

    /// The piece of the curve between parameters t0 < t1, as a cubic of its own (de Casteljau).
    public func sub(_ t0: Double, _ t1: Double) -> Cubic {
        func lerp(_ a: Point, _ b: Point, _ t: Double) -> Point { Point(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t) }
        func split(_ c: Cubic, _ t: Double) -> (Cubic, Cubic) {
            let a = lerp(c.p0, c.p1, t), b = lerp(c.p1, c.p2, t), d = lerp(c.p2, c.p3, t)
            let e = lerp(a, b, t), f = lerp(b, d, t), g = lerp(e, f, t)
            return (Cubic(c.p0, a, e, g), Cubic(g, f, d, c.p3))
        }
        let right = t0 <= 0 ? self : split(self, t0).1
        if t1 >= 1 { return right }
        let t = (t1 - t0) / max(1e-12, 1 - t0)
        return split(right, t).0
    }

    /// Points at `steps` equal parameter steps, start included.
    public func sampled(_ steps: Int) -> [Point] { (0...steps).map { point(at: Double($0) / Double(steps)) } }

    public var length: Double {
        let s = sampled(16)
        var l = 0.0
        for i in 1..<s.count { l += ((s[i].x - s[i - 1].x) * (s[i].x - s[i - 1].x) + (s[i].y - s[i - 1].y) * (s[i].y - s[i - 1].y)).squareRoot() }
        return l
    }
}

public enum RouteGeometry {
    /// The pieces of a 3k+1 control polygon.
    public static func pieces(_ pts: [Point]) -> [Cubic] {
        guard pts.count >= 4, (pts.count - 1) % 3 == 0 else { return [] }
        return stride(from: 0, to: pts.count - 1, by: 3).map { Cubic(pts[$0], pts[$0 + 1], pts[$0 + 2], pts[$0 + 3]) }
    }

    /// The control polygon of consecutive pieces (3k+1 points).
    public static func points(_ cs: [Cubic]) -> [Point] {
        guard let f = cs.first else { return [] }
        var out = [f.p0]
        for c in cs { out += [c.p1, c.p2, c.p3] }
        return out
    }

    /// The route as a polyline, `steps` samples a piece (8 is what the bench checkers use).
    public static func polyline(_ pts: [Point], steps: Int) -> [Point] {
        let cs = pieces(pts)
        if cs.isEmpty { return pts }
        var out = [cs[0].p0]
        for c in cs { for j in 1...steps { out.append(c.point(at: Double(j) / Double(steps))) } }
        return out
    }

    /// True when the route enters one of `boxes` (other than the ones at indices in `except`), checked
    /// on the polyline of 8 samples a piece (as the bench checkers read it) and on a finer one (as drawn).
    public static func hits(_ pts: [Point], boxes: [Rect], except: Set<Int>, inflate: Double = 0) -> Bool {
        for steps in [8, 32] {
            let poly = polyline(pts, steps: steps)
            if poly.count < 2 { return false }
            var lo = Point(x: Double.infinity, y: Double.infinity), hi = Point(x: -Double.infinity, y: -Double.infinity)
            for p in poly { lo.x = min(lo.x, p.x); lo.y = min(lo.y, p.y); hi.x = max(hi.x, p.x); hi.y = max(hi.y, p.y) }
            for (i, b0) in boxes.enumerated() where !except.contains(i) {
                let b = inflate > 0 ? Rect(x: b0.x - inflate, y: b0.y - inflate, width: b0.width + 2 * inflate, height: b0.height + 2 * inflate) : b0
                if b.maxX <= lo.x || b.minX >= hi.x || b.maxY <= lo.y || b.minY >= hi.y { continue }
                for k in 1..<poly.count where b.intersectsSegment(poly[k - 1], poly[k]) { return true }
            }
        }
        return false
    }

    /// Bounding box of the route as the checkers see it (the polyline of 8 samples a piece).
    public static func bounds(_ pts: [Point]) -> Rect? {
        let poly = polyline(pts, steps: 8)
        guard let f = poly.first else { return nil }
        var lo = f, hi = f
        for p in poly { lo.x = min(lo.x, p.x); lo.y = min(lo.y, p.y); hi.x = max(hi.x, p.x); hi.y = max(hi.y, p.y) }
        return Rect(x: lo.x, y: lo.y, width: hi.x - lo.x, height: hi.y - lo.y)
    }

    /// Proper crossings between two polylines (touching and collinear overlaps do not count).
    public static func crossings(_ a: [Point], _ b: [Point]) -> Int {
        func orient(_ p: Point, _ q: Point, _ r: Point) -> Int {
            let v = (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)
            return v > 1e-9 ? 1 : (v < -1e-9 ? -1 : 0)
        }
        var n = 0
        guard a.count > 1, b.count > 1 else { return 0 }
        for i in 1..<a.count {
            let p = a[i - 1], q = a[i]
            for j in 1..<b.count {
                let r = b[j - 1], s = b[j]
                if max(p.x, q.x) < min(r.x, s.x) || max(r.x, s.x) < min(p.x, q.x) || max(p.y, q.y) < min(r.y, s.y) || max(r.y, s.y) < min(p.y, q.y) { continue }
                let o1 = orient(p, q, r), o2 = orient(p, q, s), o3 = orient(r, s, p), o4 = orient(r, s, q)
                if o1 != 0 && o2 != 0 && o3 != 0 && o4 != 0 && o1 != o2 && o3 != o4 { n += 1 }
            }
        }
        return n
    }

    /// Where the ray from the centre of `box` towards `toward` leaves the box.
    public static func border(of box: Rect, toward p: Point) -> Point {
        let c = box.center
        let dx = p.x - c.x, dy = p.y - c.y
        if abs(dx) < 1e-9 && abs(dy) < 1e-9 { return c }
        let tx = abs(dx) > 1e-9 ? (box.width / 2) / abs(dx) : Double.infinity
        let ty = abs(dy) > 1e-9 ? (box.height / 2) / abs(dy) : Double.infinity
        let t = min(tx, ty)
        return Point(x: c.x + dx * t, y: c.y + dy * t)
    }

    /// The part of `curve` outside both end boxes: from where it last leaves `a` to where it first
    /// enters `b` (found by bisection on samples).
    public static func clip(_ curve: Cubic, from a: Rect, to b: Rect) -> Cubic? {
        func inside(_ p: Point, _ r: Rect) -> Bool { p.x > r.minX && p.x < r.maxX && p.y > r.minY && p.y < r.maxY }
        let n = 64
        var t0 = 0.0, t1 = 1.0
        // last sample inside a (from the start)
        var k = 0
        while k < n && inside(curve.point(at: Double(k + 1) / Double(n)), a) { k += 1 }
        if k >= n { return nil }
        var lo = Double(k) / Double(n), hi = Double(k + 1) / Double(n)
        for _ in 0..<30 { let m = (lo + hi) / 2; if inside(curve.point(at: m), a) { lo = m } else { hi = m } }
        t0 = hi
        var j = n
        while j > 0 && inside(curve.point(at: Double(j - 1) / Double(n)), b) { j -= 1 }
        if j <= 0 { return nil }
        lo = Double(j - 1) / Double(n); hi = Double(j) / Double(n)
        for _ in 0..<30 { let m = (lo + hi) / 2; if inside(curve.point(at: m), b) { hi = m } else { lo = m } }
        t1 = lo
        if t1 <= t0 + 1e-6 { return nil }
        return curve.sub(t0, t1)
    }
}
