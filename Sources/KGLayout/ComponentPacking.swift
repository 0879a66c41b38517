/// Places the separately laid-out connected components side by side.
public protocol ComponentPacker: Sendable {
    /// Top-left offset for each component, given their sizes (width, height).
    func offsets(sizes: [(Double, Double)], separation: Double) -> [Point]
}

/// Shelf packing: components sorted by height (then by their first node), placed left to right in
/// rows no wider than a target that gives the whole drawing an aspect ratio near `aspect`
/// (width/height), but never narrower than the widest component.
public struct ShelfPacker: ComponentPacker {
    public var aspect: Double
    public init(aspect: Double = 1.6) { self.aspect = aspect }

    public func offsets(sizes: [(Double, Double)], separation s: Double) -> [Point] {
        if sizes.isEmpty { return [] }
        if sizes.count == 1 { return [Point(x: 0, y: 0)] }
        let area = sizes.reduce(0.0) { $0 + ($1.0 + s) * ($1.1 + s) }
        let widest = sizes.map(\.0).max() ?? 0
        let target = max(widest, (area * aspect).squareRoot())
        let order = sizes.indices.sorted { (-sizes[$0].1, $0) < (-sizes[$1].1, $1) }
        var out = [Point](repeating: Point(x: 0, y: 0), count: sizes.count)
        var x = 0.0, y = 0.0, rowHeight = 0.0
        for i in order {
            let (w, h) = sizes[i]
            if x > 0 && x + w > target { y += rowHeight + s; x = 0; rowHeight = 0 }
            out[i] = Point(x: x, y: y)
            x += w + s; rowHeight = max(rowHeight, h)
        }
        return out
    }
}
