import Foundation
import KGCore
import KGExport
import KGFormat
import KGQuery

extension KGApp {
    static let maxQueryBytes = 256 << 10

    /// True when a statement has a clause that changes the graph.
    static func changesGraph(_ st: KGQuery.Statement) -> Bool {
        st.parts.contains { q in
            q.clauses.contains { c in
                switch c {
                case .create, .merge, .set, .remove, .delete: return true
                default: return false
                }
            }
        }
    }

    /// `POST /api/query` `{"query": "…", "params": "{…}" | {…}}`: runs the statements in order
    /// (a script separated by `;`, as `kg query --file`) and answers the last one's result, with
    /// the limits of `kg query`. Updates are refused unless the server was started with
    /// `--allow-writes`; then they are saved as `kg query --save` saves them.
    func query(_ r: Request) async throws -> Reply {
        let body = try JSONBody(r.body)
        guard let text = try body.string("query", required: true), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError(.badRequest, "the query is empty")
        }
        guard text.utf8.count <= Self.maxQueryBytes else { throw APIError(.payloadTooLarge, "the query is longer than \(Self.maxQueryBytes >> 10) KiB") }
        var params: [String: QueryValue] = [:]
        var paramsText: String? = nil
        if let v = body.object["params"], v is String { paramsText = try body.string("params") } else { paramsText = try body.objectText("params") }
        if let p = paramsText, !p.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do { params = try QueryValue.parameters(fromJSON: p) } catch let e as CypherError {
                throw APIError(.badRequest, "parameters: \(e.message)", details: [("class", .string("ParameterError"))])
            }
        }
        let statements = splitStatements(text)
        if statements.isEmpty { throw APIError(.badRequest, "no statement to run") }
        // Parse everything first: syntax errors and refused updates come before anything runs.
        var writes = false
        for (i, st) in statements.enumerated() {
            do {
                if Self.changesGraph(try Parser.parse(st.text)) { writes = true }
            } catch let e as CypherError {
                throw cypherError(e, statements: statements, index: i)
            }
        }
        if writes && !config.allowWrites {
            throw APIError(.forbidden, "this server is read-only: the query would change the graph. Start kg serve with --allow-writes to save changes (as kg query --save does).",
                           details: [("class", .string("ReadOnly"))])
        }
        // One query per core at a time; the page says to wait instead of queueing behind a long one.
        let admitted = runningQueries.with { n -> Bool in
            guard n < config.maxConcurrentQueries else { return false }
            n += 1
            return true
        }
        guard admitted else {
            throw APIError(.tooManyRequests, "\(config.maxConcurrentQueries) queries are already running; try again when one has finished")
        }
        defer { runningQueries.with { $0 -= 1 } }
        let limits = QueryLimits(timeout: config.queryTimeout > 0 ? config.queryTimeout : nil, maxRows: config.maxRows, maxMemory: config.maxMemory)
        return try await Worker.run { [self] in
            let start = DispatchTime.now().uptimeNanoseconds
            if writes {
                return try state.write { () throws -> Reply in
                    // As `kg query --save`: hold the folder's writer lock (other kg processes wait or
                    // fail instead of interleaving), finish an interrupted save, load the files, run
                    // every statement, save only if all succeeded.
                    let (lock, problems): (GraphWriteLock, [Diagnostic])
                    do {
                        (lock, problems) = try GraphWriteLock.acquireForWriting(directory: state.graphDirectory, wait: .seconds(config.writeLockWait))
                    } catch let e as LockError {
                        throw APIError(.conflict, "nothing was saved: \(e)")
                    }
                    defer { lock.release() }
                    if !problems.isEmpty {
                        throw APIError(.unavailable, "an interrupted save could not be recovered; nothing was run", details: [("diagnostics", Snapshot.json(problems))])
                    }
                    let loaded = GraphLoader.load(directory: state.graphDirectory, readings: state.readingsOption)
                    if loaded.hasErrors {
                        throw APIError(.unavailable, "the graph does not load; nothing was run", details: [("diagnostics", Snapshot.json(loaded.diagnostics.filter(\.isError)))])
                    }
                    let (result, _) = try run(statements, on: loaded.graph, params: params, limits: limits, stats: true)
                    let report: SaveReport
                    do {
                        report = try GraphSaver.save(original: loaded, current: loaded.graph,
                                                     newFactsFile: (state.graphDirectory as NSString).appendingPathComponent("new-facts.kg"))
                    } catch {
                        throw APIError(.conflict, "nothing was saved: \(error)")
                    }
                    return answer(result, graph: loaded.graph, start: start, saved: report)
                }
            }
            let g = try state.snapshot.usable()
            let (result, _) = try run(statements, on: g, params: params, limits: limits, stats: false)
            return answer(result, graph: g, start: start, saved: nil)
        }
    }

    func run(_ statements: [(text: String, line: Int)], on g: Graph, params: [String: QueryValue], limits: QueryLimits,
             stats: Bool) throws -> (QueryResult, Int) {
        let engine = CypherEngine(graph: g)
        engine.limits = limits
        var last: QueryResult? = nil
        for (i, st) in statements.enumerated() {
            do {
                last = try engine.run(st.text, parameters: params, collectStats: stats && i == statements.count - 1)
            } catch let e as CypherError {
                throw cypherError(e, statements: statements, index: i)
            }
        }
        return (last!, statements.count)
    }

    /// A Cypher error as the CLI prints it (class, detail, message, the line and a caret), plus its parts.
    func cypherError(_ e: CypherError, statements: [(text: String, line: Int)], index i: Int) -> APIError {
        var rendered = e.rendered(query: statements[i].text)
        if statements.count > 1 {
            rendered += "\n  (in statement \(i + 1) of the script" + (e.line > 0 ? ", script line \(statements[i].line + e.line - 1))" : ")")
        }
        let line = e.line > 0 ? statements[i].line + e.line - 1 : 0
        let status: APIError.Status = e.errorClass == .timeout || e.errorClass == .limit ? .unprocessable : .badRequest
        return APIError(status, e.description, details: [
            ("class", .string(e.errorClass.rawValue)), ("detail", .string(e.detail)), ("text", .string(e.message)),
            ("statement", .int(i + 1)), ("line", .int(line)), ("column", .int(e.column)), ("rendered", .string(rendered)),
        ])
    }

    func answer(_ result: QueryResult, graph g: Graph, start: UInt64, saved: SaveReport?) -> Reply {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        var shown = result
        if shown.rows.count > config.rowsShown { shown.rows = Array(shown.rows.prefix(config.rowsShown)) }
        var f: [(String, JSON)] = [
            ("result", .raw(ResultFormat.json.render(shown, graph: g).trimmingCharacters(in: .whitespacesAndNewlines))),
            ("rowCount", .int(result.rows.count)), ("rowsShown", .int(shown.rows.count)),
            ("elapsedMs", .double((elapsed * 10).rounded() / 10)),
            ("stats", .array(result.stats.lines.map(JSON.string))),
        ]
        if let s = saved { f.append(("saved", .object([("summary", .string(s.summary)), ("files", .array(s.filesWritten.map(JSON.string)))]))) }
        // A drawing of the nodes, relationships and paths that came back.
        var nodes: [NodeID] = [], edges: [EdgeID] = []
        func collect(_ v: QueryValue) {
            switch v {
            case .node(let n): nodes.append(n)
            case .relationship(let e): edges.append(e)
            case .path(let p): nodes.append(contentsOf: p.nodes); edges.append(contentsOf: p.rels)
            case .list(let l): l.forEach(collect)
            case .map(let m): m.entries.forEach { collect($0.value) }
            default: break
            }
        }
        for row in shown.rows { row.forEach(collect) }
        let sub = Subgraph(graph: g, nodes: nodes, edges: edges)
        if sub.isEmpty {
            f.append(("drawing", .null))
        } else if sub.nodes.count > config.maxDrawnNodes {
            f.append(("drawing", .object([("omitted", .string("\(sub.nodes.count) nodes came back, more than the \(config.maxDrawnNodes) a drawing shows; the table has them all"))])))
        } else if let d = try? Drawing.svg(g, sub, focus: nil) {
            f.append(("drawing", .object([("svg", .string(d.svg)), ("nodes", .int(sub.nodes.count)), ("edges", .int(sub.edges.count))])))
        } else {
            f.append(("drawing", .null))
        }
        return .json(.object(f))
    }
}
