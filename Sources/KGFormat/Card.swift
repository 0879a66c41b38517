import KGCore

/// The text `kg show` prints for one node: kind, aliases, summary, properties, relations grouped
/// by type with their evidence resolved against the reading texts, and the readings mentioning it.
public struct ConceptCard {
    public let loaded: LoadedGraph
    private var texts: [String: ReadingText?] = [:]

    public init(_ loaded: LoadedGraph) { self.loaded = loaded }

    mutating func text(of reading: String) -> ReadingText? {
        if let t = texts[reading] { return t }
        let g = loaded.graph
        let t = g.node(key: reading).flatMap { ReadingText.load(node: $0, graph: g, readingsDirectory: loaded.readingsDirectory, graphDirectory: loaded.directory) }
        texts[reading] = t
        return t
    }

    public mutating func render(_ n: NodeID, color: Bool = false) -> String {
        let g = loaded.graph
        func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
        func dim(_ s: String) -> String { color ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
        func label(_ m: NodeID) -> String { "\(g.displayName(of: m)) (\(g.key(of: m)))" }
        var out = bold(g.displayName(of: n)) + "  " + dim("(\(g.key(of: n)))") + "\n"
        let lineage = g.labels(of: n)
        out += "kind: " + (lineage.isEmpty ? "(none)" : lineage.joined(separator: " < ")) + "\n"
        let aliases = g.aliases(of: n)
        if !aliases.isEmpty { out += "aliases: " + aliases.joined(separator: ", ") + "\n" }
        if let s = g.property(n, "summary")?.stringValue { out += "summary: " + s + "\n" }
        let skip: Set<String> = ["id", "name", "aliases", "summary"]
        let props = g.properties(of: n).filter { !skip.contains(g.strings[$0.key]) }
        if !props.isEmpty {
            out += "properties:\n"
            for (k, v) in props { out += "  \(g.strings[k]): \(KGPrinter.value(v))\n" }
        }
        if let o = loaded.origin(of: n) { out += dim("declared at \(o.file):\(o.line)") + "\n" }

        // Outgoing, grouped by type (adjacency is sorted by type already).
        let schema = g.schema
        var mentions: [NodeID] = []
        var groups: [(title: String, lines: [String])] = []
        var lastType: Symbol? = nil
        for raw in g.outEdges(n) {
            let e = EdgeID(raw)
            let t = g.type(of: e)
            if t != lastType { groups.append(("\(g.strings[t]) →", [])); lastType = t }
            groups[groups.count - 1].lines += edgeLines(e, other: g.target(of: e), label: label)
        }
        lastType = nil
        for raw in g.inEdges(n) {
            let e = EdgeID(raw)
            let t = g.type(of: e)
            let name = g.strings[t]
            if name == "MENTIONS" && g.kind(of: g.source(of: e)) == "Reading" { mentions.append(g.source(of: e)); continue }
            if t != lastType {
                let decl = schema.relation(name)
                let title = decl?.inverse.map { "\($0) →" } ?? (decl?.symmetric == true ? "\(name) →" : "← \(name)")
                groups.append((title, []))
                lastType = t
            }
            groups[groups.count - 1].lines += edgeLines(e, other: g.source(of: e), label: label)
        }
        for gr in groups {
            out += "\n" + bold(gr.title) + "\n"
            for l in gr.lines { out += l + "\n" }
        }
        if !mentions.isEmpty {
            out += "\n" + bold("mentioned in") + "\n"
            for m in mentions { out += "  " + label(m) + "\n" }
        }
        return out
    }

    mutating func edgeLines(_ e: EdgeID, other: NodeID, label: (NodeID) -> String) -> [String] {
        let g = loaded.graph
        var lines = ["  " + label(other)]
        if let m = Provenance.marker(of: e, in: g) { lines.append("    (\(m))") }
        for (k, v) in g.storedProperties(of: e) { lines.append("    \(g.strings[k]): \(KGPrinter.value(v))") }
        for ev in g.evidence(of: e) {
            var head = "    @" + ev.reading
            if let l = ev.locator { head += " " + l.description }
            if ev.modality != .asserted { head += " " + ev.modality.rawValue }
            if let note = ev.note { head += " — " + note }
            lines.append(head)
            var said = ""
            if let l = ev.locator, let t = text(of: ev.reading), let passage = t.passage(l) {
                for (i, p) in passage.enumerated() {
                    let tag = l.unit == .line ? "L\(l.start + i)" : "S\(l.start + i)"
                    let line = p.trimmingSpaces(); lines.append("      \(tag):" + (line.isEmpty ? "" : " " + line))
                    said += " " + p
                }
            }
            // The words that hedge, attribute or deny it, from the passage (else the note).
            if ev.modality != .asserted {
                let words = HedgeWords.find(ev.modality, in: said.isEmpty ? (ev.note ?? "") : said)
                let what: String
                switch ev.modality {
                case .hedged: what = "hedged by"
                case .reported: what = "attributed with"
                case .negated: what = "denied by"
                case .asserted: what = ""
                }
                lines.append("      " + what + ": " + (words.isEmpty ? "(see the text)" : words.map { "\u{201C}\($0)\u{201D}" }.joined(separator: ", ")))
            }
        }
        return lines
    }

    /// Candidate names for "did you mean": display names and aliases of every node.
    public static func nearestNames(_ name: String, in g: Graph, limit: Int = 3) -> [String] {
        var all: Set<String> = []
        for n in g.nodes {
            all.insert(g.displayName(of: n))
            for a in g.aliases(of: n) { all.insert(a) }
        }
        var best = Suggest.nearest(name, in: all, limit: limit)
        if best.isEmpty {
            let low = name.lowercased()
            best = all.filter { $0.lowercased().contains(low) }.sorted().prefix(limit).map { $0 }
        }
        return best
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
