import KGCore

/// A property value as the loader carries it from a parsed file to the store: strings stay
/// interned (in the chunk's own interner) and numbers stay unboxed.
enum ChunkValue {
    case sym(Int32)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case syms([Int32])
    case value(Value)
}

/// One segment of a .kg file (a run of whole statements) parsed into flat records, ready to be
/// merged into a graph by `Builder`. Strings are interned in the chunk's own `Interner`, so
/// segments are parsed in parallel without sharing anything; the merge maps each local symbol to
/// the graph's once.
///
/// Records are appended in statement order; nodes and relations are kept in separate arrays (their
/// ids are separate sequences, so merging a chunk's nodes before its relations gives the same ids
/// as statement order).
final class FileChunk {
    /// Index of the file in the load.
    let file: Int
    /// Position of this segment in the file (0 for the first).
    let segment: Int
    let strings = Interner()
    /// Parse errors (only from the full parser: the fast scanner gives up instead).
    var diagnostics: [Diagnostic] = []

    struct KindRec { var decl: KindDecl; var line: Int; var columns: [Int] }
    struct RelTypeRec { var decl: RelationDecl; var line: Int; var columns: [Int] }
    var kinds: [KindRec] = []
    var relTypes: [RelTypeRec] = []

    // Nodes (readings and concepts) in statement order.
    var nodeKey: [Int32] = []
    /// Kind (local symbol); readings carry "Reading".
    var nodeKind: [Int32] = []
    /// Concept name or reading title (local symbol).
    var nodeName: [Int32] = []
    var nodeSummary: [Int32] = []
    var nodeLine: [Int32] = []
    /// Columns of the id, the name/title and the kind, three per node.
    var nodeColumns: [Int32] = []
    var nodeIsConcept: [Bool] = []
    /// End of each node's properties in `nodePropKey`/`nodePropValue` (and of its aliases in `aliasSym`).
    var nodePropEnd: [Int32] = []
    var nodeAliasEnd: [Int32] = []
    /// `aka` strings: symbol, line and column of their line.
    var aliasSym: [Int32] = []
    var aliasLine: [Int32] = []
    var aliasColumn: [Int32] = []

    // Relations in statement order.
    var edgeSrc: [Int32] = []
    var edgeType: [Int32] = []
    var edgeDst: [Int32] = []
    var edgeLine: [Int32] = []
    var edgeColumns: [Int32] = []
    var edgePropEnd: [Int32] = []
    var edgeEvEnd: [Int32] = []
    var edgeOrigins: [Int32: EdgeOrigin] = [:]

    // Evidence rows.
    var evReading: [Int32] = []
    var evLocator: [Locator?] = []
    var evNote: [Int32] = []
    var evModality: [Modality] = []

    // Properties of nodes and of relations (non-null values only), in written order.
    var nodePropKey: [Int32] = []
    var nodePropValue: [ChunkValue] = []
    var edgePropKey: [Int32] = []
    var edgePropValue: [ChunkValue] = []

    /// Bytes of the segment (for progress).
    var byteCount = 0

    init(file: Int, segment: Int) {
        self.file = file
        self.segment = segment
    }

    var nodeCount: Int { nodeKey.count }
    var edgeCount: Int { edgeSrc.count }

    @inline(__always) func sym(_ s: String) -> Int32 { strings.intern(s).raw }

    // MARK: From parsed statements (the full parser's path)

    func value(_ v: Value) -> ChunkValue {
        switch v {
        case .string(let s): return .sym(sym(s))
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .bool(let b): return .bool(b)
        case .list(let l):
            var out: [Int32] = []
            for x in l {
                guard case .string(let s) = x else { return .value(v) }
                out.append(sym(s))
            }
            return .syms(out)
        case .null, .temporal: return .value(v)
        }
    }

    /// Adds one statement as the full parser produced it.
    func add(_ s: Statement) {
        let line = s.span.line
        switch s.header {
        case .kind(let name, let parent, let doc):
            var d = KindDecl(name: name, parent: parent, doc: doc)
            for c in s.continuations { if case .doc(let t) = c.entry { d.doc = t } }
            kinds.append(KindRec(decl: d, line: line, columns: s.columns))
        case .relationType(let name, let domain, let range, let inverse, let flags):
            var d = RelationDecl(name: name, domain: domain, range: range, inverse: inverse,
                                 symmetric: flags.contains(.symmetric), transitive: flags.contains(.transitive),
                                 undirected: flags.contains(.undirected), finding: flags.contains(.finding))
            for c in s.continuations {
                switch c.entry {
                case .doc(let t): d.doc = t
                case .cue(let cs): d.cues += cs
                default: break
                }
            }
            relTypes.append(RelTypeRec(decl: d, line: line, columns: s.columns))
        case .reading(let id, let title):
            nodeKey.append(sym(id))
            nodeKind.append(sym("Reading"))
            nodeName.append(sym(title))
            nodeSummary.append(-1)
            nodeLine.append(Int32(line))
            nodeColumns.append(contentsOf: [Int32(s.columns[0]), Int32(s.columns[1]), 0])
            nodeIsConcept.append(false)
            for (k, v) in s.properties where !v.isNull {
                nodePropKey.append(sym(k))
                nodePropValue.append(value(v))
            }
            nodePropEnd.append(Int32(nodePropKey.count))
            nodeAliasEnd.append(Int32(aliasSym.count))
        case .concept(let id, let name, let kind):
            nodeKey.append(sym(id))
            nodeKind.append(sym(kind))
            nodeName.append(sym(name))
            nodeSummary.append(s.summary.map { sym($0) } ?? -1)
            nodeLine.append(Int32(line))
            nodeColumns.append(contentsOf: [Int32(s.columns[0]), Int32(s.columns[1]), Int32(s.columns[2])])
            nodeIsConcept.append(true)
            for c in s.continuations {
                guard case .aka(let list) = c.entry else { continue }
                for a in list {
                    aliasSym.append(sym(a))
                    aliasLine.append(Int32(c.line))
                    aliasColumn.append(Int32(c.column))
                }
            }
            for (k, v) in s.properties where !v.isNull {
                nodePropKey.append(sym(k))
                nodePropValue.append(value(v))
            }
            nodePropEnd.append(Int32(nodePropKey.count))
            nodeAliasEnd.append(Int32(aliasSym.count))
        case .relation(let src, let type, let dst, let first):
            edgeSrc.append(sym(src))
            edgeType.append(sym(type))
            edgeDst.append(sym(dst))
            edgeLine.append(Int32(line))
            edgeColumns.append(contentsOf: s.columns.prefix(3).map { Int32($0) })
            func ev(_ e: EvidenceClause) {
                evReading.append(sym(e.reading))
                evLocator.append(e.locator)
                evNote.append(e.note.map { sym($0) } ?? -1)
                evModality.append(e.modality)
            }
            if let f = first { ev(f) }
            for c in s.continuations {
                switch c.entry {
                case .property(let k, let v) where !v.isNull:
                    edgePropKey.append(sym(k))
                    edgePropValue.append(value(v))
                case .evidence(let e): ev(e)
                case .origin(let o): edgeOrigins[Int32(edgeSrc.count - 1)] = o
                default: break
                }
            }
            edgePropEnd.append(Int32(edgePropKey.count))
            edgeEvEnd.append(Int32(evReading.count))
        }
    }
}
