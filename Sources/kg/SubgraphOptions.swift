import ArgumentParser
import Foundation
import KGCore
import KGExport
import KGFormat
import KGQuery

/// Which part of the graph an export writes: the whole graph, a concept's neighbourhood, or what a
/// Cypher query returns; optionally narrowed to some relation types and kinds.
struct SubgraphOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Export the neighbourhood of this concept (name, alias or id).", valueName: "name"))
    var focus: String?

    @Option(help: ArgumentHelp("Steps from --focus, following relations both ways.", valueName: "n"))
    var depth: Int = 1

    @Option(help: ArgumentHelp("Export the nodes, relationships and paths this Cypher query returns.", valueName: "cypher"))
    var query: String?

    @Option(help: ArgumentHelp("Keep only these relation types (comma-separated).", valueName: "A,B"))
    var relations: String?

    @Option(help: ArgumentHelp("Keep only concepts of these kinds or their sub-kinds (comma-separated).", valueName: "K,..."))
    var kinds: String?

    /// What was selected, with the order a query returned it in (first appearance) and whether it
    /// returned paths (a story).
    struct Selection {
        var sub: Subgraph
        var focus: NodeID?
        var nodeOrder: [NodeID]?
        var edgeOrder: [EdgeID]?
        var returnedPaths = false
    }

    func validate() throws {
        if focus != nil && query != nil { throw ValidationError("use either --focus or --query, not both") }
        if depth < 0 { throw ValidationError("--depth must be 0 or more") }
        if let f = focus, f.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--focus needs a name") }
    }

    static func list(_ s: String?) -> Set<String>? {
        guard let s else { return nil }
        let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : Set(parts)
    }

    func select(from loaded: LoadedGraph) throws -> Subgraph { try select(from: loaded.graph) }

    func select(from graph: Graph) throws -> Subgraph { try selection(from: graph).sub }

    func selection(from graph: Graph) throws -> Selection {
        var sub: Subgraph
        var sel = Selection(sub: Subgraph(sortedNodes: [], sortedEdges: []))
        if let f = focus {
            let c = try Self.resolve(f, in: graph)
            sel.focus = c
            sub = Subgraph.neighbourhood(graph, of: c, depth: depth)
        } else if let q = query {
            let r = try Self.runOrdered(query: q, on: graph)
            sub = r.sub; sel.nodeOrder = r.nodes; sel.edgeOrder = r.edges; sel.returnedPaths = r.paths
        } else {
            sub = Subgraph.whole(graph)
        }
        let rels = Self.list(relations), ks = Self.list(kinds)
        if let rels {
            for r in rels where graph.schema.resolveRelation(r) == nil && !graph.edges.contains(where: { graph.typeName(of: $0) == r }) {
                throw ValidationError("--relations: unknown relation type '\(r)'")
            }
        }
        if let ks {
            for k in ks where graph.schema.kinds[k] == nil && graph.nodes(withLabel: k).isEmpty {
                throw ValidationError("--kinds: unknown kind '\(k)'")
            }
        }
        if rels != nil || ks != nil {
            sub = sub.filtered(graph, relations: rels, kinds: ks, keepIsolated: focus == nil && query == nil ? false : true)
            if let f = focus, rels != nil {
                // Keep the focus itself even when none of its relations pass the filter.
                let c = try Self.resolve(f, in: graph)
                if !sub.nodes.contains(c), ks == nil || graph.labels(of: c).contains(where: { ks!.contains($0) }) {
                    sub = Subgraph(graph: graph, nodes: sub.nodes + [c], edges: sub.edges)
                }
            }
        }
        sel.sub = sub
        return sel
    }

    /// Asked for Reading nodes or MENTIONS relations (a slide leaves them out otherwise)?
    func asksForReadings(_ graph: Graph, focus f: NodeID?) -> Bool {
        Subgraph.asksForReadings(graph, focus: f, kinds: Self.list(kinds), relations: Self.list(relations))
    }

    /// `sub` without Reading nodes and MENTIONS relations.
    static func withoutReadings(_ sub: Subgraph, in graph: Graph) -> Subgraph { sub.withoutReadings(in: graph) }

    /// The one concept `name` denotes; ambiguity and absence are errors (exit 1) that list candidates.
    static func resolve(_ name: String, in graph: Graph) throws -> NodeID {
        try ConceptLookup.find(name, in: graph, option: "--focus", ambiguous: .fail)
    }

    /// Runs the query and collects the nodes, relationships and paths of its result (inside lists
    /// and maps too). Relationships bring their endpoints.
    static func run(query: String, on graph: Graph) throws -> Subgraph { try runOrdered(query: query, on: graph).sub }

    static func runOrdered(query: String, on graph: Graph) throws -> (sub: Subgraph, nodes: [NodeID], edges: [EdgeID], paths: Bool) {
        let result: QueryResult
        do {
            result = try CypherEngine(graph: graph).run(query)
        } catch {
            eprint("error: --query: \(error)")
            throw ExitCode(1)
        }
        var nodes: [NodeID] = [], edges: [EdgeID] = []
        var paths = false
        func collect(_ v: QueryValue) {
            switch v {
            case .node(let n): nodes.append(n)
            case .relationship(let e): nodes.append(graph.source(of: e)); nodes.append(graph.target(of: e)); edges.append(e)
            case .path(let p):
                paths = true
                for (i, n) in p.nodes.enumerated() { nodes.append(n); if i < p.rels.count { edges.append(p.rels[i]) } }
            case .list(let l): l.forEach(collect)
            case .map(let m): m.entries.forEach { collect($0.value) }
            default: break
            }
        }
        for row in result.rows { row.forEach(collect) }
        let sub = Subgraph(graph: graph, nodes: nodes, edges: edges)
        if sub.isEmpty {
            eprint("error: --query returned no nodes, relationships or paths (columns: \(result.columns.joined(separator: ", "))); nothing to draw")
            throw ExitCode(1)
        }
        return (sub, nodes, edges, paths)
    }
}

/// Where an export reads the graph from (`GraphOptions`: --graph, --readings) and where it writes
/// (standard output, or `-o FILE` written atomically).
struct ExportIO: ParsableArguments {
    @OptionGroup var graphOptions: GraphOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    func loadGraph() throws -> Graph {
        try graphOptions.load(showWarnings: false).graph
    }

    /// Writes `data` to the output file (temporary file + rename) or to standard output.
    func emit(_ data: Data) throws {
        if let path = output {
            try AtomicFile.write(data, to: path)
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}
