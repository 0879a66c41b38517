/// The proper layered graph the middle phases work on: every edge joins consecutive layers, long
/// edges run through dummy nodes, and a labelled edge has a label dummy as big as its label.
public struct LayeredGraph: Sendable {
    public enum Role: Equatable, Sendable { case real(Int), dummy(edge: Int), label(edge: Int) }
    public var role: [Role]
    public var width: [Double]
    public var height: [Double]
    public var layer: [Int]
    /// Node ids per layer, in drawing order (left to right in TB).
    public var layers: [[Int]]
    /// Neighbours in the layer above / below (with repetition for parallel edges).
    public var up: [[Int]]
    public var down: [[Int]]

    public init() { role = []; width = []; height = []; layer = []; layers = []; up = []; down = [] }

    public var count: Int { role.count }
    public func isDummy(_ v: Int) -> Bool { if case .real = role[v] { return false } else { return true } }

    @discardableResult
    public mutating func addNode(_ r: Role, width w: Double, height h: Double, layer l: Int) -> Int {
        role.append(r); width.append(w); height.append(h); layer.append(l)
        up.append([]); down.append([])
        while layers.count <= l { layers.append([]) }
        layers[l].append(role.count - 1)
        return role.count - 1
    }

    public mutating func connect(_ upper: Int, _ lower: Int) {
        down[upper].append(lower); up[lower].append(upper)
    }

    /// Position of every node within its layer.
    public func positions() -> [Int] {
        var pos = [Int](repeating: 0, count: count)
        for l in layers { for (i, v) in l.enumerated() { pos[v] = i } }
        return pos
    }

    /// Total number of crossings between consecutive layers (Barth, Jünger, Mutzel 2004, with a Fenwick tree).
    public func crossings() -> Int {
        let pos = positions()
        var total = 0
        var tree: [Int] = []
        var pairs: [Int] = []
        for i in 0..<max(0, layers.count - 1) {
            let lower = layers[i + 1].count
            pairs.removeAll(keepingCapacity: true)
            for v in layers[i] {
                var targets = down[v].map { pos[$0] }
                targets.sort()
                for t in targets { pairs.append(t) }
            }
            tree = [Int](repeating: 0, count: lower + 1)
            var inserted = 0
            for t in pairs {
                // count inserted with position > t
                var s = 0, k = t + 1
                while k > 0 { s += tree[k]; k -= k & (-k) }
                total += inserted - s
                k = t + 1
                while k <= lower { tree[k] += 1; k += k & (-k) }
                inserted += 1
            }
        }
        return total
    }
}
