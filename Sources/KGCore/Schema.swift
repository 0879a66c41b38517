import OrderedCollections

/// A kind of concept. Kinds form a forest through `parent`; a node of kind `Study` whose parent is
/// `Concept` carries both labels.
public struct KindDecl: Hashable, Sendable {
    public var name: String
    public var parent: String?
    public var doc: String?
    public init(name: String, parent: String? = nil, doc: String? = nil) {
        self.name = name
        self.parent = parent
        self.doc = doc
    }
}

/// A relation type: a typed, directed edge label with a domain and range kind.
public struct RelationDecl: Hashable, Sendable {
    public var name: String
    /// Kind the source must be (or be a sub-kind of); nil means any.
    public var domain: String?
    /// Kind the target must be (or be a sub-kind of); nil means any.
    public var range: String?
    /// Name of the same relation read backwards (e.g. PERSISTS_THROUGH / SURVIVED_BY).
    public var inverse: String?
    public var symmetric: Bool
    public var transitive: Bool
    /// The relation has no direction (e.g. imported from an undirected GraphML graph): patterns
    /// match it both ways and exports write it undirected.
    public var undirected: Bool
    /// The relation records a research finding (e.g. SHOWS): `kg check` warns when such a relation
    /// rests only on secondary sources.
    public var finding: Bool
    public var doc: String?
    /// Cue phrases that signal this relation in a sentence (used by `kg link`).
    public var cues: [String]

    public init(name: String, domain: String? = nil, range: String? = nil, inverse: String? = nil,
                symmetric: Bool = false, transitive: Bool = false, undirected: Bool = false, finding: Bool = false,
                doc: String? = nil, cues: [String] = []) {
        self.name = name
        self.domain = domain
        self.range = range
        self.inverse = inverse
        self.symmetric = symmetric
        self.transitive = transitive
        self.undirected = undirected
        self.finding = finding
        self.doc = doc
        self.cues = cues
    }
}

/// The schema of a graph: declared kinds and relation types. An empty schema means plain
/// openCypher semantics: no inverse names, no symmetric matching, no implied parent labels.
public struct Schema: Sendable {
    public private(set) var kinds: OrderedDictionary<String, KindDecl> = [:]
    public private(set) var relations: OrderedDictionary<String, RelationDecl> = [:]
    private var inverseNames: [String: String] = [:]

    public init() {}

    public var isEmpty: Bool { kinds.isEmpty && relations.isEmpty }

    /// Adds or replaces a kind.
    public mutating func declare(_ kind: KindDecl) { kinds[kind.name] = kind }

    /// Adds or replaces a relation type.
    public mutating func declare(_ relation: RelationDecl) {
        if let old = relations[relation.name], let inv = old.inverse { inverseNames[inv] = nil }
        relations[relation.name] = relation
        if let inv = relation.inverse { inverseNames[inv] = relation.name }
    }

    public func kind(_ name: String) -> KindDecl? { kinds[name] }

    /// The kind and its ancestors, nearest first: `Study` → [Study, Concept]. Stops on a cycle.
    public func lineage(of kind: String) -> [String] {
        var out = [kind]
        var seen: Set<String> = [kind]
        var cur = kinds[kind]?.parent
        while let p = cur, !seen.contains(p) {
            out.append(p)
            seen.insert(p)
            cur = kinds[p]?.parent
        }
        return out
    }

    /// True when `kind` is `ancestor` or one of its sub-kinds.
    public func isKind(_ kind: String, a ancestor: String) -> Bool {
        lineage(of: kind).contains(ancestor)
    }

    /// The kind and every kind below it.
    public func descendants(of kind: String) -> [String] {
        var out = [kind]
        var i = 0
        while i < out.count {
            let k = out[i]
            for (name, decl) in kinds where decl.parent == k && !out.contains(name) { out.append(name) }
            i += 1
        }
        return out
    }

    public func relation(_ name: String) -> RelationDecl? { relations[name] }

    /// True when a pattern written with a direction matches edges of this type both ways
    /// (symmetric or undirected relation types).
    public func matchesBothWays(_ type: String) -> Bool {
        guard let r = relations[type] else { return false }
        return r.symmetric || r.undirected
    }

    /// Resolves a relationship type as written in a pattern: the stored type and whether the
    /// written name is the inverse (so the stored edge must be walked backwards).
    public func resolveRelation(_ name: String) -> (type: String, inverted: Bool)? {
        if relations[name] != nil { return (name, false) }
        if let base = inverseNames[name] { return (base, true) }
        return nil
    }

    /// The relation whose inverse name is `name`, if any.
    public func relationWithInverse(_ name: String) -> RelationDecl? {
        inverseNames[name].flatMap { relations[$0] }
    }
}
