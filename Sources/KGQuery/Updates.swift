import Foundation
import KGCore

typealias Action = (Row, ExecContext) throws -> Void

extension Compiler {
    func storableProps(_ m: QueryValue, _ ctx: ExecContext) throws -> [(String, Value)] {
        switch m {
        case .null: return []
        case .map(let mm): return try mm.entries.compactMap { e in try storable(e.value).map { (e.key, $0) } }
        case .node, .relationship:
            return propertiesMap(m, ctx).entries.compactMap { e in e.value.storable.map { (e.key, $0) } }
        default: throw typeError("expected a map of properties, got \(m.typeName)", "InvalidPropertyType")
        }
    }

    /// Converts a value to a property value; nil for null (meaning "remove").
    func storable(_ v: QueryValue) throws -> Value? {
        if v.isNull { return nil }
        if case .list(let l) = v {
            // lists must be homogeneous lists of simple values
            var kind: String? = nil
            for e in l {
                switch e {
                case .bool, .int, .float, .string, .temporal:
                    let k = e.typeName == "INTEGER" || e.typeName == "FLOAT" ? "NUMBER" : e.typeName
                    if let kk = kind, kk != k { throw typeError("a property list must hold values of one type", "InvalidPropertyType") }
                    kind = k
                case .null: throw typeError("a property list cannot hold null", "InvalidPropertyType")
                default: throw typeError("a property list cannot hold a \(e.typeName)", "InvalidPropertyType")
                }
            }
        }
        guard let s = v.storable else { throw typeError("a \(v.typeName) cannot be stored as a property", "InvalidPropertyType") }
        return s
    }

    // MARK: CREATE

    func checkCreatePattern(_ patterns: [PatternPart], _ scope: Scope, merge: Bool) throws {
        var declared = Set<String>()
        for part in patterns {
            if let pv = part.pathVariable, scope.has(pv) || declared.contains(pv) {
                throw CypherError(.syntax, "VariableAlreadyBound", "variable `\(pv)` is already defined", part.pos)
            }
            for (i, np) in part.nodes.enumerated() {
                if let v = np.variable {
                    let bound = scope.has(v) || declared.contains(v)
                    if bound {
                        if !np.labels.isEmpty || np.properties != nil || (part.nodes.count == 1 && !merge) {
                            throw CypherError(.syntax, "VariableAlreadyBound", "variable `\(v)` is already defined", np.pos)
                        }
                        if merge && part.nodes.count == 1 {
                            throw CypherError(.syntax, "VariableAlreadyBound", "variable `\(v)` is already defined", np.pos)
                        }
                        if let k = scope.kinds[v], k != .node && k != .value {
                            throw CypherError(.syntax, "VariableTypeConflict", "variable `\(v)` is not a node", np.pos)
                        }
                    }
                    declared.insert(v)
                }
                if i < part.rels.count {
                    let rp = part.rels[i]
                    if let v = rp.variable, scope.has(v) || declared.contains(v) {
                        throw CypherError(.syntax, "VariableAlreadyBound", "variable `\(v)` is already defined", rp.pos)
                    }
                    if let v = rp.variable { declared.insert(v) }
                    if rp.varLength != nil {
                        throw CypherError(.syntax, "CreatingVarLength", "variable-length relationships cannot be created", rp.pos)
                    }
                    if rp.types.count != 1 {
                        throw CypherError(.syntax, "NoSingleRelationshipType", "a created relationship needs exactly one type", rp.pos)
                    }
                    if rp.direction == .both && !merge {
                        throw CypherError(.syntax, "RequiresDirectedRelationship", "a created relationship needs a direction", rp.pos)
                    }
                }
            }
        }
    }

    /// Creates the nodes and relationships of a compiled pattern part for one row.
    func createPart(_ cp: CPart, _ rawPart: PatternPart, _ row: inout Row, _ ctx: ExecContext) throws {
        var nodes = cp.nodes, rels = cp.rels
        if cp.reversed {
            nodes.reverse(); rels.reverse()
        }
        let g = ctx.graph
        var ids: [NodeID] = []
        var created: [Int: NodeID] = [:]
        let newSlots = Set(cp.nodes.filter(\.isNew).map(\.slot))
        for n in nodes {
            if let c = created[n.slot] { ids.append(c); continue }
            if !newSlots.contains(n.slot) {
                switch row[n.slot] {
                case .node(let id):
                    if !g.isAlive(id) { throw CypherError(.entityNotFound, "DeletedEntityAccess", "cannot create a relationship to a deleted node") }
                    ids.append(id); continue
                case .null: throw CypherError(.semantic, "", "cannot create a relationship to a null node")
                default: throw typeError("expected a node")
                }
            }
            var props: [(String, Value)] = []
            for (k, ev) in n.props { if let v = try storable(try ev(row, ctx)) { props.append((k, v)) } }
            if let pm = n.propsMap { props += try storableProps(try pm(row, ctx), ctx) }
            let id = try g.addNode(labels: n.labels, properties: props)
            row[n.slot] = .node(id)
            created[n.slot] = id
            ids.append(id)
        }
        var edges: [EdgeID] = []
        for (i, r) in rels.enumerated() {
            let step = r.steps[0]
            var dir = step.dir
            if cp.reversed { dir = dir == .out ? .in : (dir == .in ? .out : .both) }
            let (a, b) = dir == .in ? (ids[i + 1], ids[i]) : (ids[i], ids[i + 1])
            var props: [(String, Value)] = []
            for (k, ev) in r.props { if let v = try storable(try ev(row, ctx)) { props.append((k, v)) } }
            if let pm = r.propsMap { props += try storableProps(try pm(row, ctx), ctx) }
            let e = g.addEdge(from: a, to: b, type: step.type!, properties: props)
            row[r.slot] = .relationship(e)
            edges.append(e)
        }
        if let ps = cp.pathSlot { row[ps] = .path(PathValue(nodes: ids, rels: edges)) }
        _ = rawPart
    }

    func isNewInWritten(_ slot: Int, _ cp: CPart) -> Bool { cp.nodes.contains { $0.slot == slot && $0.isNew } }

    func compileCreate(_ patterns: [PatternPart], _ input: Op, _ scope: inout Scope, _ pos: SourcePos) throws -> Op {
        try checkCreatePattern(patterns, scope, merge: false)
        let m = try compileMatch(patterns, &scope, optional: false, predicate: nil, context: .create)
        for (k, part) in patterns.enumerated() {
            for (i, np) in part.nodes.enumerated() {
                if let pe = np.properties, case .parameter = pe { m.parts[k].nodes[i].propsMap = try compile(pe, scope) }
            }
            for (i, rp) in part.rels.enumerated() {
                if let pe = rp.properties, case .parameter = pe { m.parts[k].rels[i].propsMap = try compile(pe, scope) }
            }
        }
        let width = scope.width
        return UpdateOp(input, "Create " + patterns.map(\.description).joined(separator: ", ")) { [self] r, ctx, emit in
            var row = r
            while row.count < width { row.append(.null) }
            for (k, cp) in m.parts.enumerated() { try createPart(cp, patterns[k], &row, ctx) }
            emit(row)
        }
    }

    // MARK: MERGE

    func compileMerge(_ part: PatternPart, _ onCreate: [SetItem], _ onMatch: [SetItem], _ input: Op, _ scope: inout Scope, _ pos: SourcePos) throws -> Op {
        try checkCreatePattern([part], scope, merge: true)
        for np in part.nodes { if let pe = np.properties, case .parameter(_, let p) = pe { throw CypherError(.syntax, "InvalidParameterUse", "MERGE cannot use a parameter as a property map", p) } }
        let m = try compileMatch([part], &scope, optional: false, predicate: nil, context: .merge)
        let createActs = try onCreate.map { try compileSetItem($0, scope) }
        let matchActs = try onMatch.map { try compileSetItem($0, scope) }
        let width = scope.width
        return UpdateOp(input, "Merge " + part.description) { [self] r, ctx, emit in
            var row = r
            while row.count < width { row.append(.null) }
            // null property values can never match nor be created
            for n in m.parts[0].nodes { for (k, ev) in n.props where try ev(row, ctx).isNull {
                throw CypherError(.semantic, "MergeReadOwnWrites", "cannot merge a node with a null value for property `\(k)`")
            } }
            for rel in m.parts[0].rels { for (k, ev) in rel.props where try ev(row, ctx).isNull {
                throw CypherError(.semantic, "MergeReadOwnWrites", "cannot merge a relationship with a null value for property `\(k)`")
            } }
            var found: [Row] = []
            try m.forEach(row, ctx) { found.append($0); return true }
            if found.isEmpty {
                try createPart(m.parts[0], part, &row, ctx)
                for a in createActs { try a(row, ctx) }
                emit(row)
            } else {
                for f in found {
                    for a in matchActs { try a(f, ctx) }
                    emit(f)
                }
            }
        }
    }

    // MARK: SET / REMOVE

    func compileSetItem(_ item: SetItem, _ scope: Scope) throws -> Action {
        switch item {
        case .property(let target, let key, let value):
            try rejectPatternExpressions(value)
            let et = try compile(target, scope)
            let ev = try compile(value, scope)
            if containsAggregate(value) { throw CypherError(.syntax, "InvalidAggregation", "aggregate functions are not allowed in SET") }
            return { [self] r, ctx in
                let t = try et(r, ctx)
                let v = try ev(r, ctx)
                switch t {
                case .null: return
                case .node(let n):
                    try checkAlive(t, ctx)
                    ctx.graph.setProperty(n, key, try storable(v))
                case .relationship(let e):
                    try checkAlive(t, ctx)
                    ctx.graph.setProperty(e, key, try storable(v))
                default: throw typeError("SET needs a node or relationship, got \(t.typeName)", "InvalidArgumentType")
                }
            }
        case .replace(let v, let p, let value), .merge(let v, let p, let value):
            var isMerge = false
            if case .merge = item { isMerge = true }
            let et = try compile(.variable(v, p), scope)
            let ev = try compile(value, scope)
            return { [self] r, ctx in
                let t = try et(r, ctx)
                let val = try ev(r, ctx)
                let g = ctx.graph
                var entries: [(String, Value?)] = []
                switch val {
                case .map(let m): for e in m.entries { entries.append((e.key, try storable(e.value))) }
                case .node, .relationship: for e in propertiesMap(val, ctx).entries { entries.append((e.key, e.value.storable)) }
                case .null: break
                default: throw typeError("SET = needs a map, got \(val.typeName)", "InvalidPropertyType")
                }
                switch t {
                case .null: return
                case .node(let n):
                    if !isMerge {
                        for k in g.properties(of: n).map({ g.strings[$0.key] }) { g.setProperty(n, k, nil) }
                    }
                    for (k, x) in entries { g.setProperty(n, k, x) }
                case .relationship(let e):
                    if !isMerge {
                        for k in g.properties(of: e).map(\.key) { g.setProperty(e, k, nil) }
                    }
                    for (k, x) in entries { g.setProperty(e, k, x) }
                default: throw typeError("SET needs a node or relationship, got \(t.typeName)")
                }
            }
        case .labels(let v, let p, let labels):
            let et = try compile(.variable(v, p), scope)
            return { r, ctx in
                switch try et(r, ctx) {
                case .null: return
                case .node(let n): for l in labels { ctx.graph.addLabel(l, to: n) }
                case let x: throw typeError("labels can only be set on nodes, got \(x.typeName)")
                }
            }
        }
    }

    func compileRemoveItem(_ item: RemoveItem, _ scope: Scope) throws -> Action {
        switch item {
        case .property(let target, let key):
            let et = try compile(target, scope)
            return { r, ctx in
                let t = try et(r, ctx)
                switch t {
                case .null: return
                case .node(let n): try checkAlive(t, ctx); ctx.graph.setProperty(n, key, nil)
                case .relationship(let e): try checkAlive(t, ctx); ctx.graph.setProperty(e, key, nil)
                default: throw typeError("REMOVE needs a node or relationship, got \(t.typeName)")
                }
            }
        case .labels(let v, let p, let labels):
            let et = try compile(.variable(v, p), scope)
            return { r, ctx in
                switch try et(r, ctx) {
                case .null: return
                case .node(let n): for l in labels { ctx.graph.removeLabel(l, from: n) }
                case let x: throw typeError("labels can only be removed from nodes, got \(x.typeName)")
                }
            }
        }
    }

    // MARK: DELETE

    func compileDelete(_ exprs: [Expr], _ detach: Bool, _ input: Op, _ scope: Scope, _ pos: SourcePos) throws -> Op {
        var evals: [Eval] = []
        for e in exprs {
            switch e {
            case .hasLabels:
                throw CypherError(.syntax, "InvalidDelete", "DELETE needs a node, relationship or path, not a label expression", pos)
            case .literal, .binary, .unary, .list, .map:
                throw CypherError(.syntax, "InvalidArgumentType", "DELETE needs a node, relationship or path", pos)
            default: break
            }
            if containsAggregate(e) { throw CypherError(.syntax, "InvalidAggregation", "aggregate functions are not allowed in DELETE") }
            evals.append(try compile(e, scope))
        }
        return BatchOp(input, detach ? "DetachDelete" : "Delete") { rows, ctx in
            let g = ctx.graph
            var nodes: [NodeID] = [], rels: [EdgeID] = []
            func collect(_ v: QueryValue) throws {
                switch v {
                case .null: break
                case .node(let n): nodes.append(n)
                case .relationship(let e): rels.append(e)
                case .path(let p): nodes += p.nodes; rels += p.rels
                case .list(let l): for x in l { try collect(x) }
                default: throw typeError("DELETE needs a node, relationship or path, got \(v.typeName)")
                }
            }
            for r in rows { for e in evals { try collect(try e(r, ctx)) } }
            for e in rels where g.isAlive(e) { g.removeEdge(e); ctx.deletedRels.insert(e) }
            for n in nodes where g.isAlive(n) {
                if detach {
                    for e in g.outEdges(n) + g.inEdges(n) { ctx.deletedRels.insert(EdgeID(e)) }
                    try g.removeNode(n, detach: true)
                } else if g.degree(n) > 0 {
                    throw CypherError(.constraint, "DeleteConnectedNode", "cannot delete a node that still has relationships; use DETACH DELETE")
                } else {
                    try g.removeNode(n)
                }
                ctx.deletedNodes.insert(n)
            }
            return rows
        }
    }
}
