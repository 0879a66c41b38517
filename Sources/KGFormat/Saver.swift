import Foundation
import KGCore

/// What `GraphSaver.save` changed.
public struct SaveReport: Equatable, Sendable {
    public var filesWritten: [String] = []
    public var nodesUpdated = 0, nodesDeleted = 0, nodesAdded = 0
    public var edgesUpdated = 0, edgesDeleted = 0, edgesAdded = 0
    public var isEmpty: Bool { filesWritten.isEmpty }
    public var summary: String {
        "nodes: \(nodesAdded) added, \(nodesUpdated) updated, \(nodesDeleted) deleted; "
            + "relations: \(edgesAdded) added, \(edgesUpdated) updated, \(edgesDeleted) deleted; "
            + "\(filesWritten.count) file\(filesWritten.count == 1 ? "" : "s") written"
    }
}

public struct SaveError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Writes in-memory changes of a loaded graph back to its .kg files, touching only what changed.
///
/// The documents of `original` hold the text as loaded; every node and edge remembers the
/// statement it came from. A statement whose node or edge is unchanged keeps its bytes; a changed
/// one is reprinted in canonical form (its comments kept); a deleted one is removed with its
/// continuation lines; nodes and edges created since loading are appended to `newFactsFile`
/// (nodes first, keyed by a slug of their name made unique). Kind and relation type declarations
/// are never touched. All files are written at once, or none.
public enum GraphSaver {
    public static func save(original: LoadedGraph, current: Graph, newFactsFile: String) throws -> SaveReport {
        let (editor, report) = try plan(original: original, current: current, newFactsFile: newFactsFile)
        var r = report
        r.filesWritten = try editor.commit()
        return r
    }

    /// Computes the edits without writing (for `--dry-run` and tests).
    public static func plan(original: LoadedGraph, current g: Graph, newFactsFile: String) throws -> (KGEditor, SaveReport) {
        var report = SaveReport()
        let editor = KGEditor()
        var nodeAt: [UInt64: NodeID] = [:]
        for i in 0..<original.nodeOrigins.count where original.nodeOrigins[i] != 0 { nodeAt[original.nodeOrigins[i]] = NodeID(i) }
        var edgeAt: [UInt64: EdgeID] = [:]
        for i in 0..<original.edgeOrigins.count where original.edgeOrigins[i] != 0 { edgeAt[original.edgeOrigins[i]] = EdgeID(i) }

        // Keys for nodes created since loading.
        var newNodes: [NodeID] = []
        for n in g.nodes where n.index >= original.loadedNodeCapacity || original.nodeOrigins[n.index] == 0 {
            newNodes.append(n)
            let k = g.key(of: n)
            if k.isEmpty || !KGParser.isIdentifier(k), let wanted = g.property(n, "id"), !wanted.isNull {
                // An id given in the query is the key: never replaced silently.
                guard let id = wanted.stringValue, KGParser.isIdentifier(id) else {
                    throw SaveError("node '\(g.displayName(of: n))' has id \(KGPrinter.value(wanted)), which is not an identifier ([A-Za-z0-9_][A-Za-z0-9_.-]*); nothing written")
                }
                if let other = g.node(key: id), other != n {
                    throw SaveError("two nodes would have the id '\(id)' ('\(g.displayName(of: other))' and '\(g.displayName(of: n))'); nothing written")
                }
                try g.assignKey(id, to: n)
            } else if k.isEmpty || !KGParser.isIdentifier(k) {
                var base = KGPrinter.slug(g.property(n, "name")?.stringValue ?? k)
                if base.isEmpty { base = "node" }
                if let f = base.utf8.first, !KGParser.isIdentStart(f) { base = "n-" + base }
                var key = base
                var i = 2
                while g.node(key: key) != nil { key = base + "-" + String(i); i += 1 }
                try g.assignKey(key, to: n)
            }
            if g.property(n, "id") == nil { g.setProperty(n, "id", .string(g.key(of: n))) }
        }
        func key(_ n: NodeID) -> String { g.key(of: n) }

        for (di, doc) in original.documents.enumerated() {
            guard doc.isCurrent else {
                throw SaveError("\(doc.path) changed on disk since the graph was loaded; nothing written (load again and redo the change)")
            }
            for item in doc.items {
                guard case .statement(let s) = item else { continue }
                let packed = UInt64(di + 1) << 32 | UInt64(s.span.line)
                switch s.header {
                case .kind, .relationType:
                    continue
                case .concept, .reading:
                    guard let n = nodeAt[packed] else { continue }
                    if !g.isAlive(n) {
                        editor.delete(s.span, original: doc.bytes)
                        report.nodesDeleted += 1
                        continue
                    }
                    if g.property(n, "id")?.stringValue != key(n) {
                        let now = g.property(n, "id").map { KGPrinter.value($0) } ?? "null"
                        throw SaveError("node '\(key(n))' (\(doc.path):\(s.span.line)): its id cannot change (now \(now)); other statements refer to it by id. Nothing written")
                    }
                    try checkRepresentable(n, g)
                    var fresh = KGPrinter.statement(node: n, in: g, key: key(n))
                    if fresh.header == s.header && sameEntries(fresh, s) { continue }
                    carryComments(from: s, to: &fresh)
                    editor.replace(s.span, with: KGPrinter.print(fresh), original: doc.bytes)
                    report.nodesUpdated += 1
                case .relation:
                    guard let e = edgeAt[packed] else { continue }
                    if !g.isAlive(e) {
                        editor.delete(s.span, original: doc.bytes)
                        report.edgesDeleted += 1
                        continue
                    }
                    var fresh = KGPrinter.statement(edge: e, in: g, keys: key)
                    if sameRelation(fresh, s) { continue }
                    carryComments(from: s, to: &fresh)
                    editor.replace(s.span, with: KGPrinter.print(fresh), original: doc.bytes)
                    report.edgesUpdated += 1
                }
            }
        }

        var appended = ""
        for n in newNodes {
            try checkRepresentable(n, g)
            appended += KGPrinter.print(KGPrinter.statement(node: n, in: g, key: key(n)))
            report.nodesAdded += 1
        }
        for e in g.edges where e.index >= original.loadedEdgeCapacity || original.edgeOrigins[e.index] == 0 {
            appended += KGPrinter.print(KGPrinter.statement(edge: e, in: g, keys: key))
            report.edgesAdded += 1
        }
        if !appended.isEmpty {
            let exists = (FileManager.default.contents(atPath: newFactsFile)?.count ?? 0) > 0
            editor.append((exists ? "\n" : "") + appended, to: newFactsFile)
        }
        return (editor, report)
    }

    /// A node can be written as one concept (one kind, plus the parents the schema implies) or a reading.
    static func checkRepresentable(_ n: NodeID, _ g: Graph) throws {
        let labels = g.ownLabels(of: n)
        guard let kind = labels.first else {
            throw SaveError("node '\(g.displayName(of: n))' has no label; a concept needs a kind (e.g. SET n:Concept)")
        }
        let implied = g.schema.lineage(of: kind)
        let extra = labels.filter { !implied.contains($0) }
        if !extra.isEmpty {
            throw SaveError("node '\(g.displayName(of: n))' has labels \(labels.joined(separator: ", ")); a concept has one kind (its parent kinds are implied)")
        }
    }

    /// Same continuation content, order-insensitive between groups the printer reorders anyway.
    static func sameEntries(_ a: Statement, _ b: Statement) -> Bool {
        let ea = normalized(a), eb = normalized(b)
        return ea == eb
    }

    static func sameRelation(_ a: Statement, _ b: Statement) -> Bool {
        guard case .relation(let s1, let t1, let d1, _) = a.header, case .relation(let s2, let t2, let d2, _) = b.header,
              s1 == s2, t1 == t2, d1 == d2, a.evidence == b.evidence, a.origin == b.origin else { return false }
        let pa = a.properties.filter { !$0.value.isNull }, pb = b.properties.filter { !$0.value.isNull }
        return pa.count == pb.count && zip(pa, pb).allSatisfy { $0.key == $1.key && $0.value.identical(to: $1.value) }
    }

    static func normalized(_ s: Statement) -> [Entry] {
        var aliases: [String] = []
        var rest: [Entry] = []
        for c in KGPrinter.canonicalOrder(s) {
            switch c.entry {
            case .aka(let l): aliases += l
            case .property(_, .null): continue
            default: rest.append(c.entry)
            }
        }
        return (aliases.isEmpty ? [] : [.aka(aliases)]) + rest
    }

    static func slotKey(_ e: Entry) -> String {
        switch e {
        case .doc: return "doc"
        case .cue: return "cue"
        case .aka: return "aka"
        case .summary: return "summary"
        case .property(let k, _): return "p:" + k
        case .evidence(let ev): return "@" + ev.reading
        case .origin: return "origin"
        }
    }

    static func carryComments(from old: Statement, to new: inout Statement) {
        new.trailingComment = old.trailingComment
        new.closingComments = old.closingComments
        var bySlot: [String: Continuation] = [:]
        for c in old.continuations where bySlot[slotKey(c.entry)] == nil { bySlot[slotKey(c.entry)] = c }
        var orphans: [String] = []
        var used: Set<String> = []
        for i in new.continuations.indices {
            let k = slotKey(new.continuations[i].entry)
            if let o = bySlot[k], !used.contains(k) {
                new.continuations[i].leadingComments = o.leadingComments
                new.continuations[i].trailingComment = o.trailingComment
                used.insert(k)
            }
        }
        for (k, c) in bySlot where !used.contains(k) {
            orphans += c.leadingComments
            if let t = c.trailingComment { orphans.append(t) }
        }
        new.closingComments = orphans.sorted() + new.closingComments
    }
}

/// Structural comparison of graphs by node key: labels, properties, and the multiset of edges
/// (source key, type, target key, properties, evidence). Node and edge ids may differ.
public enum GraphEquivalence {
    public static func differences(_ a: Graph, _ b: Graph, limit: Int = 10) -> [String] {
        var out: [String] = []
        func note(_ s: String) { if out.count < limit { out.append(s) } }
        if a.nodeCount != b.nodeCount { note("node count \(a.nodeCount) vs \(b.nodeCount)") }
        if a.edgeCount != b.edgeCount { note("edge count \(a.edgeCount) vs \(b.edgeCount)") }
        func props(_ g: Graph, _ m: PropertyMap) -> [String: Value] {
            Dictionary(m.map { (g.strings[$0.key], $0.value) }, uniquingKeysWith: { x, _ in x })
        }
        func same(_ x: [String: Value], _ y: [String: Value]) -> Bool {
            x.count == y.count && x.allSatisfy { k, v in y[k].map { $0.identical(to: v) } ?? false }
        }
        for n in a.nodes {
            let k = a.key(of: n)
            guard let m = b.node(key: k) else { note("node '\(k)' missing"); continue }
            if a.ownLabels(of: n) != b.ownLabels(of: m) { note("node '\(k)' labels \(a.ownLabels(of: n)) vs \(b.ownLabels(of: m))") }
            let pa = props(a, a.properties(of: n)), pb = props(b, b.properties(of: m))
            if !same(pa, pb) { note("node '\(k)' properties \(pa) vs \(pb)") }
        }
        func edgeSig(_ g: Graph, _ e: EdgeID) -> String {
            var s = g.key(of: g.source(of: e)) + " -" + g.typeName(of: e) + "-> " + g.key(of: g.target(of: e))
            for (k, v) in props(g, g.storedProperties(of: e)).sorted(by: { $0.key < $1.key }) { s += " \(k)=" + KGPrinter.value(v) }
            for ev in g.evidence(of: e) { s += " @\(ev.reading) \(ev.locator?.description ?? "-") \(ev.modality) \(ev.note.map(KGPrinter.quote) ?? "-")" }
            if let o = g.origin(of: e) { s += " origin \(o.tool) \(o.date) \(o.fingerprint)" }
            return s
        }
        var ea: [String: Int] = [:]
        for e in a.edges { ea[edgeSig(a, e), default: 0] += 1 }
        for e in b.edges { ea[edgeSig(b, e), default: 0] -= 1 }
        for (s, c) in ea.sorted(by: { $0.key < $1.key }) where c != 0 { note("edge \(s) count differs by \(c)") }
        return out
    }

    public static func structurallyEqual(_ a: Graph, _ b: Graph) -> Bool { differences(a, b, limit: 1).isEmpty }
}
