import Foundation
import KGCore

enum PatternContext { case match, expression, merge, create }

struct CNode {
    var slot: Int
    var isNew: Bool
    var labels: [String]
    var props: [(String, Eval)]
    /// Evaluates to a name the node must be known under (planner hint for the alias index).
    var nameHint: Eval?
    var exactNameHint: Eval?
    var propsMap: Eval? = nil
}

struct CRel {
    var slot: Int
    var isNew: Bool
    /// (stored type or nil for any, direction to walk from the left node)
    var steps: [(type: String?, dir: Direction)]
    var props: [(String, Eval)]
    var varLen: (min: Int, max: Int?)?
    var propsMap: Eval? = nil
    /// Interned type symbols resolved at compile time (nil: not interned yet; looked up at run time).
    var symbols: [Symbol?] = []
}

struct CPart {
    var nodes: [CNode]
    var rels: [CRel]
    var reversed: Bool
    var pathSlot: Int?
    var shortest: Bool?
    var nodeSlots: [Int]  // in written order
    var relSlots: [Int]
    var varLenFlags: [Bool]
}

/// Node distances of a breadth-first search, indexed by node id.
struct DistMap {
    var a: [Int32]
    subscript(_ n: Int32) -> Int? {
        get { let d = a[Int(n)]; return d < 0 ? nil : Int(d) }
        set { a[Int(n)] = Int32(newValue ?? -1) }
    }
}

/// A compiled MATCH (or pattern predicate): enumerates the bindings of its patterns for a row.
final class Matcher {
    var parts: [CPart]
    var predicate: Eval?
    let description: String
    var width = 0

    init(parts: [CPart], predicate: Eval?, description: String, width: Int) {
        self.parts = parts
        self.predicate = predicate
        self.description = description
        self.width = width
    }

    @inline(__always)
    func padded(_ row: Row) -> Row {
        if row.count >= width { return row }
        var r = row
        r.reserveCapacity(width)
        while r.count < width { r.append(.null) }
        return r
    }

    func exists(_ row: Row, _ ctx: ExecContext) throws -> Bool {
        var found = false
        try forEach(row, ctx) { _ in found = true; return false }
        return found
    }

    /// Calls `body` for each match; `body` returns false to stop.
    func forEach(_ row: Row, _ ctx: ExecContext, _ body: (Row) throws -> Bool) throws {
        var r = padded(row)
        var used: [Int32] = []
        _ = try matchPart(0, &r, &used, ctx, body)
    }

    /// Start candidates of the first part (nil when its first node is bound).
    func firstCandidates(_ row: Row, _ ctx: ExecContext) throws -> [Int32]? {
        guard let p = parts.first, p.shortest == nil, p.nodes[0].isNew else { return nil }
        return try candidates(p.nodes[0], row, ctx)
    }

    /// Matches with the first node of the first part fixed to `start`.
    func forEach(start: Int32, _ row: Row, _ ctx: ExecContext, _ body: (Row) throws -> Bool) throws {
        var r = padded(row)
        var used: [Int32] = []
        let p = parts[0]
        guard try nodeOK(start, p.nodes[0], r, ctx) else { return }
        r[p.nodes[0].slot] = .node(NodeID(start))
        _ = try step(0, 0, start, &r, &used, ctx, body)
    }

    func candidates(_ n: CNode, _ row: Row, _ ctx: ExecContext) throws -> [Int32] {
        let g = ctx.graph
        if let h = n.exactNameHint ?? n.nameHint, case .string(let s) = try h(row, ctx) {
            return g.resolve(name: s).map(\.raw).sorted()
        }
        if !n.labels.isEmpty {
            let best = n.labels.min { g.labelCardinality($0) < g.labelCardinality($1) }!
            return g.nodes(withLabel: best).map(\.raw)
        }
        var out: [Int32] = []
        out.reserveCapacity(g.nodeCount)
        for i in 0..<g.nodeCapacity where g.isAlive(NodeID(i)) { out.append(Int32(i)) }
        return out
    }

    func nodeOK(_ id: Int32, _ n: CNode, _ row: Row, _ ctx: ExecContext) throws -> Bool {
        let g = ctx.graph
        let nid = NodeID(id)
        if !g.isAlive(nid) { return false }
        for l in n.labels where !ctx.hasLabel(nid, l) { return false }
        for (k, ev) in n.props {
            let want = try ev(row, ctx)
            let have = g.property(nid, k).map(QueryValue.init) ?? .null
            if QueryValue.cypherEquals(have, want) != true { return false }
        }
        return true
    }

    func relOK(_ e: Int32, _ r: CRel, _ row: Row, _ ctx: ExecContext) throws -> Bool {
        for (k, ev) in r.props {
            let want = try ev(row, ctx)
            let have = ctx.graph.property(EdgeID(e), k).map(QueryValue.init) ?? .null
            if QueryValue.cypherEquals(have, want) != true { return false }
        }
        return true
    }

    /// Relation types stored with a direction but declared `undirected` in the schema: an untyped
    /// directed pattern matches their edges both ways (typed patterns get this from `relSteps`).
    private var undirectedTypes: Set<Int32>? = nil

    func undirected(_ g: Graph) -> Set<Int32> {
        if let u = undirectedTypes { return u }
        var out: Set<Int32> = []
        for (name, r) in g.schema.relations where r.undirected {
            if let s = g.strings.lookup(name) { out.insert(s.raw) }
        }
        undirectedTypes = out
        return out
    }

    /// The symbol of step `si`'s type (nil: any type); `.none` when the type was never interned
    /// (no edge can have it).
    @inline(__always)
    func stepSymbol(_ r: CRel, _ si: Int, _ g: Graph) -> Symbol? {
        guard let t = r.steps[si].type else { return nil }
        if let c = r.symbols[si] { return c }
        return g.strings.lookup(t) ?? Symbol.none
    }

    /// Edges leaving `n` along a relationship pattern: (edge, node at the other end). With
    /// `reverse`, walks the pattern backwards (from the far end).
    func expand(_ n: Int32, _ r: CRel, _ ctx: ExecContext, reverse: Bool = false,
                _ visit: (Int32, Int32) throws -> Bool) throws -> Bool {
        let g = ctx.graph
        let nid = NodeID(n)
        let compact = g.adjacencyIsCompact
        for si in r.steps.indices {
            let s = r.steps[si]
            let sym = stepSymbol(r, si, g)
            if sym == Symbol.none { continue }
            var dir = s.dir
            if reverse { dir = dir == .out ? .in : (dir == .in ? .out : .both) }
            if compact {
                if dir == .out || dir == .both {
                    let adj = g.outAdjacency
                    let range = sym.map { adj.range(Int(n), type: $0.raw) } ?? adj.range(Int(n))
                    var i = range.lowerBound
                    while i < range.upperBound {
                        let e = adj.edge[i], other = adj.nbr[i]
                        i += 1
                        try ctx.tick()
                        if !(try visit(e, other)) { return false }
                    }
                }
                if dir == .in || dir == .both {
                    let adj = g.inAdjacency
                    let range = sym.map { adj.range(Int(n), type: $0.raw) } ?? adj.range(Int(n))
                    var i = range.lowerBound
                    while i < range.upperBound {
                        let e = adj.edge[i], other = adj.nbr[i]
                        i += 1
                        if dir == .both && other == n { continue }
                        try ctx.tick()
                        if !(try visit(e, other)) { return false }
                    }
                }
            } else {
                if dir == .out || dir == .both {
                    for e in g.outEdges(nid, type: sym) {
                        try ctx.tick()
                        if !(try visit(e, g.target(of: EdgeID(e)).raw)) { return false }
                    }
                }
                if dir == .in || dir == .both {
                    for e in g.inEdges(nid, type: sym) {
                        if dir == .both && g.source(of: EdgeID(e)) == g.target(of: EdgeID(e)) { continue }
                        try ctx.tick()
                        if !(try visit(e, g.source(of: EdgeID(e)).raw)) { return false }
                    }
                }
            }
            // Untyped directed step: edges of undirected types also match the other way.
            if sym == nil && dir != .both {
                let und = undirected(g)
                if und.isEmpty { continue }
                let others = dir == .out ? g.inEdges(nid) : g.outEdges(nid)
                for e in others where und.contains(g.type(of: EdgeID(e)).raw) {
                    let src = g.source(of: EdgeID(e)).raw, dst = g.target(of: EdgeID(e)).raw
                    if src == dst { continue }
                    try ctx.tick()
                    if !(try visit(e, dir == .out ? src : dst)) { return false }
                }
            }
        }
        return true
    }

    /// How many edges `expand` would visit from `n` (without visiting them: CSR range sizes).
    /// Σ weight(v) · degree(v) over `nodes` (weight 1 when `weights` is nil) for a relationship of
    /// one typed step with one direction, read straight from the compact CSR with the type and
    /// adjacency resolved once. Nil when the pattern or the store is not in that shape (the caller
    /// then asks `degree` node by node).
    func degreeSum(_ nodes: [Int32], weights: [Int64]?, _ r: CRel, _ ctx: ExecContext) throws -> Int64? {
        let g = ctx.graph
        guard r.steps.count == 1, r.varLen == nil, r.props.isEmpty, r.propsMap == nil,
              g.adjacencyIsCompact, let sym = stepSymbol(r, 0, g) else { return nil }
        if sym == Symbol.none { return 0 }
        let dir = r.steps[0].dir
        guard dir != .both, !undirected(g).contains(sym.raw) else { return nil }
        let adj = dir == .out ? g.outAdjacency : g.inAdjacency
        let t = sym.raw
        var total: Int64 = 0
        try withExtendedLifetime(adj) {
            for (i, v) in nodes.enumerated() {
                if i & 4095 == 0 { try ctx.tick() }
                let d = Int64(adj.range(Int(v), type: t).count)
                if d == 0 { continue }
                var x = d
                if let w = weights {
                    let (p, o) = w[Int(v)].multipliedReportingOverflow(by: d)
                    if o { throw Compiler.overflow() }
                    x = p
                }
                let (s, o) = total.addingReportingOverflow(x)
                if o { throw Compiler.overflow() }
                total = s
            }
        }
        return total
    }

    func degree(_ n: Int32, _ r: CRel, _ ctx: ExecContext, reverse: Bool = false) throws -> Int64 {
        let g = ctx.graph
        guard g.adjacencyIsCompact else {
            var c: Int64 = 0
            _ = try expand(n, r, ctx, reverse: reverse) { _, _ in c += 1; return true }
            return c
        }
        try ctx.tick()
        var c = 0
        for si in r.steps.indices {
            let sym = stepSymbol(r, si, g)
            if sym == Symbol.none { continue }
            var dir = r.steps[si].dir
            if reverse { dir = dir == .out ? .in : (dir == .in ? .out : .both) }
            if dir == .out || dir == .both {
                c += (sym.map { g.outAdjacency.range(Int(n), type: $0.raw) } ?? g.outAdjacency.range(Int(n))).count
            }
            if dir == .in || dir == .both {
                let adj = g.inAdjacency
                let range = sym.map { adj.range(Int(n), type: $0.raw) } ?? adj.range(Int(n))
                c += range.count
                if dir == .both { for i in range where adj.nbr[i] == n { c -= 1 } }
            }
            if sym == nil && dir != .both {
                let und = undirected(g)
                if und.isEmpty { continue }
                let adj = dir == .out ? g.inAdjacency : g.outAdjacency
                for i in adj.range(Int(n)) where adj.nbr[i] != n && und.contains(adj.type[i]) { c += 1 }
            }
        }
        return Int64(c)
    }

    func matchPart(_ pi: Int, _ row: inout Row, _ used: inout [Int32], _ ctx: ExecContext, _ body: (Row) throws -> Bool) throws -> Bool {
        if pi == parts.count {
            if let pred = predicate {
                guard case .bool(true) = try pred(row, ctx) else { return true }
            }
            return try body(row)
        }
        let p = parts[pi]
        if p.shortest != nil { return try shortest(pi, &row, &used, ctx, body) }
        let first = p.nodes[0]
        if !first.isNew {
            guard case .node(let n) = row[first.slot] else { return true }
            guard try nodeOK(n.raw, first, row, ctx) else { return true }
            return try step(pi, 0, n.raw, &row, &used, ctx, body)
        }
        for c in try candidates(first, row, ctx) {
            try ctx.tick()
            guard try nodeOK(c, first, row, ctx) else { continue }
            row[first.slot] = .node(NodeID(c))
            if !(try step(pi, 0, c, &row, &used, ctx, body)) { return false }
        }
        return true
    }

    /// Matches relationship `i` of part `pi` from node `cur` onwards.
    func step(_ pi: Int, _ i: Int, _ cur: Int32, _ row: inout Row, _ used: inout [Int32], _ ctx: ExecContext, _ body: (Row) throws -> Bool) throws -> Bool {
        let p = parts[pi]
        if i == p.rels.count {
            if let ps = p.pathSlot { row[ps] = buildPath(p, row, ctx) }
            return try matchPart(pi + 1, &row, &used, ctx, body)
        }
        let r = p.rels[i]
        let next = p.nodes[i + 1]
        func arrive(_ other: Int32, _ row: inout Row, _ used: inout [Int32]) throws -> Bool {
            if !next.isNew {
                guard case .node(let b) = row[next.slot], b.raw == other else { return true }
                guard try nodeOK(other, next, row, ctx) else { return true }
                return try step(pi, i + 1, other, &row, &used, ctx, body)
            }
            guard try nodeOK(other, next, row, ctx) else { return true }
            let saved = row[next.slot]
            row[next.slot] = .node(NodeID(other))
            let go = try step(pi, i + 1, other, &row, &used, ctx, body)
            row[next.slot] = saved
            return go
        }
        if let vl = r.varLen {
            var stack: [Int32] = []
            func dfs(_ at: Int32, _ row: inout Row, _ used: inout [Int32]) throws -> Bool {
                if stack.count >= vl.min {
                    let list = (p.reversed ? stack.reversed() : stack).map { QueryValue.relationship(EdgeID($0)) }
                    if r.isNew {
                        row[r.slot] = .list(list)
                        if !(try arrive(at, &row, &used)) { return false }
                    } else if case .list(let want) = row[r.slot], GroupKey(.list(want)) == GroupKey(.list(list)) {
                        if !(try arrive(at, &row, &used)) { return false }
                    }
                }
                if let mx = vl.max, stack.count >= mx { return true }
                var ok = true
                _ = try expand(at, r, ctx) { e, other in
                    if used.contains(e) { return true }
                    guard try relOK(e, r, row, ctx) else { return true }
                    used.append(e); stack.append(e)
                    if stack.count > 100_000 { throw CypherError(.limit, "", "variable-length expansion deeper than 100000 hops") }
                    ok = try dfs(other, &row, &used)
                    used.removeLast(); stack.removeLast()
                    return ok
                }
                return ok
            }
            return try dfs(cur, &row, &used)
        }
        var bound: Int32? = nil
        if !r.isNew {
            guard case .relationship(let e) = row[r.slot] else { return true }
            bound = e.raw
        }
        var ok = true
        _ = try expand(cur, r, ctx) { e, other in
            if let b = bound, b != e { return true }
            if used.contains(e) { return true }
            guard try relOK(e, r, row, ctx) else { return true }
            used.append(e)
            if r.isNew { row[r.slot] = .relationship(EdgeID(e)) }
            ok = try arrive(other, &row, &used)
            used.removeLast()
            return ok
        }
        return ok
    }

    func buildPath(_ p: CPart, _ row: Row, _ ctx: ExecContext) -> QueryValue {
        guard case .node(let start) = row[p.nodeSlots[0]] else { return .null }
        var nodes = [start]
        var rels: [EdgeID] = []
        var cur = start
        let g = ctx.graph
        for (i, slot) in p.relSlots.enumerated() {
            var es: [EdgeID] = []
            switch row[slot] {
            case .relationship(let e): es = [e]
            case .list(let l): es = l.compactMap { if case .relationship(let e) = $0 { return e } else { return nil } }
            default: break
            }
            for e in es {
                let other = g.source(of: e) == cur ? g.target(of: e) : g.source(of: e)
                rels.append(e); nodes.append(other); cur = other
            }
            if case .node(let n) = row[p.nodeSlots[i + 1]] { cur = n; if nodes.last != n { nodes[nodes.count - 1] = n } }
        }
        return .path(PathValue(nodes: nodes, rels: rels))
    }

    // MARK: shortest paths

    func shortest(_ pi: Int, _ row: inout Row, _ used: inout [Int32], _ ctx: ExecContext, _ body: (Row) throws -> Bool) throws -> Bool {
        let p = parts[pi]
        let a = p.nodes[0], b = p.nodes[p.nodes.count - 1]
        let r = p.rels[0]
        func ends(_ n: CNode, _ row: Row) throws -> [Int32] {
            if !n.isNew {
                guard case .node(let x) = row[n.slot] else { return [] }
                return try nodeOK(x.raw, n, row, ctx) ? [x.raw] : []
            }
            return try candidates(n, row, ctx).filter { try nodeOK($0, n, row, ctx) }
        }
        let minLen = r.varLen?.min ?? 1
        let maxLen = r.varLen.map { $0.max ?? Int.max } ?? 1
        for s in try ends(a, row) {
            row[a.slot] = .node(NodeID(s))
            for t in try ends(b, row) {
                row[b.slot] = .node(NodeID(t))
                let paths = try bfs(s, t, r, minLen, maxLen, all: p.shortest == true, row, ctx)
                for (ns, es) in paths {
                    var out = row
                    let orderedEs = p.reversed ? es.reversed() : es
                    if r.isNew {
                        out[r.slot] = r.varLen != nil ? .list(orderedEs.map { .relationship(EdgeID($0)) }) : (orderedEs.first.map { .relationship(EdgeID($0)) } ?? .null)
                    }
                    if let ps = p.pathSlot {
                        var nodes = ns.map { NodeID($0) }, rels = es.map { EdgeID($0) }
                        if p.reversed { nodes.reverse(); rels.reverse() }
                        out[ps] = .path(PathValue(nodes: nodes, rels: rels))
                    }
                    if !(try matchPart(pi + 1, &out, &used, ctx, body)) { return false }
                }
            }
        }
        return true
    }

    /// Breadth-first search for the shortest path(s) from `s` to `t`. One shortest path between
    /// two different nodes (the common case) comes from a bidirectional search over the CSR: the
    /// side with the smaller frontier is expanded, level by level, until the two searches meet.
    func bfs(_ s: Int32, _ t: Int32, _ r: CRel, _ minLen: Int, _ maxLen: Int, all: Bool, _ row: Row, _ ctx: ExecContext) throws -> [([Int32], [Int32])] {
        if s == t && minLen == 0 { return [([s], [])] }
        if !all && s != t && minLen <= 1 { return try bidirectional(s, t, r, maxLen, row, ctx) }
        return try unidirectional(s, t, r, minLen, maxLen, all: all, row, ctx)
    }

    /// Per-node search state reused across the searches of one statement (reset by touched lists).
    private var searchState: (forward: [Int32], backward: [Int32], parentF: [Int64], parentB: [Int64])? = nil

    private func bidirectional(_ s: Int32, _ t: Int32, _ r: CRel, _ maxLen: Int, _ row: Row, _ ctx: ExecContext) throws -> [([Int32], [Int32])] {
        let n = ctx.graph.nodeCapacity
        if searchState == nil || searchState!.forward.count != n {
            searchState = ([Int32](repeating: -1, count: n), [Int32](repeating: -1, count: n),
                           [Int64](repeating: -1, count: n), [Int64](repeating: -1, count: n))
            try ctx.charge(n * 24)
        }
        var st = searchState!
        searchState = nil
        var touched: [Int32] = []
        defer {
            for v in touched { st.forward[Int(v)] = -1; st.backward[Int(v)] = -1; st.parentF[Int(v)] = -1; st.parentB[Int(v)] = -1 }
            searchState = st
        }
        st.forward[Int(s)] = 0
        st.backward[Int(t)] = 0
        touched.append(s)
        touched.append(t)
        var front = [s], back = [t]
        var df = 0, db = 0
        // Best meeting so far: (length, node where the halves join, edge, side the edge was found from).
        var best: (len: Int, u: Int32, v: Int32, e: Int32, forward: Bool)? = nil
        while !front.isEmpty && !back.isEmpty && df + db < maxLen && best == nil {
            let forward = front.count <= back.count
            var next: [Int32] = []
            let frontier = forward ? front : back
            for u in frontier {
                _ = try expand(u, r, ctx, reverse: !forward) { e, v in
                    guard try relOK(e, r, row, ctx) else { return true }
                    if forward {
                        if st.forward[Int(v)] >= 0 { return true }
                        st.forward[Int(v)] = Int32(df + 1)
                        st.parentF[Int(v)] = Int64(u) << 32 | Int64(UInt32(bitPattern: e))
                        if st.backward[Int(v)] < 0 { touched.append(v) }
                        if st.backward[Int(v)] >= 0 {
                            let len = df + 1 + Int(st.backward[Int(v)])
                            if best == nil || len < best!.len { best = (len, v, v, e, true) }
                        }
                    } else {
                        if st.backward[Int(v)] >= 0 { return true }
                        st.backward[Int(v)] = Int32(db + 1)
                        st.parentB[Int(v)] = Int64(u) << 32 | Int64(UInt32(bitPattern: e))
                        if st.forward[Int(v)] < 0 { touched.append(v) }
                        if st.forward[Int(v)] >= 0 {
                            let len = db + 1 + Int(st.forward[Int(v)])
                            if best == nil || len < best!.len { best = (len, v, v, e, false) }
                        }
                    }
                    next.append(v)
                    return true
                }
            }
            try ctx.checkRows(next.count)
            if forward { front = next; df += 1 } else { back = next; db += 1 }
        }
        guard let m = best, m.len <= maxLen else { return [] }
        // Walk the parents from the meeting node to both ends.
        var left: [Int32] = [m.u], leftEdges: [Int32] = []
        var x = m.u
        while x != s {
            let p = st.parentF[Int(x)]
            leftEdges.append(Int32(truncatingIfNeeded: p))
            x = Int32(truncatingIfNeeded: p >> 32)
            left.append(x)
        }
        var right: [Int32] = [], rightEdges: [Int32] = []
        x = m.u
        while x != t {
            let p = st.parentB[Int(x)]
            rightEdges.append(Int32(truncatingIfNeeded: p))
            x = Int32(truncatingIfNeeded: p >> 32)
            right.append(x)
        }
        return [(Array(left.reversed()) + right, Array(leftEdges.reversed()) + rightEdges)]
    }

    private func unidirectional(_ s: Int32, _ t: Int32, _ r: CRel, _ minLen: Int, _ maxLen: Int, all: Bool, _ row: Row, _ ctx: ExecContext) throws -> [([Int32], [Int32])] {
        var distArr = [Int32](repeating: -1, count: ctx.graph.nodeCapacity)
        try ctx.charge(distArr.count * 4)
        defer { ctx.release(distArr.count * 4) }
        distArr[Int(s)] = 0
        var dist = DistMap(a: distArr)
        var preds: [Int32: [(Int32, Int32)]] = [:]  // node -> [(prev node, edge)]
        var frontier = [s]
        var depth = 0
        var found = false
        while !frontier.isEmpty && !found && depth < maxLen {
            depth += 1
            var next: [Int32] = []
            for u in frontier {
                _ = try expand(u, r, ctx) { e, v in
                    guard try relOK(e, r, row, ctx) else { return true }
                    if v == t && depth >= minLen { found = true }
                    if let d = dist[v] {
                        if d == depth { preds[v, default: []].append((u, e)) }
                    } else if v != s || (v == t && depth >= minLen) {
                        dist[v] = depth
                        preds[v] = [(u, e)]
                        next.append(v)
                    }
                    return true
                }
            }
            try ctx.checkRows(next.count)
            frontier = next
        }
        guard found, preds[t] != nil else { return [] }
        var out: [([Int32], [Int32])] = []
        func back(_ v: Int32, _ ns: [Int32], _ es: [Int32]) throws {
            try ctx.tick()
            if !all && !out.isEmpty { return }
            if v == s && ns.count > 1 || (v == s && es.isEmpty && s == t) { out.append(([v] + ns, es)); return }
            if v == s { out.append(([v] + ns, es)); return }
            for (u, e) in preds[v] ?? [] {
                if es.contains(e) { continue }
                try back(u, [v] + ns, [e] + es)
                if !all && !out.isEmpty { return }
            }
        }
        try back(t, [], [])
        return out
    }
}

extension Compiler {
    /// Resolves the written types of a relationship pattern through the schema.
    func relSteps(_ types: [String], _ dir: Direction) -> [(type: String?, dir: Direction)] {
        if types.isEmpty { return [(nil, dir)] }
        var out: [(type: String?, dir: Direction)] = []
        for t in types {
            var stored = t, d = dir
            if let res = graph.schema.resolveRelation(t) {
                stored = res.type
                if res.inverted { d = dir == .out ? .in : (dir == .in ? .out : .both) }
                if graph.schema.matchesBothWays(stored) { d = .both }
            }
            if !out.contains(where: { $0.type == stored && $0.dir == d }) { out.append((stored, d)) }
        }
        // a .both step subsumes directed steps of the same type
        return out.filter { s in !(s.dir != .both && out.contains { $0.type == s.type && $0.dir == .both }) }
    }

    func propEvals(_ e: Expr?, _ scope: Scope, _ ctx: PatternContext) throws -> [(String, Eval)] {
        guard let e else { return [] }
        switch e {
        case .map(let entries): return try entries.map { ($0.0, try compile($0.1, scope)) }
        case .parameter(_, let pos):
            if ctx == .create { return [] }
            throw CypherError(.syntax, "InvalidParameterUse", "a parameter cannot be used as a property map in a pattern here", pos)
        default: throw CypherError(.syntax, "UnexpectedSyntax", "expected a property map")
        }
    }

    /// Conjuncts of a predicate.
    func conjuncts(_ e: Expr?) -> [Expr] {
        guard let e else { return [] }
        if case .binary(.and, let a, let b) = e { return conjuncts(a) + conjuncts(b) }
        return [e]
    }

    func compileMatch(_ patterns: [PatternPart], _ scope: inout Scope, optional: Bool, predicate: Expr?, context: PatternContext) throws -> Matcher {
        // Type checks and variable declarations.
        var relVarsInClause: Set<String> = []
        var parts: [CPart] = []
        let hints = conjuncts(predicate)
        var elementVars = Set<String>()
        for part in patterns {
            for n in part.nodes { if let v = n.variable { elementVars.insert(v) } }
            for r in part.rels { if let v = r.variable { elementVars.insert(v) } }
        }
        var declaredSoFar = Set<String>()
        for part in patterns {
            var mine = Set<String>()
            for n in part.nodes { if let v = n.variable { mine.insert(v) } }
            for r in part.rels { if let v = r.variable { mine.insert(v) } }
            if let pv = part.pathVariable {
                if declaredSoFar.contains(pv) || mine.contains(pv) {
                    throw CypherError(.syntax, "VariableAlreadyBound", "variable `\(pv)` is already used in the pattern", part.pos)
                }
                if elementVars.contains(pv) {
                    throw CypherError(.syntax, "VariableTypeConflict", "variable `\(pv)` is a path and cannot be used as a node or relationship", part.pos)
                }
                declaredSoFar.insert(pv)
            }
            declaredSoFar.formUnion(mine)
        }
        for part in patterns {
            if let pv = part.pathVariable, scope.has(pv) {
                throw CypherError(.syntax, "VariableAlreadyBound", "variable `\(pv)` is already defined", part.pos)
            }
            var nodes: [CNode] = []
            var rels: [CRel] = []
            var nodeSlots: [Int] = [], relSlots: [Int] = []
            let widthBefore = scope.width
            for (i, np) in part.nodes.enumerated() {
                var slot: Int
                if let v = np.variable {
                    if let k = scope.kinds[v] {
                        if k != .node && (k != .value || (scope.types[v] != nil && scope.types[v] != "NODE" && scope.types[v] != "NULL")) {
                            throw CypherError(.syntax, "VariableTypeConflict", "variable `\(v)` is not a node", np.pos)
                        }
                        slot = scope.slots[v]!
                    } else {
                        if context == .expression { throw CypherError(.syntax, "UndefinedVariable", "variable `\(v)` is not defined", np.pos) }
                        slot = scope.add(v, .node)
                    }
                } else {
                    slot = scope.addHidden()
                }
                let isNew = slot >= widthBefore
                let props = try propEvals(np.properties, scope, context)
                var cn = CNode(slot: slot, isNew: isNew, labels: np.labels, props: props, nameHint: nil, exactNameHint: nil)
                if let v = np.variable, isNew {
                    for h in hints {
                        if case .function(let fname, _, let args, _) = h, fname.lowercased() == "kg.named", args.count == 2,
                           case .variable(let x, _) = args[0], x == v, isConstant(args[1]) {
                            cn.nameHint = try compile(args[1], Scope())
                        }
                        if case .binary(.eq, let l, let rr) = h {
                            if case .property(.variable(let x, _), "name") = l, x == v, isConstant(rr) { cn.exactNameHint = try compile(rr, Scope()) }
                            if case .property(.variable(let x, _), "name") = rr, x == v, isConstant(l) { cn.exactNameHint = try compile(l, Scope()) }
                        }
                    }
                }
                if let pe = np.properties, case .map(let entries) = pe, let nm = entries.first(where: { $0.0 == "name" }), isConstant(nm.1) {
                    cn.exactNameHint = try compile(nm.1, Scope())
                }
                nodes.append(cn)
                nodeSlots.append(slot)
                if i < part.rels.count {
                    let rp = part.rels[i]
                    var rslot: Int
                    var rNew = true
                    if let v = rp.variable {
                        if relVarsInClause.contains(v) {
                            throw CypherError(.syntax, "RelationshipUniquenessViolation", "relationship variable `\(v)` is used twice in one pattern", rp.pos)
                        }
                        if let k = scope.kinds[v] {
                            if rp.varLength != nil {
                                if k != .relList && k != .value { throw CypherError(.syntax, "VariableTypeConflict", "variable `\(v)` is not a list of relationships", rp.pos) }
                                if context == .merge { throw CypherError(.syntax, "VariableAlreadyBound", "variable `\(v)` is already defined", rp.pos) }
                            }
                            if rp.varLength == nil && (k != .rel && k != .value || (scope.types[v] != nil && scope.types[v] != "RELATIONSHIP" && scope.types[v] != "NULL")) { throw CypherError(.syntax, "VariableTypeConflict", "variable `\(v)` is not a relationship", rp.pos) }
                            if context == .merge { throw CypherError(.syntax, "VariableAlreadyBound", "variable `\(v)` is already defined", rp.pos) }
                            rslot = scope.slots[v]!
                            rNew = rslot >= widthBefore
                        } else {
                            if context == .expression { throw CypherError(.syntax, "UndefinedVariable", "variable `\(v)` is not defined", rp.pos) }
                            rslot = scope.add(v, rp.varLength != nil ? .relList : .rel)
                        }
                        relVarsInClause.insert(v)
                    } else {
                        rslot = scope.addHidden()
                    }
                    if let vl = rp.varLength, let lo = vl.min, let hi = vl.max, lo > hi { _ = lo }
                    let rprops = try propEvals(rp.properties, scope, context)
                    let steps = relSteps(rp.types, rp.direction)
                    rels.append(CRel(slot: rslot, isNew: rNew, steps: steps, props: rprops,
                                     varLen: rp.varLength.map { (min: $0.min ?? 1, max: $0.max) },
                                     symbols: steps.map { $0.type.flatMap { graph.strings.lookup($0) } }))
                    relSlots.append(rslot)
                }
            }
            var pathSlot: Int? = nil
            if let pv = part.pathVariable { pathSlot = scope.add(pv, .path) }
            if part.shortest != nil {
                if part.rels.count != 1 { throw CypherError(.syntax, "UnexpectedSyntax", "shortestPath needs a single relationship pattern", part.pos) }
            }
            var cp = CPart(nodes: nodes, rels: rels, reversed: false, pathSlot: pathSlot, shortest: part.shortest,
                           nodeSlots: nodeSlots, relSlots: relSlots, varLenFlags: part.rels.map { $0.varLength != nil })
            // Orientation: start from the bound end, or from the end with the cheaper start.
            let firstBound = cp.nodes[0].slot < widthBefore
            let lastBound = cp.nodes[cp.nodes.count - 1].slot < widthBefore
            var reverse = false
            if cp.nodes.count > 1 && part.shortest == nil && context != .create {
                if !firstBound && lastBound { reverse = true }
                else if !firstBound && !lastBound {
                    if startCost(cp.nodes[cp.nodes.count - 1]) < startCost(cp.nodes[0]) { reverse = true }
                }
            }
            if reverse {
                cp.reversed = true
                cp.nodes.reverse()
                cp.rels.reverse()
                for j in cp.rels.indices {
                    cp.rels[j].steps = cp.rels[j].steps.map { ($0.type, $0.dir == .out ? .in : ($0.dir == .in ? .out : .both)) }
                }
            }
            // The first occurrence of a variable introduced by this part binds it; later ones check.
            var seen: Set<Int> = []
            for j in cp.nodes.indices {
                let s = cp.nodes[j].slot
                cp.nodes[j].isNew = s >= widthBefore && !seen.contains(s)
                seen.insert(s)
            }
            parts.append(cp)
        }
        var desc = patterns.map(\.description).joined(separator: ", ")
        if let p = predicate { desc += " WHERE \(p)" }
        let pred = try predicate.map { try compileWhere($0, scope) }
        return Matcher(parts: parts, predicate: pred, description: desc, width: scope.width)
    }


    func startCost(_ n: CNode) -> Int {
        if !n.isNew { return 0 }
        if n.exactNameHint != nil || n.nameHint != nil { return 1 }
        if !n.labels.isEmpty { return n.labels.map { graph.labelCardinality($0) }.min()! + 2 }
        return graph.nodeCount + 2
    }

    func isConstant(_ e: Expr) -> Bool {
        switch e {
        case .literal, .parameter: return true
        default: return false
        }
    }

    func compileWhere(_ e: Expr, _ scope: Scope) throws -> Eval {
        if containsAggregate(e) {
            var pos = SourcePos.none
            walk(e) { x in
                if case .function(_, _, _, let p) = x, isAggregateCall(x) { pos = p; return false }
                if case .countStar(let p) = x { pos = p; return false }
                return true
            }
            throw CypherError(.syntax, "InvalidAggregation", "aggregate functions are not allowed in WHERE", pos)
        }
        try staticCheck(e, scope, allowed: ["BOOLEAN"], "WHERE")
        let ev = try compile(e, scope)
        return { r, ctx in
            let v = try ev(r, ctx)
            switch v {
            case .bool, .null: return v
            default: throw typeError("WHERE needs a boolean, got \(v.typeName)")
            }
        }
    }
}
