import Foundation

/// Splits a selection that cannot be read on one slide into a numbered series. Every concept and
/// every relation of the selection appears on at least one slide.
///
/// - A neighbourhood (or any selection): slides are stars. The first is centred on the focus (else on
///   the concept with the most relations) and holds as many of its neighbours as fit, grouped by
///   relation type, incoming before outgoing, best-connected first; when the centre has more, a
///   "+N more" node names the relation types the next slide continues with. Then the concept with
///   the most relations not yet shown becomes the next centre (nearest the focus first), and so on.
///   Relations between two concepts of a slide that no slide has shown yet come along.
/// - A story (nodes in argument order): consecutive runs of its steps, each slide starting where the
///   previous one ended.
enum SlideSeries {
    /// The relation type of the dotted line to a "+N more" node.
    static let moreType = "__kg_more__"

    struct Part {
        var diagram: SVGDiagram
        var centre: Int?          // index in the original diagram
        var caption: String?
    }

    static func plan(_ d: SVGDiagram, maxNodes: Int?, maxSlides: Int, progress: ((Int) -> Void)? = nil,
                     fits: (SVGDiagram) -> Bool) throws -> [Part] {
        let cap = max(2, maxNodes ?? 14)
        // Each slide shows at most cap - 1 concepts no earlier slide showed: refuse early what cannot fit.
        let least = (d.nodes.count + cap - 2) / max(1, cap - 1)
        if least > maxSlides {
            throw SlideError("the selection (\(d.nodes.count) concepts, \(d.edges.count) relations) needs at least \(least) slides at \(cap) concepts a slide, more than --max-slides \(maxSlides): narrow it (--depth 1, --relations, --kinds, --query) or raise --max-slides")
        }
        var parts: [Part]
        if d.story {
            parts = try storyParts(d, cap: cap, fits: fits)
        } else {
            parts = try starParts(d, cap: cap, maxSlides: maxSlides, progress: progress, fits: fits)
        }
        if parts.count > maxSlides {
            throw SlideError("the selection (\(d.nodes.count) concepts, \(d.edges.count) relations) would take \(parts.count) slides, more than --max-slides \(maxSlides): narrow it (--depth 1, --relations, --kinds, --query) or raise --max-slides")
        }
        return parts
    }

    /// A sub-diagram: the given nodes (in the original order) and edges, plus an optional "+N more" node.
    static func sub(_ d: SVGDiagram, nodes: [Int], edges: [Int], centre: Int?, more: (label: String, tooltip: String)?) -> SVGDiagram {
        var out = SVGDiagram(kindOrder: d.kindOrder, typeOrder: d.typeOrder)
        out.typeNames = d.typeNames
        out.story = d.story
        let kept = nodes.sorted()
        var index: [Int: Int] = [:]
        for v in kept { index[v] = out.nodes.count; var n = d.nodes[v]; n.emphasised = v == centre; out.nodes.append(n) }
        for e in edges.sorted() {
            let ed = d.edges[e]
            guard let s = index[ed.source], let t = index[ed.target] else { continue }
            var x = ed; x.source = s; x.target = t
            out.edges.append(x)
        }
        out.focus = centre.flatMap { index[$0] }
        if let m = more, let c = centre.flatMap({ index[$0] }) {
            var node = SVGDiagram.Node(id: "more-\(d.nodes[centre!].id)-\(out.nodes.count)", label: m.label, kind: "", tooltip: m.tooltip)
            node.isMore = true
            out.nodes.append(node)
            out.edges.append(SVGDiagram.Edge(source: c, target: out.nodes.count - 1, type: moreType, label: nil, tooltip: m.tooltip))
        }
        return out
    }

    static func starParts(_ d: SVGDiagram, cap: Int, maxSlides: Int, progress: ((Int) -> Void)?, fits: (SVGDiagram) -> Bool) throws -> [Part] {
        let n = d.nodes.count
        var incident = [[Int]](repeating: [], count: n)
        for (i, e) in d.edges.enumerated() {
            incident[e.source].append(i)
            if e.target != e.source { incident[e.target].append(i) }
        }
        let degree = incident.map(\.count)
        let start = d.focus ?? (0..<n).max { (degree[$0], -$0) < (degree[$1], -$1) } ?? 0
        var dist = [Int](repeating: Int.max, count: n)
        dist[start] = 0
        var q = [start], h = 0
        while h < q.count {
            let v = q[h]; h += 1
            for e in incident[v] { let w = d.edges[e].source == v ? d.edges[e].target : d.edges[e].source; if dist[w] == Int.max { dist[w] = dist[v] + 1; q.append(w) } }
        }
        var covered = [Bool](repeating: false, count: d.edges.count)
        var shown = [Bool](repeating: false, count: n)
        var parts: [Part] = []
        func uncoveredAt(_ v: Int) -> [Int] { incident[v].filter { !covered[$0] } }
        func typeWords(_ es: [Int]) -> [String] {
            var seen: [String] = []
            for e in es {
                let t = d.edges[e].type
                let w = d.typeNames[t] ?? SVGGraph.words(t)
                if !seen.contains(w) { seen.append(w) }
            }
            return seen
        }
        /// Slides around `c`: its relations not shown yet, as many neighbours a slide as fit.
        func starSlides(_ c: Int) throws {
            // Neighbours of c over uncovered edges, grouped by relation type, incoming first, best connected first.
            var byNeighbour: [Int: [Int]] = [:]
            var loops: [Int] = []
            for e in uncoveredAt(c) {
                let ed = d.edges[e]
                if ed.source == ed.target { loops.append(e); continue }
                byNeighbour[ed.source == c ? ed.target : ed.source, default: []].append(e)
            }
            func key(_ w: Int) -> (Int, Int, Int, Int) {
                let es = byNeighbour[w]!
                let t = es.map { PaletteIndex.of(d.edges[$0].type, order: d.typeOrder) }.min() ?? 0
                let incoming = es.contains { d.edges[$0].target == c } ? 0 : 1
                return (t, incoming, -degree[w], w)
            }
            var queue = byNeighbour.keys.sorted { key($0) < key($1) }
            if queue.isEmpty && loops.isEmpty { return }
            var first = true
            while !queue.isEmpty || (first && !loops.isEmpty) {
                // Take as many as fit, at most cap - 1 (cap - 2 when a "+N more" node is needed).
                var k = min(queue.count, cap - 1)
                var made: Part? = nil
                let minK = queue.isEmpty ? 0 : 1
                while k >= minK {
                    let take = Array(queue.prefix(k))
                    let rest = Array(queue.dropFirst(k))
                    if !rest.isEmpty && k > cap - 2 { k -= 1; continue }
                    var edges = take.flatMap { byNeighbour[$0]! } + (first ? loops : [])
                    let nodes = [c] + take
                    let nodeSet = Set(nodes)
                    let extras = d.edges.indices.filter { e in
                        !covered[e] && !edges.contains(e) && nodeSet.contains(d.edges[e].source) && nodeSet.contains(d.edges[e].target)
                    }
                    var more: (String, String)? = nil
                    if !rest.isEmpty {
                        let restEdges = rest.flatMap { byNeighbour[$0]! }
                        let words = typeWords(restEdges)
                        let shownWords = words.prefix(3).joined(separator: ", ") + (words.count > 3 ? ", …" : "")
                        let label = "+\(rest.count) more on slide \(parts.count + 2): \(shownWords)"
                        let names = rest.map { d.nodes[$0].label }
                        more = (label, "Continued on slide \(parts.count + 2): " + names.joined(separator: ", "))
                    }
                    for withExtras in [true, false] where withExtras || !extras.isEmpty {
                        let es = withExtras ? edges + extras : edges
                        let part = sub(d, nodes: nodes, edges: es, centre: c, more: more)
                        if fits(part) { made = Part(diagram: part, centre: c, caption: nil); edges = es; break }
                    }
                    if let m = made {
                        for e in edges { covered[e] = true }
                        for v in nodes { shown[v] = true }
                        parts.append(m)
                        progress?(parts.count)
                        queue = rest
                        break
                    }
                    k -= 1
                }
                first = false
                if made == nil {
                    throw SlideError("\(d.nodes[c].label) and one neighbour cannot be drawn readably on a slide (a very long name?)")
                }
                if parts.count > maxSlides { return }
            }
        }
        // The focus first.
        try starSlides(start)
        // Then what is left, as connected pieces packed onto shared slides (nearest the focus first);
        // a piece too big for a slide gets slides around its best-connected concept.
        while parts.count <= maxSlides {
            let left = d.edges.indices.filter { !covered[$0] }
            if left.isEmpty { break }
            // Components of the relations not shown yet.
            var comp = [Int: Int]()
            var pieces: [[Int]] = []   // edge lists
            var parent = Array(0..<n)
            func find(_ v: Int) -> Int { var v = v; while parent[v] != v { parent[v] = parent[parent[v]]; v = parent[v] }; return v }
            for e in left { let a = find(d.edges[e].source), b = find(d.edges[e].target); if a != b { parent[max(a, b)] = min(a, b) } }
            for e in left {
                let r = find(d.edges[e].source)
                if let k = comp[r] { pieces[k].append(e) } else { comp[r] = pieces.count; pieces.append([e]) }
            }
            func nodesOf(_ es: [Int]) -> [Int] { Array(Set(es.flatMap { [d.edges[$0].source, d.edges[$0].target] })) }
            pieces.sort { a, b in
                let da = nodesOf(a).map { dist[$0] }.min() ?? Int.max, db = nodesOf(b).map { dist[$0] }.min() ?? Int.max
                return (da, -a.count, a.min() ?? 0) < (db, -b.count, b.min() ?? 0)
            }
            func fitsAlone(_ es: [Int]) -> Bool {
                let ns = nodesOf(es)
                return ns.count <= cap && fits(sub(d, nodes: ns, edges: es, centre: nil, more: nil))
            }
            // A piece too big for one slide: slides around its best-connected concept, then look again.
            if let big = pieces.first(where: { !fitsAlone($0) }) {
                let hub = nodesOf(big).max { (uncoveredAt($0).count, -dist[$0], -$0) < (uncoveredAt($1).count, -dist[$1], -$1) }!
                try starSlides(hub)
                continue
            }
            // Every piece fits alone: pack them greedily, then even out the slides' loads.
            var groups: [[[Int]]] = [[]]
            for piece in pieces {
                let trial = groups[groups.count - 1] + [piece]
                if groups[groups.count - 1].isEmpty || fitsAlone(trial.flatMap { $0 }) { groups[groups.count - 1] = trial }
                else { groups.append([piece]) }
            }
            if groups.count > 1 {
                let total = pieces.reduce(0) { $0 + nodesOf($1).count }
                let target = (total + groups.count - 1) / groups.count
                var balanced: [[[Int]]] = [[]]
                var load = 0
                for piece in pieces {
                    let k = nodesOf(piece).count
                    if !balanced[balanced.count - 1].isEmpty && load + k > target && balanced.count < groups.count {
                        balanced.append([]); load = 0
                    }
                    balanced[balanced.count - 1].append(piece); load += k
                }
                if balanced.count == groups.count && balanced.allSatisfy({ fitsAlone($0.flatMap { $0 }) }) { groups = balanced }
            }
            for g in groups where !g.isEmpty {
                let es = g.flatMap { $0 }
                let nodes = nodesOf(es)
                parts.append(Part(diagram: sub(d, nodes: nodes, edges: es, centre: nil, more: nil), centre: nil, caption: "further relations"))
                for e in es { covered[e] = true }
                for v in nodes { shown[v] = true }
            }
        }
        // Concepts without any relation in the selection: slides of their own.
        var lone = (0..<n).filter { !shown[$0] }
        while !lone.isEmpty && parts.count <= maxSlides {
            var k = min(lone.count, cap)
            var made = false
            while k >= 1 {
                let part = sub(d, nodes: Array(lone.prefix(k)), edges: [], centre: nil, more: nil)
                if fits(part) { parts.append(Part(diagram: part, centre: nil, caption: "concepts without relations here")); lone.removeFirst(k); made = true; break }
                k -= 1
            }
            if !made { throw SlideError("\(d.nodes[lone[0]].label) cannot be drawn readably on a slide") }
        }
        return parts
    }

    static func storyParts(_ d: SVGDiagram, cap: Int, fits: (SVGDiagram) -> Bool) throws -> [Part] {
        // Steps in argument order: edges ordered by the later of their two nodes' positions.
        let steps = d.edges.indices.sorted { a, b in
            let ea = d.edges[a], eb = d.edges[b]
            return (max(ea.source, ea.target), min(ea.source, ea.target), a) < (max(eb.source, eb.target), min(eb.source, eb.target), b)
        }
        var parts: [Part] = []
        var i = 0
        var usedNodes = Set<Int>()
        while i < steps.count {
            var k = steps.count - i
            var made = false
            while k >= 1 {
                let es = Array(steps[i..<(i + k)])
                var nodes = Set<Int>()
                for e in es { nodes.insert(d.edges[e].source); nodes.insert(d.edges[e].target) }
                if nodes.count > cap { k -= 1; continue }
                let part = sub(d, nodes: Array(nodes), edges: es, centre: nil, more: nil)
                if fits(part) {
                    parts.append(Part(diagram: part, centre: nil, caption: nil)); usedNodes.formUnion(nodes)
                    i += k; made = true; break
                }
                k -= 1
            }
            if !made { throw SlideError("a step of the story cannot be drawn readably on a slide (a very long name?)") }
        }
        let lone = (0..<d.nodes.count).filter { !usedNodes.contains($0) }
        if !lone.isEmpty {
            var rest = lone
            while !rest.isEmpty {
                var k = min(rest.count, cap)
                while k > 1 && !fits(sub(d, nodes: Array(rest.prefix(k)), edges: [], centre: nil, more: nil)) { k -= 1 }
                parts.append(Part(diagram: sub(d, nodes: Array(rest.prefix(k)), edges: [], centre: nil, more: nil), centre: nil,
                                  caption: "concepts without relations here"))
                rest.removeFirst(k)
            }
        }
        return parts
    }

    static func title(base: String?, part: Part, index: Int, count: Int, diagram d: SVGDiagram) -> String {
        let root = base ?? d.focus.map { d.nodes[$0].label } ?? (d.story ? "Story" : "Concept map")
        var t = "\(root) (\(index)/\(count))"
        if let c = part.centre, c != d.focus { t += ": around \(d.nodes[c].label)" }
        if let cap = part.caption { t += ": " + cap }
        return t
    }

    static func how(_ parts: [Part]) -> String {
        let centres = Set(parts.compactMap(\.centre)).count
        if centres == 1 { return "two or more slides around the focus" }
        if centres > 1 { return "one slide or more around each of \(centres) concepts, the focus first" }
        return "the steps in argument order"
    }
}
