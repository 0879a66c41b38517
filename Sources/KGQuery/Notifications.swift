import Foundation
import KGCore

/// A warning about a statement that runs but probably does not mean what it says: a label,
/// relationship type or property key that the graph does not know (as Neo4j's
/// `UnknownLabelWarning`, `UnknownRelationshipTypeWarning` and `UnknownPropertyKeyWarning`), with
/// the nearest known names. Such a statement usually returns nothing; the warning says why.
public struct QueryNotification: Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unknownLabel = "UnknownLabelWarning"
        case unknownRelationshipType = "UnknownRelationshipTypeWarning"
        case unknownPropertyKey = "UnknownPropertyKeyWarning"
        /// `kg.named(n, 'x')` or `kg.resolve('x')` with a name no concept has.
        case unknownConceptName = "UnknownConceptNameWarning"
    }

    public var code: Code
    /// The name the statement uses.
    public var name: String
    /// Known names close to it, nearest first.
    public var suggestions: [String]
    /// Where the name first appears in the statement (line 0 when not found).
    public var pos: SourcePos

    public var message: String {
        let what: String
        switch code {
        case .unknownLabel: what = "label"
        case .unknownRelationshipType: what = "relationship type"
        case .unknownPropertyKey: what = "property key"
        case .unknownConceptName:
            var m = "no concept is named '\(name)'"
            if !suggestions.isEmpty { m += "; did you mean " + suggestions.map { "'\($0)'" }.joined(separator: " or ") + "?" }
            return m
        }
        var m = "the \(what) `\(name)` does not exist in the graph"
        if !suggestions.isEmpty { m += "; did you mean " + suggestions.map { "`\($0)`" }.joined(separator: " or ") + "?" }
        return m
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// `warning: Code: message`, then the line and a caret under the name.
    public func rendered(query: String) -> String {
        "warning: " + String(CypherError(.semantic, code.rawValue, message, pos).rendered(query: query).dropFirst("SemanticError: ".count))
    }

    /// The same finding as an error (for `--strict`): `SemanticError: UnknownLabel: …`.
    public var asError: CypherError {
        CypherError(.semantic, String(code.rawValue.dropLast("Warning".count)), message, pos)
    }
}

extension CypherEngine {
    /// The notifications for a statement: unknown labels and relationship types in the patterns
    /// it matches, unknown property keys it reads. Only a graph with a schema is checked (a graph
    /// without one is plain openCypher, where any name may come later). Throws `CypherError` when
    /// the statement does not parse; nothing runs.
    public func notifications(for query: String) throws -> [QueryNotification] {
        guard !graph.schema.isEmpty else { return [] }
        let st = try Parser.parse(query)
        var pass = NotificationPass(graph: graph)
        for part in st.parts { pass.noteWrites(part) }
        for part in st.parts { pass.check(part) }
        var lexer = Lexer(query)
        let tokens: [Token] = (try? lexer.tokenize()) ?? []
        return pass.found.map { f in
            var n = QueryNotification(code: f.code, name: f.name, suggestions: pass.suggestions(f.code, f.name), pos: .none)
            n.pos = NotificationPass.position(of: f, in: tokens)
            return n
        }
    }
}

/// The pass over a parsed statement that finds the names the graph does not know.
struct NotificationPass {
    let graph: Graph
    var found: [(code: QueryNotification.Code, name: String)] = []
    /// Variables that hold nodes or relationships (property reads on them are checked).
    var entities: Set<String> = []
    /// Names the statement itself creates (SET, CREATE, MERGE): known from then on.
    var written = (labels: Set<String>(), types: Set<String>(), keys: Set<String>())

    init(graph: Graph) { self.graph = graph }

    // MARK: What is known

    func isKnownLabel(_ l: String) -> Bool {
        graph.schema.kind(l) != nil || graph.strings.lookup(l) != nil || written.labels.contains(l)
    }

    func isKnownType(_ t: String) -> Bool {
        graph.schema.resolveRelation(t) != nil || graph.strings.lookup(t) != nil || written.types.contains(t)
    }

    func isKnownKey(_ k: String) -> Bool {
        Graph.provenanceKeys.contains(k) || graph.strings.lookup(k) != nil || written.keys.contains(k)
    }

    /// Collects the labels, types and keys the statement writes.
    mutating func noteWrites(_ q: SingleQuery) {
        func keys(_ m: Expr?) { if case .map(let entries)? = m { for (k, _) in entries { written.keys.insert(k) } } }
        func created(_ p: PatternPart) {
            for n in p.nodes { written.labels.formUnion(n.labels); keys(n.properties) }
            for r in p.rels { written.types.formUnion(r.types); keys(r.properties) }
        }
        func set(_ s: SetItem) {
            switch s {
            case .property(_, let k, _): written.keys.insert(k)
            case .replace(_, _, let m), .merge(_, _, let m): keys(m)
            case .labels(_, _, let ls): written.labels.formUnion(ls)
            }
        }
        for clause in q.clauses {
            switch clause {
            case .create(let ps, _): ps.forEach(created)
            case .merge(let p, let onCreate, let onMatch, _): created(p); (onCreate + onMatch).forEach(set)
            case .set(let items, _): items.forEach(set)
            default: break
            }
        }
    }

    /// The known names of a sort, for suggestions (computed only when something is unknown).
    func known(_ code: QueryNotification.Code) -> Set<String> {
        var out = Set<String>()
        switch code {
        case .unknownLabel:
            out.formUnion(graph.schema.kinds.keys)
            for n in graph.nodes { out.formUnion(graph.ownLabels(of: n)) }
        case .unknownRelationshipType:
            for r in graph.schema.relations.values { out.insert(r.name); if let i = r.inverse { out.insert(i) } }
            for e in graph.edges { out.insert(graph.typeName(of: e)) }
        case .unknownPropertyKey:
            out.formUnion(Graph.provenanceKeys)
            for n in graph.nodes { for (k, _) in graph.properties(of: n) { out.insert(graph.strings[k]) } }
            for e in graph.edges { for (k, _) in graph.storedProperties(of: e) { out.insert(graph.strings[k]) } }
        case .unknownConceptName:
            for n in graph.nodes { out.insert(graph.displayName(of: n)); out.formUnion(graph.aliases(of: n)) }
        }
        return out
    }

    func isKnownConcept(_ name: String) -> Bool {
        !graph.resolve(name: name).isEmpty || graph.node(key: name) != nil
    }

    func suggestions(_ code: QueryNotification.Code, _ name: String) -> [String] {
        Suggest.nearest(name, in: known(code).sorted(), limit: 3)
    }

    mutating func report(_ code: QueryNotification.Code, _ name: String) {
        if !found.contains(where: { $0.code == code && $0.name == name }) { found.append((code, name)) }
    }

    // MARK: The walk

    mutating func check(_ q: SingleQuery) {
        for clause in q.clauses {
            switch clause {
            case .match(_, let patterns, let predicate, _):
                for p in patterns { pattern(p, reading: true) }
                if let predicate { expr(predicate) }
            case .unwind(let e, let v, _):
                expr(e)
                entities.remove(v)
            case .with(let proj, let predicate):
                projection(proj)
                if let predicate { expr(predicate) }
            case .return(let proj):
                projection(proj)
            case .create(let patterns, _):
                for p in patterns { pattern(p, reading: false) }
            case .merge(let p, let onCreate, let onMatch, _):
                pattern(p, reading: false)
                for s in onCreate + onMatch { setItem(s) }
            case .set(let items, _):
                for s in items { setItem(s) }
            case .remove:
                break
            case .delete(let es, _, _):
                for e in es { expr(e) }
            }
        }
    }

    mutating func projection(_ p: Projection) {
        for it in p.items { expr(it.expr) }
        for o in p.order { expr(o.expr) }
        if let s = p.skip { expr(s) }
        if let l = p.limit { expr(l) }
        if !p.star {
            var next = Set<String>()
            for it in p.items {
                if case .variable(let v, _) = it.expr, entities.contains(v) { next.insert(it.name) }
            }
            entities = next
        }
    }

    mutating func setItem(_ s: SetItem) {
        switch s {
        case .property(let target, _, let value): expr(target); expr(value)
        case .replace(_, _, let e), .merge(_, _, let e): expr(e)
        case .labels: break
        }
    }

    /// A pattern: in a reading clause its labels, types and property keys must exist; in any
    /// clause its variables become entities and its property values are read.
    mutating func pattern(_ p: PatternPart, reading: Bool) {
        for n in p.nodes {
            if let v = n.variable { entities.insert(v) }
            if reading { for l in n.labels where !isKnownLabel(l) { report(.unknownLabel, l) } }
            properties(n.properties, reading: reading)
        }
        for r in p.rels {
            if let v = r.variable { entities.insert(v) }
            if reading { for t in r.types where !isKnownType(t) { report(.unknownRelationshipType, t) } }
            properties(r.properties, reading: reading)
        }
    }

    mutating func properties(_ m: Expr?, reading: Bool) {
        guard let m else { return }
        if reading, case .map(let entries) = m {
            for (k, _) in entries where !isKnownKey(k) { report(.unknownPropertyKey, k) }
        }
        expr(m)
    }

    /// Every subexpression, without recursion.
    mutating func expr(_ root: Expr) {
        var stack = [root]
        while let e = stack.popLast() {
            switch e {
            case .property(.variable(let v, _), let key) where entities.contains(v):
                if !isKnownKey(key) { report(.unknownPropertyKey, key) }
            case .index(.variable(let v, _), .literal(.string(let key))) where entities.contains(v):
                if !isKnownKey(key) { report(.unknownPropertyKey, key) }
            case .hasLabels(_, let labels):
                for l in labels where !isKnownLabel(l) { report(.unknownLabel, l) }
            case .pattern(let p), .patternComprehension(_, let p, _, _):
                pattern(p, reading: true)
            case .mapProjection(let v, _, let items) where entities.contains(v):
                for case .property(let k) in items where !isKnownKey(k) { report(.unknownPropertyKey, k) }
            case .function(let f, _, let args, _) where f.lowercased() == "kg.named" || f.lowercased() == "kg.resolve":
                if case .literal(.string(let name))? = args.last, !isKnownConcept(name) { report(.unknownConceptName, name) }
            default:
                break
            }
            stack.append(contentsOf: e.children.reversed())
        }
    }

    // MARK: Positions

    /// Where a name first appears in the statement: after `:` for a label or type (or `|` in a
    /// type list), after `.` or `{`/`,` for a key; a string (`n['key']`, a concept name) where it
    /// is written.
    static func position(of f: (code: QueryNotification.Code, name: String), in tokens: [Token]) -> SourcePos {
        for (i, t) in tokens.enumerated() where i > 0 {
            guard t.kind == .ident || t.kind == .quotedIdent, t.text == f.name else { continue }
            let prev = tokens[i - 1]
            switch f.code {
            case .unknownLabel where prev.isSymbol(":"): return t.pos
            case .unknownRelationshipType where prev.isSymbol(":") || prev.isSymbol("|"): return t.pos
            case .unknownPropertyKey where prev.isSymbol(".") || ((prev.isSymbol("{") || prev.isSymbol(",")) && i + 1 < tokens.count && tokens[i + 1].isSymbol(":")):
                return t.pos
            default: continue
            }
        }
        for t in tokens where t.kind == .string(f.name) { return t.pos }
        return .none
    }
}
