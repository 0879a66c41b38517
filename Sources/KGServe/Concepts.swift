import Foundation
import KGCore
import KGExport
import KGFormat

/// The concept card as JSON: what `kg show` prints (kind with its parents, aliases, summary,
/// properties, relations grouped by type with inverse names for incoming ones, evidence with the
/// cited passage, the readings that mention it), structured for the page.
enum ConceptJSON {
    static func nodeRef(_ g: Graph, _ n: NodeID) -> JSON {
        .object([("id", .string(g.key(of: n))), ("name", .string(g.displayName(of: n))), ("kind", .str(g.kind(of: n)))])
    }

    /// The node a URL names: its id, else a name or alias through the name index.
    static func find(_ ref: String, in g: Graph) throws -> NodeID {
        if let n = g.node(key: ref), g.isAlive(n) { return n }
        if let n = g.resolve(name: ref).first { return n }
        let near = ConceptCard.nearestNames(ref, in: g)
        throw APIError(.notFound, "no concept named '\(ref)'", details: [("suggestions", .array(near.map(JSON.string)))])
    }

    static func card(_ n: NodeID, snap: Snapshot, readings: ReadingStore) -> JSON {
        let g = snap.graph
        var f: [(String, JSON)] = [
            ("id", .string(g.key(of: n))),
            ("name", .string(g.displayName(of: n))),
            ("kind", .str(g.kind(of: n))),
            ("lineage", .array(g.labels(of: n).map(JSON.string))),
            ("aliases", .array(g.aliases(of: n).map(JSON.string))),
            ("summary", .str(g.property(n, "summary")?.stringValue)),
        ]
        let skip: Set<String> = ["id", "name", "aliases", "summary"]
        f.append(("properties", .array(g.properties(of: n).filter { !skip.contains(g.strings[$0.key]) }.map { k, v in
            .object([("key", .string(g.strings[k])), ("value", .string(KGPrinter.value(v)))])
        })))
        if let o = snap.loaded.origin(of: n) {
            f.append(("declared", .object([("file", .string(relative(o.file, to: snap))), ("line", .int(o.line))])))
        } else {
            f.append(("declared", .null))
        }
        f.append(("isReading", .bool(g.kind(of: n) == "Reading" || g.labels(of: n).contains("Reading"))))

        var texts: [String: ReadingStore.Lookup] = [:]
        func text(_ reading: String) -> ReadingText? {
            if texts[reading] == nil {
                texts[reading] = g.node(key: reading).map { readings.text(of: $0, in: snap) } ?? .unavailable("no reading '\(reading)'")
            }
            if case .text(let t)? = texts[reading] { return t }
            return nil
        }
        func relation(_ e: EdgeID, other: NodeID) -> JSON {
            var r: [(String, JSON)] = [("edge", .int(e.index)), ("type", .string(g.typeName(of: e))), ("other", nodeRef(g, other))]
            r.append(("properties", .array(g.storedProperties(of: e).map { k, v in
                .object([("key", .string(g.strings[k])), ("value", .string(KGPrinter.value(v)))])
            })))
            if let o = g.origin(of: e) {
                r.append(("origin", .object([("tool", .string(o.tool)), ("date", .string(o.date))])))
            }
            r.append(("evidence", .array(g.evidence(of: e).map { evidence($0, g: g, text: text) })))
            return .object(r)
        }

        let schema = g.schema
        var groups: [(title: String, type: String, direction: String, items: [JSON])] = []
        var last: Symbol? = nil
        for raw in g.outEdges(n) {
            let e = EdgeID(raw)
            let t = g.type(of: e)
            if t != last { groups.append(("\(g.strings[t]) →", g.strings[t], "out", [])); last = t }
            groups[groups.count - 1].items.append(relation(e, other: g.target(of: e)))
        }
        last = nil
        var mentions: [JSON] = []
        for raw in g.inEdges(n) {
            let e = EdgeID(raw)
            let t = g.type(of: e)
            let name = g.strings[t]
            if name == "MENTIONS" && g.kind(of: g.source(of: e)) == "Reading" {
                var m: [(String, JSON)] = [("id", .string(g.key(of: g.source(of: e)))), ("name", .string(g.displayName(of: g.source(of: e))))]
                m.append(("count", g.property(e, "count")?.intValue.map { JSON.int(Int($0)) } ?? .null))
                m.append(("locators", .array(g.evidence(of: e).compactMap { $0.locator.map { JSON.string($0.description) } })))
                mentions.append(.object(m))
                continue
            }
            if t != last {
                let decl = schema.relation(name)
                let title = decl?.inverse.map { "\($0) →" } ?? (decl?.symmetric == true ? "\(name) →" : "← \(name)")
                groups.append((title, name, "in", []))
                last = t
            }
            groups[groups.count - 1].items.append(relation(e, other: g.source(of: e)))
        }
        f.append(("groups", .array(groups.map { gr in
            .object([("title", .string(gr.title)), ("type", .string(gr.type)), ("direction", .string(gr.direction)),
                     ("relations", .array(gr.items))])
        })))
        f.append(("mentionedIn", .array(mentions)))
        let hits = g.resolve(name: g.displayName(of: n)).filter { $0 != n }
        f.append(("alsoNamed", .array(hits.map { nodeRef(g, $0) })))
        return .object(f)
    }

    static func evidence(_ ev: Evidence, g: Graph, text: (String) -> ReadingText?) -> JSON {
        var o: [(String, JSON)] = [("reading", .string(ev.reading))]
        o.append(("readingTitle", g.node(key: ev.reading).map { .string(g.displayName(of: $0)) } ?? .null))
        o.append(("locator", .str(ev.locator?.description)))
        o.append(("note", .str(ev.note)))
        o.append(("modality", .string(ev.modality.rawValue)))
        var passage: [JSON] = []
        if let l = ev.locator, let t = text(ev.reading), let p = t.passage(l) {
            for (i, s) in p.enumerated() {
                let tag = (l.unit == .line ? "L" : "S") + String(l.start + i)
                passage.append(.object([("tag", .string(tag)), ("text", .string(s))]))
            }
        }
        o.append(("passage", .array(passage)))
        return .object(o)
    }

    static func relative(_ file: String, to snap: Snapshot) -> String {
        guard let dir = snap.loaded.directory else { return file }
        let d = dir.hasSuffix("/") ? dir : dir + "/"
        return file.hasPrefix(d) ? String(file.dropFirst(d.count)) : file
    }

    /// Kinds in schema order (then any others, sorted) with the nodes whose own kind they are.
    static func kinds(_ g: Graph) -> JSON {
        var byKind: [String: [NodeID]] = [:]
        for n in g.nodes { byKind[g.kind(of: n) ?? "", default: []].append(n) }
        var order = Array(g.schema.kinds.keys)
        order += byKind.keys.filter { !g.schema.kinds.keys.contains($0) }.sorted()
        return .object([("kinds", .array(order.compactMap { k -> JSON? in
            let nodes = (byKind[k] ?? []).sorted { g.displayName(of: $0).lowercased() < g.displayName(of: $1).lowercased() }
            return .object([
                ("name", .string(k.isEmpty ? "(no kind)" : k)),
                ("parent", .str(g.schema.kind(k)?.parent)),
                ("doc", .str(g.schema.kind(k)?.doc)),
                ("count", .int(nodes.count)),
                ("nodes", .array(nodes.map { nodeRef(g, $0) })),
            ])
        }))])
    }
}

/// Drawings of a subgraph through kg's own layout and SVG writer: the page's inline drawing and
/// the slide download (the same code path as `kg export svg --focus … --slide 16:9`).
enum Drawing {
    struct Selection {
        var focus: NodeID?
        var depth: Int
        var relations: Set<String>?
        var kinds: Set<String>?
    }

    static func list(_ s: String?) -> Set<String>? {
        guard let s else { return nil }
        let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : Set(parts)
    }

    /// The neighbourhood of `focus` narrowed by relation types and kinds, as `kg export svg` selects it.
    static func neighbourhood(_ g: Graph, _ sel: Selection) throws -> Subgraph {
        guard let focus = sel.focus else { return Subgraph.whole(g) }
        var sub = Subgraph.neighbourhood(g, of: focus, depth: sel.depth)
        if let rels = sel.relations {
            for r in rels where g.schema.resolveRelation(r) == nil && !g.edges.contains(where: { g.typeName(of: $0) == r }) {
                throw APIError(.badRequest, "unknown relation type '\(r)'")
            }
        }
        if let ks = sel.kinds {
            for k in ks where g.schema.kinds[k] == nil && g.nodes(withLabel: k).isEmpty {
                throw APIError(.badRequest, "unknown kind '\(k)'")
            }
        }
        if sel.relations != nil || sel.kinds != nil {
            sub = sub.filtered(g, relations: sel.relations, kinds: sel.kinds, keepIsolated: true)
            if sel.relations != nil, !sub.nodes.contains(focus),
               sel.kinds == nil || g.labels(of: focus).contains(where: { sel.kinds!.contains($0) }) {
                sub = Subgraph(graph: g, nodes: sub.nodes + [focus], edges: sub.edges)
            }
        }
        return sub
    }

    /// SVG text of `sub`. `slide` fits it into a slide of that ratio as `--slide` does.
    static func svg(_ g: Graph, _ sub: Subgraph, focus: NodeID?, slide: SlideFormat? = nil, title: String? = nil,
                    theme: SVGTheme = .light) throws -> (svg: String, warnings: [String]) {
        var style = SVGStyle()
        style.theme = theme
        style.slide = slide
        style.title = title
        let diagram = SVGGraph.diagram(g, sub, emphasise: focus.map { [$0] } ?? [], edgeLabels: true)
        let r = try SVGRenderer(style: style).render(diagram)
        return (r.svg, r.warnings)
    }
}
