import KGCore

extension GraphMLImport {
    /// GraphML line of a node (0 when unknown).
    public func line(of n: NodeID) -> Int { n.index < nodeLines.count ? Int(nodeLines[n.index]) : 0 }
    /// GraphML line of an edge (0 when unknown).
    public func line(of e: EdgeID) -> Int { e.index < edgeLines.count ? Int(edgeLines[e.index]) : 0 }

    /// Makes the imported graph one the .kg loader accepts next to `existing` (the graph folder
    /// it joins, if any), so that an import never writes a file that does not load:
    /// - aliases that are another concept's name or alias (here or in `existing`), or a concept's
    ///   own name, are dropped;
    /// - evidence that cites a reading neither graph has is dropped;
    /// - kinds and relation types `existing` already declares are not declared again (a relation
    ///   type whose direction differs keeps the graph's declaration, with a warning).
    /// Returns the warnings (`file:line: warning: …`), one per kind of change, naming the first
    /// GraphML line and the count.
    public mutating func makeLoadable(existing: Graph?) -> [String] {
        let g = graph
        var out: [String] = []
        func report(_ first: Int?, _ count: Int, _ message: String) {
            guard count > 0 else { return }
            out.append("\(file):\(first ?? 0): warning: \(message)\(count > 1 ? " (\(count) in all)" : "")")
        }
        // Names and aliases: who claims each normal form.
        var names: [String: Int32] = [:]
        var claimed: [String: Int32] = [:]
        if let ex = existing {
            for n in ex.nodes {
                let k = NameKey.normalize(ex.displayName(of: n))
                if names[k] == nil { names[k] = -1 - n.raw }
                for a in ex.aliases(of: n) { claimed[NameKey.normalize(a)] = -1 - n.raw }
            }
        }
        // Order of the .kg file the import writes: readings first, then by key.
        let order = g.nodes.sorted { a, b in
            let ra = g.kind(of: a) == "Reading", rb = g.kind(of: b) == "Reading"
            if ra != rb { return ra }
            return g.key(of: a).utf8.lexicographicallyPrecedes(g.key(of: b).utf8)
        }
        for n in order where g.kind(of: n) != "Reading" {
            let k = NameKey.normalize(g.displayName(of: n))
            if names[k] == nil { names[k] = n.raw }
        }
        var dropped = 0, firstDrop: Int?
        let aliasKey = g.strings.intern("aliases")
        for n in order where g.kind(of: n) != "Reading" {
            let list = g.aliases(of: n)
            guard !list.isEmpty else { continue }
            let own = NameKey.normalize(g.displayName(of: n))
            var keep: [String] = []
            var mine: Set<String> = [own]
            for a in list {
                let k = NameKey.normalize(a)
                if k.isEmpty || mine.contains(k) { dropped += 1; firstDrop = firstDrop ?? line(of: n); continue }
                if let owner = names[k], owner != n.raw { dropped += 1; firstDrop = firstDrop ?? line(of: n); continue }
                if let owner = claimed[k], owner != n.raw { dropped += 1; firstDrop = firstDrop ?? line(of: n); continue }
                claimed[k] = n.raw
                mine.insert(k)
                keep.append(a)
            }
            if keep.count != list.count {
                var props = g.properties(of: n)
                props[aliasKey] = keep.isEmpty ? nil : .list(keep.map { .string($0) })
                g.replaceProperties(n, props)
            }
        }
        report(firstDrop, dropped, "aliases that repeat the concept's name or name another concept were dropped "
               + "(a name or alias must lead to one concept)")

        // Evidence must cite a reading.
        var readings: Set<String> = []
        for n in g.nodes where g.kind(of: n) == "Reading" { readings.insert(g.key(of: n)) }
        if let ex = existing { for n in ex.nodes where ex.kind(of: n) == "Reading" { readings.insert(ex.key(of: n)) } }
        var droppedEv = 0, firstEv: Int?
        for e in g.edges {
            let ev = g.evidence(of: e)
            guard !ev.isEmpty else { continue }
            let keep = ev.filter { readings.contains($0.reading) }
            if keep.count != ev.count {
                droppedEv += ev.count - keep.count
                firstEv = firstEv ?? line(of: e)
                g.setEvidence(e, keep)
            }
        }
        report(firstEv, droppedEv, "evidence citing a reading that is not in the file or the graph was dropped")

        // Declarations the graph already has.
        if let ex = existing {
            var s = Schema()
            for (_, k) in g.schema.kinds where ex.schema.kinds[k.name] == nil { s.declare(k) }
            for (_, r) in g.schema.relations {
                if let old = ex.schema.relations[r.name] {
                    if old.undirected != r.undirected && !old.symmetric {
                        let first = g.edges.first { g.typeName(of: $0) == r.name }.map { line(of: $0) }
                        out.append("\(file):\(first ?? 0): warning: relation type \(r.name) is \(old.undirected ? "undirected" : "directed") in the graph "
                                   + "but \(r.undirected ? "undirected" : "directed") in the file; the graph's declaration applies")
                    }
                    continue
                }
                if ex.schema.relationWithInverse(r.name) != nil { continue }
                s.declare(r)
            }
            g.schema = s
        }
        return out
    }
}
