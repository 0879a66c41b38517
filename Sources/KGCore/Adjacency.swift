import Dispatch

/// Adjacency of one direction (outgoing or incoming) as CSR: the edges of node *n* are
/// `edge[off[n]..<off[n + 1]]`, sorted by (relation type, edge id), with the node at the other
/// end in `nbr` and the type in `type` at the same positions, so the edges of one type are a
/// contiguous slice found by binary search over a few cached bytes.
///
/// The CSR covers the nodes and edges that existed when it was built (`build`, one counting sort).
/// Later edits go to an overlay: a node whose edges change gets its own sorted list in `dirty`,
/// which then stands for its CSR slice. `Graph.compactAdjacency()` folds the overlay back.
public final class Adjacency: @unchecked Sendable {
    /// `off[n]..<off[n + 1]`: positions of node n's edges (count: built nodes + 1).
    public internal(set) var off: [Int32] = [0]
    /// Edge ids in CSR order.
    public internal(set) var edge: [Int32] = []
    /// The node at the other end of `edge[i]`.
    public internal(set) var nbr: [Int32] = []
    /// The relation type symbol of `edge[i]`.
    public internal(set) var type: [Int32] = []
    /// Nodes whose edges changed since the build: their sorted edge ids.
    var dirty: [Int32: [Int32]] = [:]

    init() {}

    /// Number of nodes the CSR part covers.
    public var builtNodes: Int { off.count - 1 }
    /// True when no node has edits on top of the CSR: `off`/`edge`/`nbr`/`type` are the whole truth.
    public var isCompact: Bool { dirty.isEmpty }

    /// Builds the CSR of `nodeCount` nodes from the edge columns. `from[e]` is the node whose list
    /// gets edge e, `to[e]` the neighbour; dead edges are skipped. Two counting sorts: edges by
    /// type (stable, so ids stay ascending within a type), then by node.
    static func build(nodeCount: Int, from: [Int32], to: [Int32], types: [Symbol], alive: [Bool]) -> Adjacency {
        let a = Adjacency()
        let m = from.count
        // Dense type numbers in symbol order (a direct map by symbol value).
        var maxSym: Int32 = 0
        for t in types where t.raw > maxSym { maxSym = t.raw }
        var denseOf = [Int32](repeating: -1, count: Int(maxSym) + 1)
        for t in types { denseOf[Int(t.raw)] = 0 }
        var typeCount = 0
        for i in 0..<denseOf.count where denseOf[i] == 0 {
            denseOf[i] = Int32(typeCount)
            typeCount += 1
        }
        var live = 0
        var byType: [Int32] = []
        var off = [Int32](repeating: 0, count: nodeCount + 1)
        from.withUnsafeBufferPointer { fr in
            types.withUnsafeBufferPointer { ty in
                alive.withUnsafeBufferPointer { al in
                    denseOf.withUnsafeBufferPointer { dn in
                        var startOf = [Int](repeating: 0, count: typeCount + 1)
                        for e in 0..<m where al[e] {
                            startOf[Int(dn[Int(ty[e].raw)]) + 1] += 1
                            off[Int(fr[e]) + 1] += 1
                            live += 1
                        }
                        for i in 0..<typeCount { startOf[i + 1] += startOf[i] }
                        byType = [Int32](repeating: 0, count: live)
                        byType.withUnsafeMutableBufferPointer { bt in
                            for e in 0..<m where al[e] {
                                let d = Int(dn[Int(ty[e].raw)])
                                bt[startOf[d]] = Int32(e)
                                startOf[d] += 1
                            }
                        }
                    }
                }
            }
        }
        for i in 0..<nodeCount { off[i + 1] += off[i] }
        var edge = [Int32](repeating: 0, count: live)
        var nbr = [Int32](repeating: 0, count: live)
        var type = [Int32](repeating: 0, count: live)
        var pos = off
        byType.withUnsafeBufferPointer { bt in
            from.withUnsafeBufferPointer { fr in
                to.withUnsafeBufferPointer { tt in
                    types.withUnsafeBufferPointer { ty in
                        pos.withUnsafeMutableBufferPointer { ps in
                            edge.withUnsafeMutableBufferPointer { ed in
                                nbr.withUnsafeMutableBufferPointer { nb in
                                    type.withUnsafeMutableBufferPointer { tp in
                                        for e in bt {
                                            let ei = Int(e)
                                            let s = Int(fr[ei])
                                            let p = Int(ps[s])
                                            ps[s] += 1
                                            ed[p] = e
                                            nb[p] = tt[ei]
                                            tp[p] = ty[ei].raw
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        a.off = off
        a.edge = edge
        a.nbr = nbr
        a.type = type
        return a
    }

    /// Restores a CSR from its arrays (`GraphImage`); the caller validates them.
    init(off: [Int32], edge: [Int32], nbr: [Int32], type: [Int32]) {
        self.off = off
        self.edge = edge
        self.nbr = nbr
        self.type = type
    }

    @inline(__always)
    public func range(_ n: Int) -> Range<Int> {
        n < builtNodes ? Int(off[n])..<Int(off[n + 1]) : 0..<0
    }

    /// Positions of node n's edges of type `t` within `range(n)` (CSR part only).
    @inline(__always)
    public func range(_ n: Int, type t: Int32) -> Range<Int> {
        let r = range(n)
        if r.isEmpty { return r }
        return type.withUnsafeBufferPointer { ty in
            var lo = r.lowerBound, hi = r.upperBound
            // Small lists: scan; larger ones: binary search for both ends.
            if hi - lo <= 8 {
                var a = lo
                while a < hi && ty[a] < t { a += 1 }
                var b = a
                while b < hi && ty[b] == t { b += 1 }
                return a..<b
            }
            var l = lo, h = hi
            while l < h {
                let mid = (l + h) >> 1
                if ty[mid] < t { l = mid + 1 } else { h = mid }
            }
            lo = l
            h = hi
            while l < h {
                let mid = (l + h) >> 1
                if ty[mid] <= t { l = mid + 1 } else { h = mid }
            }
            hi = l
            return lo..<hi
        }
    }

    /// Edge ids of node n (all, or of type `t`), sorted by (type, id). `types` is the edge type column.
    func edges(_ n: Int, _ t: Symbol?, _ types: [Symbol]) -> ArraySlice<Int32> {
        if !dirty.isEmpty, let list = dirty[Int32(n)] {
            guard let t else { return list[...] }
            let lo = list.partitioningIndex { types[Int($0)].raw >= t.raw }
            let hi = list[lo...].partitioningIndex { types[Int($0)].raw > t.raw }
            return list[lo..<hi]
        }
        guard let t else { return edge[range(n)] }
        return edge[range(n, type: t.raw)]
    }

    func degree(_ n: Int) -> Int {
        if !dirty.isEmpty, let list = dirty[Int32(n)] { return list.count }
        return range(n).count
    }

    @inline(__always)
    static func less(_ a: Int32, _ b: Int32, _ types: [Symbol]) -> Bool {
        let ta = types[Int(a)].raw, tb = types[Int(b)].raw
        return ta != tb ? ta < tb : a < b
    }

    private func takeDirty(_ n: Int) -> [Int32] {
        if let l = dirty.removeValue(forKey: Int32(n)) { return l }
        return Array(edge[range(n)])
    }

    /// Adds edge `e` to node n's list (the overlay).
    func insert(_ n: Int, _ e: Int32, _ types: [Symbol]) {
        var list = takeDirty(n)
        if let last = list.last, !Self.less(e, last, types) {
            list.append(e)
        } else {
            let pos = list.partitioningIndex { !Self.less($0, e, types) }
            list.insert(e, at: pos)
        }
        dirty[Int32(n)] = list
    }

    /// Removes edge `e` from node n's list (the overlay).
    func remove(_ n: Int, _ e: Int32, _ types: [Symbol]) {
        var list = takeDirty(n)
        let pos = list.partitioningIndex { !Self.less($0, e, types) }
        if pos < list.count, list[pos] == e { list.remove(at: pos) } else { list.removeAll { $0 == e } }
        dirty[Int32(n)] = list
    }

    var memoryBytes: Int { off.capacity * 4 + edge.capacity * 4 + nbr.capacity * 4 + type.capacity * 4 }
}
