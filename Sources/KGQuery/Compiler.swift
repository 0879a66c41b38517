import Foundation
import KGCore

/// Turns a parsed statement into a tree of operators, checking names, scopes and aggregation
/// rules on the way (every compile-time error is raised before anything runs).
final class Compiler {
    let graph: Graph

    init(graph: Graph) { self.graph = graph }

    static func hasUpdates(_ st: Statement) -> Bool {
        st.parts.contains { q in
            q.clauses.contains { c in
                switch c {
                case .create, .merge, .set, .remove, .delete: return true
                default: return false
                }
            }
        }
    }

    func compile(_ st: Statement) throws -> (Op, [String]) {
        var ops: [Op] = []
        var columns: [String]? = nil
        for (i, part) in st.parts.enumerated() {
            let (op, cols) = try compileSingle(part, isUnionPart: st.parts.count > 1)
            if let c = columns, c != cols {
                throw CypherError(.syntax, "DifferentColumnsInUnion", "all parts of a UNION must return the same columns", st.unionPos[i - 1])
            }
            columns = cols
            ops.append(op)
        }
        if ops.count == 1 { return (ops[0], columns!) }
        return (UnionOp(ops, distinct: st.unionAll.contains(false)), columns!)
    }

    func compileSingle(_ q: SingleQuery, isUnionPart: Bool) throws -> (Op, [String]) {
        var op: Op = UnitOp()
        var scope = Scope()
        var columns: [String] = []
        for (ci, clause) in q.clauses.enumerated() {
            let isLast = ci == q.clauses.count - 1
            if case .return = clause, !isLast {
                throw CypherError(.syntax, "UnexpectedSyntax", "RETURN must be the last clause")
            }
            switch clause {
            case .match(let optional, let patterns, let predicate, _):
                let before = scope.width
                let m = try compileMatch(patterns, &scope, optional: optional, predicate: predicate, context: .match)
                if !optional && m.parts.count > 1 && m.parts.allSatisfy({ $0.shortest == nil }) {
                    // Several pattern parts: one streaming operator per part (a cartesian product
                    // stays lazy), then relationship uniqueness across the parts, then WHERE.
                    for (i, part) in m.parts.enumerated() {
                        let pm = Matcher(parts: [part], predicate: nil, description: patterns[i].description, width: m.width)
                        op = MatchOp(op, pm, optional: false, newSlots: [])
                    }
                    let relSlots = m.parts.flatMap(\.relSlots)
                    if relSlots.count > 1 { op = DistinctRelationshipsOp(op, relSlots) }
                    if let p = m.predicate, let pe = predicate { op = FilterOp(op, p, pe.description) }
                } else {
                    op = MatchOp(op, m, optional: optional, newSlots: Array(before..<scope.width))
                }
            case .unwind(let e, let v, let pos):
                let ev = try compile(e, scope)
                if scope.has(v) { throw CypherError(.syntax, "VariableAlreadyBound", "variable `\(v)` is already defined", pos) }
                if containsAggregate(e) { throw CypherError(.syntax, "InvalidAggregation", "aggregate functions are not allowed in UNWIND", pos) }
                let slot = scope.add(v, .value)
                op = UnwindOp(op, ev, slot)
            case .with(let proj, let predicate):
                (op, scope, _) = try compileProjection(proj, op, scope, isWith: true, predicate: predicate)
            case .return(let proj):
                (op, scope, columns) = try compileProjection(proj, op, scope, isWith: false)
            case .create(let patterns, let pos):
                op = try compileCreate(patterns, op, &scope, pos)
            case .merge(let part, let onCreate, let onMatch, let pos):
                op = try compileMerge(part, onCreate, onMatch, op, &scope, pos)
            case .set(let items, _):
                let acts = try items.map { try compileSetItem($0, scope) }
                op = UpdateOp(op, "Set") { r, ctx, emit in
                    for a in acts { try a(r, ctx) }
                    emit(r)
                }
            case .remove(let items, _):
                let acts = try items.map { try compileRemoveItem($0, scope) }
                op = UpdateOp(op, "Remove") { r, ctx, emit in
                    for a in acts { try a(r, ctx) }
                    emit(r)
                }
            case .delete(let exprs, let detach, let pos):
                op = try compileDelete(exprs, detach, op, scope, pos)
            }
            if isLast {
                switch clause {
                case .return: break
                case .match, .unwind, .with:
                    throw CypherError(.syntax, "UnexpectedSyntax", "a query cannot end with \(clauseName(clause)); add RETURN")
                default:
                    if isUnionPart { throw CypherError(.syntax, "UnexpectedSyntax", "every part of a UNION must end with RETURN") }
                    // Update queries without RETURN produce no rows.
                    op = SelectOp(op, [])
                    op = DrainOp(op)
                }
            }
        }
        return (op, columns)
    }

    func clauseName(_ c: Clause) -> String {
        switch c {
        case .match: return "MATCH"
        case .unwind: return "UNWIND"
        case .with: return "WITH"
        default: return "this clause"
        }
    }

    // MARK: Projection

    func kindOf(_ e: Expr, _ scope: Scope) -> VarKind {
        if case .variable(let n, _) = e, let k = scope.kinds[n] { return k }
        return .value
    }

    /// Replaces subexpressions whose canonical text is a key of `map`.
    func substitute(_ e: Expr, _ map: [String: Expr]) -> Expr {
        if map.isEmpty { return e }
        if let r = map[e.description] { return r }
        func s(_ x: Expr) -> Expr { substitute(x, map) }
        switch e {
        case .literal, .parameter, .variable, .countStar, .pattern, .patternComprehension, .mapProjection: return e
        case .property(let x, let k): return .property(s(x), k)
        case .index(let a, let b): return .index(s(a), s(b))
        case .slice(let a, let b, let c): return .slice(s(a), b.map(s), c.map(s))
        case .list(let l): return .list(l.map(s))
        case .map(let m): return .map(m.map { ($0.0, s($0.1)) })
        case .unary(let op, let x): return .unary(op, s(x))
        case .binary(let op, let a, let b): return .binary(op, s(a), s(b))
        case .isNull(let x, let n): return .isNull(s(x), negated: n)
        case .hasLabels(let x, let l): return .hasLabels(s(x), l)
        case .function(let n, let d, let args, let p): return .function(name: n, distinct: d, args: args.map(s), pos: p)
        case .caseExpr(let sub, let ws, let o): return .caseExpr(subject: sub.map(s), whens: ws.map { (s($0.0), s($0.1)) }, otherwise: o.map(s))
        case .listComprehension(let v, let l, let p, let m): return .listComprehension(variable: v, list: s(l), predicate: p, map: m)
        case .quantifier(let k, let v, let l, let p, let pos): return .quantifier(k, variable: v, list: s(l), predicate: p, pos: pos)
        case .reduce(let a, let i, let v, let l, let b): return .reduce(acc: a, initial: s(i), variable: v, list: s(l), body: b)
        }
    }

    func checkConstant(_ e: Expr, _ what: String) throws -> Eval {
        if let (n, p) = freeVariables(e).first {
            throw CypherError(.syntax, "NonConstantExpression", "\(what) cannot use the variable `\(n)`", p)
        }
        if case .literal(let v) = e {
            switch v {
            case .int(let i) where i < 0: throw CypherError(.syntax, "NegativeIntegerArgument", "\(what) must not be negative")
            case .int: break
            default: throw CypherError(.syntax, "InvalidArgumentType", "\(what) must be an integer, got \(v.typeName)")
            }
        }
        return try compile(e, Scope())
    }

    func compileProjection(_ proj: Projection, _ input: Op, _ scope: Scope, isWith: Bool, predicate: Expr? = nil) throws -> (Op, Scope, [String]) {
        var items = proj.items
        if proj.star {
            if scope.order.isEmpty && !isWith { throw CypherError(.syntax, "NoVariablesInScope", "\(isWith ? "WITH" : "RETURN") * needs variables in scope", proj.pos) }
            let starItems = scope.order.sorted().map { ReturnItem(expr: .variable($0, .none), alias: nil, text: $0, pos: proj.pos) }
            items = starItems + items
        }
        var names = Set<String>()
        for it in items {
            if isWith && it.alias == nil {
                if case .variable = it.expr {} else {
                    throw CypherError(.syntax, "NoExpressionAlias", "expression in WITH must be aliased (use AS)", it.pos)
                }
            }
            if !names.insert(it.name).inserted {
                throw CypherError(.syntax, "ColumnNameConflict", "multiple result columns with the same name `\(it.name)`", it.pos)
            }
        }
        for it in items { try rejectPatternExpressions(it.expr) }
        let aggregating = items.contains { containsAggregate($0.expr) }
        var op = input
        var newScope = Scope()
        let columns = items.map(\.name)

        let skipEval = try proj.skip.map { try checkConstant($0, "SKIP") }
        let limitEval = try proj.limit.map { try checkConstant($0, "LIMIT") }

        if !aggregating {
            var ext = scope
            var evals: [(Int, Eval)] = []
            var itemSlots: [Int] = []
            for it in items {
                let ev = try compile(it.expr, scope)
                let st = staticType(it.expr, scope)
                let slot = ext.add(it.name, kindOf(it.expr, scope))
                ext.types[it.name] = st
                evals.append((slot, ev))
                itemSlots.append(slot)
            }
            op = ExtendOp(op, evals, width: ext.width)
            if proj.distinct { op = DistinctOp(op, itemSlots) }
            if !proj.order.isEmpty {
                var orderScope = ext
                if proj.distinct {
                    orderScope = Scope()
                    orderScope.width = ext.width
                    for (i, it) in items.enumerated() { orderScope.slots[it.name] = itemSlots[i]; orderScope.kinds[it.name] = ext.kinds[it.name] }
                }
                var subst: [String: Expr] = [:]
                for it in items { subst[it.expr.description] = .variable(it.name, it.pos) }
                let keys = try proj.order.map { s -> (Eval, Bool) in
                    if containsAggregate(s.expr) {
                        throw CypherError(.syntax, "InvalidAggregation", "aggregate functions in ORDER BY need an aggregating projection")
                    }
                    let e = proj.distinct ? substitute(s.expr, subst) : s.expr
                    return (try compile(e, orderScope), s.ascending)
                }
                op = SortOp(op, keys, limitHint: limitEval)
            }
            if let s = skipEval { op = SkipOp(op, s) }
            if let l = limitEval { op = LimitOp(op, l) }
            if let p = predicate {
                var whereScope = ext
                for (i, it) in items.enumerated() { whereScope.slots[it.name] = itemSlots[i] }
                op = FilterOp(op, try compileWhere(p, whereScope), p.description)
            }
            op = SelectOp(op, itemSlots)
            for it in items { _ = newScope.add(it.name, ext.kinds[it.name] ?? .value); newScope.types[it.name] = ext.types[it.name] }
            newScope.order = items.map(\.name).filter { !$0.isEmpty }
            return (op, newScope, columns)
        }

        // Aggregating projection.
        var keyEvals: [Eval] = []
        var itemIsKey: [Int?] = []
        var specs: [AggSpec] = []
        var aggSlots: [String: Int] = [:]
        let aggBase = scope.width
        var aggScope = scope
        var groupingTexts: [String] = []
        for it in items where !containsAggregate(it.expr) {
            switch it.expr {
            case .variable, .property(.variable, _): groupingTexts.append(it.expr.description)
            default: break
            }
        }
        func collectAggs(_ e: Expr) throws {
            var err: CypherError? = nil
            walk(e) { x in
                guard err == nil else { return false }
                if isAggregateCall(x) {
                    let key = x.description
                    if aggSlots[key] == nil {
                        do {
                            specs.append(try aggSpec(x, scope))
                            aggSlots[key] = aggBase + specs.count - 1
                        } catch let e as CypherError { err = e } catch {}
                    }
                    return false
                }
                return true
            }
            if let err { throw err }
        }
        var itemEvals: [Eval] = []
        for it in items {
            if containsAggregate(it.expr) {
                try collectAggs(it.expr)
                try checkAmbiguous(it.expr, groupingTexts, scope)
                itemIsKey.append(nil)
                itemEvals.append({ _, _ in .null })
            } else {
                itemIsKey.append(keyEvals.count)
                keyEvals.append(try compile(it.expr, scope))
                itemEvals.append({ _, _ in .null })
            }
        }
        aggScope.width = aggBase + specs.count
        for (i, it) in items.enumerated() where itemIsKey[i] == nil {
            itemEvals[i] = try compile(it.expr, aggScope, .slots(aggSlots))
        }
        op = AggregateOp(op, keys: keyEvals, specs: specs, aggBase: aggBase, items: itemEvals, itemIsKey: itemIsKey)
        for it in items { _ = newScope.add(it.name, kindOf(it.expr, scope)) }
        if proj.distinct { op = DistinctOp(op, Array(0..<items.count)) }
        if !proj.order.isEmpty {
            var subst: [String: Expr] = [:]
            for it in items { subst[it.expr.description] = .variable(it.name, it.pos) }
            let keys = try proj.order.map { s -> (Eval, Bool) in
                if containsAggregate(s.expr) && subst[s.expr.description] == nil {
                    // A variable that no item mentions is simply out of scope here.
                    var outside: [(String, SourcePos)] = []
                    walk(s.expr) { x in
                        if isAggregateCall(x) { return false }
                        if case .variable(let n, let p) = x, !newScope.has(n) { outside.append((n, p)) }
                        return true
                    }
                    let itemVars = Set(items.flatMap { freeVariables($0.expr).map(\.0) })
                    if let (n, p) = outside.first(where: { !itemVars.contains($0.0) }) {
                        throw CypherError(.syntax, "UndefinedVariable", "variable `\(n)` is not available after aggregation; project it", p)
                    }
                    try checkAmbiguous(s.expr, groupingTexts, scope)
                }
                let e = substitute(s.expr, subst)
                if containsAggregate(e) {
                    try checkAmbiguous(s.expr, groupingTexts, scope)
                    throw CypherError(.syntax, "InvalidAggregation", "ORDER BY after aggregation can only use projected aggregates")
                }
                // Variables that were not projected are out of scope after aggregation.
                for (v, p) in freeVariables(e) where !newScope.has(v) {
                    if scope.has(v) {
                        throw CypherError(.syntax, "UndefinedVariable", "variable `\(v)` is not available after aggregation; project it", p)
                    }
                }
                return (try compile(e, newScope), s.ascending)
            }
            op = SortOp(op, keys, limitHint: limitEval)
        }
        if let s = skipEval { op = SkipOp(op, s) }
        if let l = limitEval { op = LimitOp(op, l) }
        newScope.order = items.map(\.name)
        if let p = predicate { op = FilterOp(op, try compileWhere(p, newScope), p.description) }
        return (op, newScope, columns)
    }

    func aggSpec(_ e: Expr, _ scope: Scope) throws -> AggSpec {
        if case .countStar = e { return AggSpec(kind: .countStar, distinct: false, arg: nil, arg2: nil) }
        guard case .function(let name, let distinct, let args, let pos) = e else { fatalError() }
        for a in args where containsAggregate(a) {
            throw CypherError(.syntax, "NestedAggregation", "an aggregate function cannot contain another aggregate function", pos)
        }
        for a in args {
            var nondet = false
            walk(a) { x in if case .function(let n, _, _, _) = x, n.lowercased() == "rand" { nondet = true }; return true }
            if nondet { throw CypherError(.syntax, "NonConstantExpression", "an aggregate cannot take a non-deterministic argument such as rand()", pos) }
        }
        let lname = name.lowercased()
        let kinds: [String: AggKind] = ["count": .count, "collect": .collect, "sum": .sum, "avg": .avg, "min": .min, "max": .max,
                                        "stdev": .stdev, "stdevp": .stdevp, "percentilecont": .percentileCont, "percentiledisc": .percentileDisc]
        let kind = kinds[lname]!
        let want = (kind == .percentileCont || kind == .percentileDisc) ? 2 : 1
        if args.count != want {
            throw CypherError(.syntax, "InvalidNumberOfArguments", "\(name)() takes \(want) argument(s)", pos)
        }
        var a = try compile(args[0], scope)
        if kind == .collect {
            // What collect() gathers stays held until the statement ends: charge it to the budget.
            let value = a
            a = { r, ctx in
                let v = try value(r, ctx)
                if !v.isNull { try ctx.charge(v.estimatedBytes) }
                return v
            }
        }
        let b = want == 2 ? try compile(args[1], scope) : nil
        return AggSpec(kind: kind, distinct: distinct, arg: a, arg2: b)
    }

    /// An aggregating item may use, outside its aggregates, only grouping expressions, constants
    /// and parameters.
    func checkAmbiguous(_ e: Expr, _ grouping: [String], _ scope: Scope) throws {
        var subst: [String: Expr] = [:]
        for g in grouping { subst[g] = .literal(.null) }
        let reduced = substitute(e, subst)
        var bad: (String, SourcePos)? = nil
        walk(reduced) { x in
            if isAggregateCall(x) { return false }
            if case .variable(let n, let p) = x, bad == nil, scope.has(n) { bad = (n, p) }
            if case .mapProjection(let n, let p, _) = x, bad == nil, scope.has(n) { bad = (n, p) }
            return true
        }
        if let (n, p) = bad {
            throw CypherError(.syntax, "AmbiguousAggregationExpression", "`\(n)` is used next to an aggregate but is not a grouping key", p)
        }
    }
}

/// Pulls every row of its input (so updates happen) and yields nothing.
final class DrainOp: Op {
    var done = false
    override var describe: String { "Drain" }
    override func next(_ ctx: ExecContext) throws -> Row? {
        if !done {
            done = true
            while try input!.next(ctx) != nil {}
        }
        return nil
    }
}
