import KGCore

/// Rewrites the compiled operator tree of a read-only statement where the store can answer a
/// whole `MATCH … RETURN <aggregates>` without producing the matches one row at a time:
///
/// - **Factorized counts.** `MATCH (a)-[:R1]->(b)-[:R2]->(c) RETURN count(*)` (any chain of
///   single relationships, labels and constant properties on the nodes) is a sum of products of
///   per-node counts along the chain, computed hop by hop over the CSR on vectors of per-node path
///   counts — q3's 164,075 two-hop paths are never enumerated. Relationship uniqueness is kept:
///   two hops that could use the same edge are corrected exactly (two hops) or left to the row
///   executor (longer chains).
/// - **Counts by relationship type.** `MATCH (a)-[r]->(b) RETURN type(r), count(*)` reads the
///   edge type column once, in the group order the row executor would have produced.
/// - **Distinct ends of variable-length patterns.** `MATCH (a {…})-[*1..3]->(b) RETURN
///   count(DISTINCT b)` is a breadth-first search per start node over the CSR with a bitmap of the
///   nodes reached (for directed patterns a node reachable by a walk of length 1…k is reachable
///   by a path, so no trail needs enumerating).
///
/// Each rewrite replaces only the aggregation (`AggregateOp` over `MatchOp`): the operators above
/// it — DISTINCT, ORDER BY, SKIP, LIMIT — run unchanged on identical rows, so results do not
/// depend on which path computed them. Anything the rewrites do not cover keeps the row plan.
enum Planner {
    static func optimize(_ st: Statement, _ root: Op, _ graph: Graph) -> Op {
        guard st.parts.count == 1, !Compiler.hasUpdates(st), let q = st.parts.first, q.clauses.count == 2,
              case .match(let optional, let patterns, let predicate, _) = q.clauses[0], !optional, predicate == nil,
              patterns.count == 1, case .return(let proj) = q.clauses[1]
        else { return root }
        // Find AggregateOp(MatchOp(UnitOp)) in the chain below the root.
        var parent: Op? = nil
        var cur: Op? = root
        while let c = cur, !(c is AggregateOp) {
            parent = c
            cur = c.input
        }
        guard let agg = cur as? AggregateOp, let match = agg.input as? MatchOp, match.input is UnitOp,
              match.matcher.parts.count == 1, match.matcher.predicate == nil
        else { return root }
        let part = match.matcher.parts[0]
        let ast = patterns[0]
        guard ast.shortest == nil, FactorizedPattern.constantProperties(ast) else { return root }
        guard let fast = FastAggregateOp.make(proj: proj, ast: ast, part: part, matcher: match.matcher, graph: graph) else {
            return root
        }
        fast.input = agg.input
        if let p = parent {
            p.input = fast
            return root
        }
        return fast
    }
}

/// The node constraints of a pattern position, checked on node ids.
struct NodeFilter {
    let labels: [String]
    let props: [(key: String, want: QueryValue)]
    /// Candidate ids from a name hint (nil: every node).
    let candidates: [Int32]?
    var isTrivial: Bool { labels.isEmpty && props.isEmpty && candidates == nil }
    /// Per stored label symbol: whether it satisfies every wanted label.
    private var labelOK: [Symbol: Bool] = [:]
    private var candidateSet: Set<Int32>? = nil
    /// The last label symbol looked up and its answer (nodes of one kind come in runs).
    private var lastLabel: Symbol? = nil
    private var lastLabelOK = false

    init(_ n: CNode, _ ctx: ExecContext, _ matcher: Matcher) throws {
        labels = n.labels
        props = try n.props.map { ($0.0, try $0.1([], ctx)) }
        if n.exactNameHint != nil || n.nameHint != nil {
            candidates = try matcher.candidates(n, [], ctx)
            candidateSet = Set(candidates!)
        } else {
            candidates = nil
        }
    }

    /// Whether node `id` passes (`Matcher.nodeOK` on ids; name-hint candidates included).
    mutating func ok(_ id: Int32, _ ctx: ExecContext) -> Bool {
        let g = ctx.graph
        let nid = NodeID(id)
        if let c = candidateSet, !c.contains(id) { return false }
        if !g.isAlive(nid) { return false }
        if !labels.isEmpty {
            let own = g.labelSymbols(of: nid)
            if own.count == 1 {
                let k = own[0]
                if k == lastLabel {
                    if !lastLabelOK { return false }
                } else if let v = labelOK[k] {
                    lastLabel = k
                    lastLabelOK = v
                    if !v { return false }
                } else {
                    let v = labels.allSatisfy { ctx.hasLabel(nid, $0) }
                    labelOK[k] = v
                    lastLabel = k
                    lastLabelOK = v
                    if !v { return false }
                }
            } else if !labels.allSatisfy({ ctx.hasLabel(nid, $0) }) {
                return false
            }
        }
        for (k, want) in props {
            let have = g.property(nid, k).map(QueryValue.init) ?? .null
            if QueryValue.cypherEquals(have, want) != true { return false }
        }
        return true
    }

    /// The nodes to start from: the name-hint candidates, the smallest label's nodes, or all.
    func startNodes(_ g: Graph) -> [Int32] {
        if let c = candidates { return c }
        if !labels.isEmpty {
            let best = labels.min { g.labelCardinality($0) < g.labelCardinality($1) }!
            return g.nodes(withLabel: best).map(\.raw)
        }
        return (0..<Int32(g.nodeCapacity)).filter { g.isAlive(NodeID($0)) }
    }
}

enum FactorizedPattern {
    /// True when every property map in the pattern holds only literals and parameters (so the
    /// filters can be evaluated once, without a row), and relationships have none.
    static func constantProperties(_ p: PatternPart) -> Bool {
        func constant(_ e: Expr?) -> Bool {
            guard let e else { return true }
            guard case .map(let entries) = e else { return false }
            return entries.allSatisfy { entry in
                switch entry.1 {
                case .literal, .parameter: return true
                default: return false
                }
            }
        }
        return p.nodes.allSatisfy { constant($0.properties) } && p.rels.allSatisfy { $0.properties == nil }
    }

    /// How many times `Matcher.expand` visits edge `e` (one traversal per visit), as
    /// (from, to) pairs, for relationship pattern `r`.
    static func traversals(_ e: Int32, _ r: CRel, _ matcher: Matcher, _ g: Graph, _ visit: (Int32, Int32) -> Void) {
        let src = g.edgeSrc[Int(e)], dst = g.edgeDst[Int(e)], t = g.edgeType[Int(e)]
        for si in r.steps.indices {
            let sym = matcher.stepSymbol(r, si, g)
            if let s = sym, s != t { continue }
            switch r.steps[si].dir {
            case .out: visit(src, dst)
            case .in: visit(dst, src)
            case .both:
                visit(src, dst)
                if src != dst { visit(dst, src) }
            }
            if sym == nil && r.steps[si].dir != .both && src != dst && matcher.undirected(g).contains(t.raw) {
                if r.steps[si].dir == .out { visit(dst, src) } else { visit(src, dst) }
            }
        }
    }

    /// Whether two relationship patterns can both match one edge.
    static func mayShare(_ a: CRel, _ b: CRel) -> Bool {
        let ta = a.steps.map(\.type), tb = b.steps.map(\.type)
        if ta.contains(where: { $0 == nil }) || tb.contains(where: { $0 == nil }) { return true }
        return !Set(ta.compactMap { $0 }).isDisjoint(with: Set(tb.compactMap { $0 }))
    }
}

/// An aggregation the store answers directly (see `Planner`); yields the rows `AggregateOp`
/// would have yielded, in the same order.
final class FastAggregateOp: Op {
    enum Item { case count, typeName }
    enum Kind {
        /// count(*) over a chain of single relationships.
        case chainCount
        /// count(*) grouped by type(r) over one relationship.
        case typeCounts
        /// count(DISTINCT end node) over one (variable-length) relationship.
        case distinctEnds
    }
    let kind: Kind
    let items: [Item]
    let part: CPart
    let matcher: Matcher
    var rows: [Row]? = nil
    var pos = 0

    init(kind: Kind, items: [Item], part: CPart, matcher: Matcher) {
        self.kind = kind
        self.items = items
        self.part = part
        self.matcher = matcher
        super.init(nil)
    }

    override var describe: String {
        switch kind {
        case .chainCount: return "FactorizedCount (per-node path counts hop by hop over the CSR; no rows)"
        case .typeCounts: return "CountByRelationshipType (one pass over the edge type column)"
        case .distinctEnds: return "DistinctEnds (breadth-first search over the CSR, bitmap of reached nodes)"
        }
    }

    override func explain(_ depth: Int = 0) -> [String] {
        [String(repeating: "  ", count: depth) + describe + " " + matcher.description]
    }

    static func make(proj: Projection, ast: PatternPart, part: CPart, matcher: Matcher, graph: Graph) -> FastAggregateOp? {
        guard !proj.items.isEmpty, !proj.star else { return nil }
        var relVar: String? = nil
        if ast.rels.count == 1 { relVar = ast.rels[0].variable }
        let endVar = ast.nodes.last?.variable
        var vars = Set(ast.nodes.compactMap(\.variable) + ast.rels.compactMap(\.variable))
        if let p = ast.pathVariable { vars.insert(p) }
        var items: [Item] = []
        var distinctEnd = false
        for it in proj.items {
            switch it.expr {
            case .countStar:
                items.append(.count)
            case .function(let name, let distinct, let args, _) where name.lowercased() == "count" && args.count == 1:
                guard case .variable(let v, _) = args[0], vars.contains(v) else { return nil }
                if distinct {
                    guard v == endVar, proj.items.count == 1, ast.nodes.count == 2, v != ast.nodes[0].variable else { return nil }
                    distinctEnd = true
                }
                items.append(.count)
            case .function(let name, false, let args, _) where name.lowercased() == "type" && args.count == 1:
                guard case .variable(let v, _) = args[0], v == relVar, ast.rels.count == 1, ast.rels[0].varLength == nil else { return nil }
                items.append(.typeName)
            default:
                return nil
            }
        }
        // Every node position must be a fresh variable of its own (a repeated variable is a join).
        guard Set(part.nodes.map(\.slot)).count == part.nodes.count, part.nodes.allSatisfy(\.isNew),
              part.rels.allSatisfy(\.isNew)
        else { return nil }
        let typeItems = items.filter { if case .typeName = $0 { return true } else { return false } }.count
        if distinctEnd {
            // Directed steps only (see DistinctEnds), at most from length 1.
            guard part.rels.count == 1 else { return nil }
            let r = part.rels[0]
            let minLen = r.varLen?.min ?? 1
            guard minLen <= 1, r.steps.allSatisfy({ $0.dir != .both }) else { return nil }
            if r.steps.contains(where: { $0.type == nil }) && !matcher.undirected(graph).isEmpty { return nil }
            // The first written node must be the start of the compiled part.
            guard !part.reversed else { return nil }
            return FastAggregateOp(kind: .distinctEnds, items: items, part: part, matcher: matcher)
        }
        if typeItems == 1 {
            guard part.rels.count == 1, part.rels[0].varLen == nil, part.nodes.allSatisfy({ $0.labels.isEmpty && $0.props.isEmpty && $0.nameHint == nil && $0.exactNameHint == nil })
            else { return nil }
            return FastAggregateOp(kind: .typeCounts, items: items, part: part, matcher: matcher)
        }
        guard typeItems == 0, !part.rels.isEmpty, part.rels.allSatisfy({ $0.varLen == nil }) else { return nil }
        // Relationship uniqueness: longer chains must not be able to reuse an edge.
        if part.rels.count > 2 {
            for i in part.rels.indices {
                for j in part.rels.indices where j > i && FactorizedPattern.mayShare(part.rels[i], part.rels[j]) { return nil }
            }
        }
        return FastAggregateOp(kind: .chainCount, items: items, part: part, matcher: matcher)
    }

    override func next(_ ctx: ExecContext) throws -> Row? {
        if rows == nil {
            // The input (MatchOp over the single start row) is not pulled: its rows are what this
            // operator computes without them.
            switch kind {
            case .chainCount:
                let n = try chainCount(ctx)
                rows = [items.map { _ in .int(n) }]
            case .typeCounts: rows = try typeCounts(ctx)
            case .distinctEnds: let n = try distinctEnds(ctx); rows = [items.map { _ in .int(n) }]
            }
        }
        guard pos < rows!.count else { return nil }
        pos += 1
        return rows![pos - 1]
    }

    // MARK: Factorized chain counts

    private func chainCount(_ ctx: ExecContext) throws -> Int64 {
        let g = ctx.graph
        let n = g.nodeCapacity
        var filters = try part.nodes.map { try NodeFilter($0, ctx, matcher) }
        // One hop to any node: the sum of the start nodes' degrees.
        if part.rels.count == 1 && filters[1].isTrivial {
            let starts = filters[0].startNodes(g).filter { filters[0].ok($0, ctx) }
            if let s = try matcher.degreeSum(starts, weights: nil, part.rels[0], ctx) { return s }
        }
        // w[v]: number of partial matches ending at v; `active`: the nodes where w > 0.
        var w = [Int64](repeating: 0, count: n)
        try ctx.charge(n * 8)
        defer { ctx.release(n * 8) }
        var active: [Int32] = []
        var total: Int64 = 0
        func add(_ x: Int64) throws {
            let (s, o) = total.addingReportingOverflow(x)
            if o { throw Compiler.overflow() }
            total = s
        }
        var hop = 0
        if filters[0].isTrivial && part.rels.count > 1 {
            // First hop from every node: the partial counts at the second node are its degrees
            // the other way (a sum of degree products follows, not an enumeration).
            let r = part.rels[0]
            for u in 0..<Int32(n) where g.isAlive(NodeID(u)) && filters[1].ok(u, ctx) {
                let d = try matcher.degree(u, r, ctx, reverse: true)
                if d > 0 {
                    w[Int(u)] = d
                    active.append(u)
                }
            }
            hop = 1
        } else {
            active = filters[0].startNodes(g).filter { filters[0].ok($0, ctx) }
            for v in active { w[Int(v)] = 1 }
        }
        while hop < part.rels.count {
            let r = part.rels[hop]
            let last = hop == part.rels.count - 1
            let target = hop + 1
            if last && filters[target].isTrivial {
                if let s = try matcher.degreeSum(active, weights: w, r, ctx) {
                    try add(s)
                    break
                }
                for v in active {
                    let (p, o) = w[Int(v)].multipliedReportingOverflow(by: try matcher.degree(v, r, ctx))
                    if o { throw Compiler.overflow() }
                    try add(p)
                }
                break
            }
            var next = [Int64](repeating: 0, count: n)
            try ctx.charge(n * 8)
            defer { ctx.release(n * 8) }
            var nextActive: [Int32] = []
            var passes = [UInt8](repeating: 0, count: n)  // 0 unknown, 1 yes, 2 no
            for v in active {
                let wv = w[Int(v)]
                _ = try matcher.expand(v, r, ctx) { _, u in
                    var p = passes[Int(u)]
                    if p == 0 {
                        p = filters[target].ok(u, ctx) ? 1 : 2
                        passes[Int(u)] = p
                    }
                    if p == 1 {
                        if next[Int(u)] == 0 { nextActive.append(u) }
                        let (s, o) = next[Int(u)].addingReportingOverflow(wv)
                        if o { throw Compiler.overflow() }
                        next[Int(u)] = s
                    }
                    return true
                }
            }
            w = next
            active = nextActive
            if last { for v in active { try add(w[Int(v)]) } }
            hop += 1
        }
        // Two hops that can use the same edge: remove the walks that use it twice.
        if part.rels.count == 2, FactorizedPattern.mayShare(part.rels[0], part.rels[1]) {
            let r1 = part.rels[0], r2 = part.rels[1]
            var bad: Int64 = 0
            for e in 0..<Int32(g.edgeCapacity) where g.isAlive(EdgeID(e)) {
                try ctx.tick()
                var first: [(Int32, Int32)] = []
                FactorizedPattern.traversals(e, r1, matcher, g) { first.append(($0, $1)) }
                if first.isEmpty { continue }
                FactorizedPattern.traversals(e, r2, matcher, g) { y, z in
                    for (x, y1) in first where y1 == y && filters[0].ok(x, ctx) && filters[1].ok(y, ctx) && filters[2].ok(z, ctx) {
                        bad += 1
                    }
                }
            }
            total -= bad
        }
        return total
    }

    // MARK: Counts by relationship type

    private func typeCounts(_ ctx: ExecContext) throws -> [Row] {
        let g = ctx.graph
        let r = part.rels[0]
        let alive = g.edgeAlive, src = g.edgeSrc, dst = g.edgeDst, types = g.edgeType
        let und = matcher.undirected(g)
        var maxType: Int32 = 0
        for t in types where t.raw > maxType { maxType = t.raw }
        let nt = Int(maxType) + 1
        // Per type symbol: traversals, and where the row executor meets the type first — the
        // scan goes start node by start node, step by step, out-edges before in-edges.
        var count = [Int64](repeating: 0, count: nt)
        var firstNode = [Int32](repeating: Int32.max, count: nt)
        var firstRest = [Int](repeating: Int.max, count: nt)
        var matches = [[Bool]](repeating: [], count: r.steps.count)
        for si in r.steps.indices {
            let sym = matcher.stepSymbol(r, si, g)
            matches[si] = (0..<nt).map { t in sym == nil || sym!.raw == Int32(t) }
        }
        let dirs = r.steps.map(\.dir)
        let untyped = r.steps.map { $0.type == nil }
        @inline(__always) func seen(_ t: Int, _ start: Int32, _ rest: Int) {
            count[t] += 1
            if start < firstNode[t] || (start == firstNode[t] && rest < firstRest[t]) {
                firstNode[t] = start
                firstRest[t] = rest
            }
        }
        for e in 0..<src.count where alive[e] {
            if e & 0xFFF == 0 { try ctx.tick() }
            let t = Int(types[e].raw), s = src[e], d = dst[e]
            for si in 0..<dirs.count where matches[si][t] {
                switch dirs[si] {
                case .out: seen(t, s, si * 4)
                case .in: seen(t, d, si * 4 + 1)
                case .both:
                    seen(t, s, si * 4)
                    if s != d { seen(t, d, si * 4 + 1) }
                }
                if untyped[si] && dirs[si] != .both && s != d && !und.isEmpty && und.contains(Int32(t)) {
                    seen(t, dirs[si] == .out ? d : s, si * 4 + 2)
                }
            }
        }
        let order = (0..<nt).filter { count[$0] > 0 }.sorted { a, b in
            if firstNode[a] != firstNode[b] { return firstNode[a] < firstNode[b] }
            if firstRest[a] != firstRest[b] { return firstRest[a] < firstRest[b] }
            return a < b
        }
        return order.map { t in
            items.map { it -> QueryValue in
                switch it {
                case .count: return .int(count[t])
                case .typeName: return .string(g.strings[Symbol(raw: Int32(t))])
                }
            }
        }
    }

    // MARK: Distinct ends of a variable-length pattern

    private func distinctEnds(_ ctx: ExecContext) throws -> Int64 {
        let g = ctx.graph
        let n = g.nodeCapacity
        var startFilter = try NodeFilter(part.nodes[0], ctx, matcher)
        var endFilter = try NodeFilter(part.nodes[1], ctx, matcher)
        let r = part.rels[0]
        let minLen = r.varLen?.min ?? 1
        let maxLen = r.varLen.map { $0.max ?? Int.max } ?? 1
        var reached = [UInt64](repeating: 0, count: (n + 63) / 64)
        var depth = [Int32](repeating: -1, count: n)
        try ctx.charge(n * 4 + n / 8)
        defer { ctx.release(n * 4 + n / 8) }
        var touched: [Int32] = []
        var total: Int64 = 0
        func mark(_ v: Int32) {
            let w = Int(v) >> 6, b = UInt64(1) << UInt64(v & 63)
            if reached[w] & b == 0, endFilter.ok(v, ctx) {
                reached[w] |= b
                total += 1
            }
        }
        for s in startFilter.startNodes(g) where startFilter.ok(s, ctx) {
            if minLen == 0 { mark(s) }
            for v in touched { depth[Int(v)] = -1 }
            touched = [s]
            depth[Int(s)] = 0
            var frontier = [s]
            var d = 0
            while !frontier.isEmpty && d < maxLen {
                d += 1
                var next: [Int32] = []
                for u in frontier {
                    _ = try matcher.expand(u, r, ctx) { _, v in
                        // Reached by a walk of length d ≥ 1 (directed: hence by a path).
                        if v == s { mark(v) }
                        if depth[Int(v)] < 0 {
                            depth[Int(v)] = Int32(d)
                            touched.append(v)
                            next.append(v)
                            mark(v)
                        }
                        return true
                    }
                }
                try ctx.checkRows(next.count)
                frontier = next
            }
        }
        return total
    }
}

