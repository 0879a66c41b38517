import Foundation
import KGCore
import KGExport
import KGFormat
import KGQuery

/// The web application of `kg serve`, independent of the HTTP library: `handle` maps a request to
/// a reply. `KGServer` puts it on a socket; tests may call it directly.
public final class KGApp: @unchecked Sendable {
    public let config: ServeConfig
    public let state: GraphState
    public let token: String
    let readings = ReadingStore()
    let resources: Resources
    let runningQueries = Locked(0)
    /// Drawings already laid out for the current graph (layout is the slow part of a page).
    let drawings = DrawingCache()
    let reviews = Locked<[String: Review]>([:])
    /// Private folder for texts under review (removed by `close`).
    let workDirectory: String

    public init(config: ServeConfig) throws {
        self.config = config
        self.resources = try Resources.locate(config.resourcesDirectory)
        self.state = GraphState(graphDirectory: config.graphDirectory, readings: config.readings)
        self.token = config.token ?? Self.randomToken()
        var template = Array((NSTemporaryDirectory() + "/kg-serve-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ServeError.cannotListen(host: config.host, port: config.port, reason: "cannot create a temporary folder")
        }
        self.workDirectory = String(cString: made)
    }

    /// Removes the texts under review.
    public func close() {
        try? FileManager.default.removeItem(atPath: workDirectory)
    }

    static func randomToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }

    // MARK: Routing

    public func handle(_ r: Request) async -> Reply {
        do {
            return try await route(r)
        } catch let e as APIError {
            return e.reply
        } catch let e as CypherError {
            return APIError(.badRequest, e.description).reply
        } catch {
            return APIError(.internalError, "internal error: \(error)").reply
        }
    }

    static let pages: Set<String> = ["concept", "reading", "query", "review", "kind", "diagnostics"]

    func route(_ r: Request) async throws -> Reply {
        let s = r.segments
        let isGet = r.method == "GET" || r.method == "HEAD"
        func requireGet() throws { if !isGet { throw APIError(.methodNotAllowed, "use GET for \(path(s))") } }
        func requirePost() throws {
            guard r.method == "POST" else { throw APIError(.methodNotAllowed, "use POST for \(path(s))") }
            try checkToken(r)
        }
        if s.isEmpty || (Self.pages.contains(s[0]) && s.count <= 2) {
            try requireGet()
            return page()
        }
        switch s[0] {
        case "static":
            try requireGet()
            guard s.count == 2, let reply = resources.reply(s[1]) else { throw APIError(.notFound, "no such file") }
            return reply
        case "favicon.ico":
            try requireGet()
            return resources.reply("favicon.svg") ?? Reply(status: 404, contentType: "text/plain", body: Data())
        case "api":
            break
        default:
            throw APIError(.notFound, "no page at \(path(s))")
        }
        let a = Array(s.dropFirst())
        switch (a.first ?? "", a.count) {
        case ("status", 1):
            try requireGet()
            return status()
        case ("search", 1):
            try requireGet()
            return try search(r.query["q"] ?? "", limit: Int(r.query["limit"] ?? "") ?? 10)
        case ("kinds", 1):
            try requireGet()
            return .json(ConceptJSON.kinds(try state.snapshot.usable()))
        case ("concepts", 2):
            try requireGet()
            return try concept(a[1])
        case ("concepts", 3):
            try requireGet()
            switch a[2] {
            case "neighbourhood": return try await neighbourhood(a[1], r.query)
            case "slide.svg": return try await slide(a[1], r.query, png: false)
            case "slide.png": return try await slide(a[1], r.query, png: true)
            default: throw APIError(.notFound, "no such route \(path(s))")
            }
        case ("readings", 2):
            try requireGet()
            return try reading(a[1])
        case ("query", 1):
            try requirePost()
            return try await query(r)
        case ("link", 2):
            try requirePost()
            switch a[1] {
            case "review": return try await linkReview(r)
            case "apply": return try await linkApply(r)
            case "discard": return try linkDiscard(r)
            default: throw APIError(.notFound, "no such route \(path(s))")
            }
        default:
            throw APIError(.notFound, "no such route \(path(s))")
        }
    }

    func path(_ s: [String]) -> String { "/" + s.joined(separator: "/") }

    /// POSTs carry the session token of the page in `X-KG-Token` and a JSON body: a page of
    /// another site can send neither (the custom header needs a preflight the server never grants).
    func checkToken(_ r: Request) throws {
        let given = Array((r.header("x-kg-token") ?? "").utf8), want = Array(token.utf8)
        var diff = given.count ^ want.count
        for i in 0..<min(given.count, want.count) { diff |= Int(given[i] ^ want[i]) }
        guard diff == 0 else {
            throw APIError(.forbidden, "missing or wrong session token (X-KG-Token); reload the page from the kg serve address")
        }
        let type = (r.header("content-type") ?? "").lowercased()
        guard type.hasPrefix("application/json") else {
            throw APIError(.unsupportedMediaType, "send the request body as application/json")
        }
    }

    func page() -> Reply {
        var html = resources.text("index.html") ?? "<!doctype html><title>kg</title>"
        html = html.replacingOccurrences(of: "{{TOKEN}}", with: token)
        html = html.replacingOccurrences(of: "{{WRITES}}", with: config.allowWrites ? "true" : "false")
        return Reply(status: 200, contentType: "text/html; charset=utf-8", body: Data(html.utf8), headers: [("Cache-Control", "no-store")])
    }

    // MARK: Status, search, concepts

    func status() -> Reply {
        let snap = state.snapshot
        var f: [(String, JSON)] = [
            ("generation", .int(snap.generation)),
            ("ok", .bool(snap.ok)),
            ("graph", .string(state.graphDirectory)),
            ("writes", .bool(config.allowWrites)),
            ("loadedAt", .string(ISO8601DateFormatter().string(from: snap.loadedAt))),
            ("errors", Snapshot.json(snap.errors)),
            ("warnings", .int(snap.warnings.count)),
            ("limits", .object([("timeout", .double(config.queryTimeout)), ("maxRows", .int(config.maxRows)),
                                ("rowsShown", .int(config.rowsShown)), ("maxBodyBytes", .int(config.maxBodyBytes))])),
        ]
        if snap.ok {
            f.append(("nodes", .int(snap.graph.nodeCount)))
            f.append(("edges", .int(snap.graph.edgeCount)))
            f.append(("relationTypes", .array(snap.graph.schema.relations.values.map { d in
                .object([("name", .string(d.name)), ("inverse", .str(d.inverse))])
            })))
            f.append(("kinds", .array(snap.graph.schema.kinds.keys.map(JSON.string))))
        }
        return .json(.object(f))
    }

    func search(_ q: String, limit: Int) throws -> Reply {
        let snap = state.snapshot
        let g = try snap.usable()
        guard q.utf8.count <= 500 else { throw APIError(.badRequest, "the search text is longer than 500 bytes") }
        let hits = snap.search?.search(q, in: g, limit: max(1, min(limit, 50))) ?? []
        return .json(.object([("query", .string(q)), ("results", .array(hits.map { h in
            .object([("id", .string(g.key(of: h.node))), ("name", .string(g.displayName(of: h.node))), ("kind", .str(g.kind(of: h.node))),
                     ("match", .string(h.text)), ("via", .string(h.via)), ("rank", .int(h.rank))])
        }))]))
    }

    func concept(_ ref: String) throws -> Reply {
        let snap = state.snapshot
        let g = try snap.usable()
        let n = try ConceptJSON.find(ref, in: g)
        return .json(ConceptJSON.card(n, snap: snap, readings: readings))
    }

    func selection(_ ref: String, _ q: [String: String], _ g: Graph) throws -> Drawing.Selection {
        let n = try ConceptJSON.find(ref, in: g)
        let depth = Int(q["depth"] ?? "1") ?? -1
        guard (0...4).contains(depth) else { throw APIError(.badRequest, "depth must be a whole number from 0 to 4") }
        return Drawing.Selection(focus: n, depth: depth, relations: Drawing.list(q["relations"]), kinds: Drawing.list(q["kinds"]))
    }

    func neighbourhood(_ ref: String, _ q: [String: String]) async throws -> Reply {
        let snap = state.snapshot
        let g = try snap.usable()
        let sel = try selection(ref, q, g)
        let key = "n|\(snap.generation)|\(g.key(of: sel.focus!))|\(sel.depth)|\(sel.relations?.sorted() ?? [])|\(sel.kinds?.sorted() ?? [])"
        if let hit = drawings.get(key) { return hit }
        return try await Worker.run { [drawings] in
            let reply = try Self.neighbourhoodReply(g, sel)
            drawings.put(key, reply)
            return reply
        }
    }

    /// Nodes a neighbourhood drawing may have: the layout of more takes too long for a page.
    static let maxDrawnNeighbourhood = 250

    static func neighbourhoodReply(_ g: Graph, _ sel: Drawing.Selection) throws -> Reply {
        // What the filters can choose from: the unfiltered neighbourhood at this depth.
        let all = Subgraph.neighbourhood(g, of: sel.focus!, depth: sel.depth)
        var types: [String] = [], kinds: [String] = []
        for e in all.edges { let t = g.typeName(of: e); if !types.contains(t) { types.append(t) } }
        for n in all.nodes { if let k = g.kind(of: n), !kinds.contains(k) { kinds.append(k) } }
        let order = Array(g.schema.relations.keys), korder = Array(g.schema.kinds.keys)
        types.sort { (order.firstIndex(of: $0) ?? Int.max, $0) < (order.firstIndex(of: $1) ?? Int.max, $1) }
        kinds.sort { (korder.firstIndex(of: $0) ?? Int.max, $0) < (korder.firstIndex(of: $1) ?? Int.max, $1) }
        let sub = try Drawing.neighbourhood(g, sel)
        if sub.nodes.count > Self.maxDrawnNeighbourhood {
            throw APIError(.unprocessable, "the neighbourhood has \(sub.nodes.count) nodes, too many to draw; lower the depth or filter it")
        }
        let (svg, warnings) = try Drawing.svg(g, sub, focus: sel.focus)
        return .json(.object([
            ("focus", ConceptJSON.nodeRef(g, sel.focus!)), ("depth", .int(sel.depth)),
            ("nodes", .int(sub.nodes.count)), ("edges", .int(sub.edges.count)),
            ("relationTypes", .array(types.map(JSON.string))), ("kinds", .array(kinds.map(JSON.string))),
            ("svg", .string(svg)), ("warnings", .array(warnings.map(JSON.string))),
        ]))
    }

    /// The slide download: the same drawing `kg export svg --focus ID --depth N [--relations …]
    /// [--kinds …] --slide RATIO` writes.
    func slide(_ ref: String, _ q: [String: String], png: Bool) async throws -> Reply {
        let snap = state.snapshot
        let g = try snap.usable()
        let sel = try selection(ref, q, g)
        guard let ratio = SlideFormat(rawValue: q["ratio"] ?? "16:9") else { throw APIError(.badRequest, "ratio must be 16:9 or 4:3") }
        guard let themeName = SVGTheme.Name(rawValue: q["theme"] ?? "light") else { throw APIError(.badRequest, "theme must be light, dark or print") }
        let file = Self.fileName(g.key(of: sel.focus!)) + "-slide"
        let key = "s|\(snap.generation)|\(g.key(of: sel.focus!))|\(sel.depth)|\(sel.relations?.sorted() ?? [])|\(sel.kinds?.sorted() ?? [])|\(ratio.rawValue)|\(themeName.rawValue)|\(png)"
        if let hit = drawings.get(key) { return hit }
        return try await Worker.run { [drawings] in
            let out = try SlideExport.render(g, selection: sel, ratio: ratio, theme: SVGTheme.named(themeName), png: png)
            var headers = [("Content-Disposition", "attachment; filename=\"\(file).\(png ? "png" : "svg")\"")]
            if !out.warnings.isEmpty {
                // Header values are ASCII: anything else (names in other scripts) is percent-encoded.
                let text = out.warnings.joined(separator: " | ").replacingOccurrences(of: "\n", with: " ")
                let ascii = CharacterSet(charactersIn: Unicode.Scalar(0x20)...Unicode.Scalar(0x7E)).subtracting(CharacterSet(charactersIn: "%"))
                headers.append(("X-KG-Warnings", text.addingPercentEncoding(withAllowedCharacters: ascii) ?? ""))
            }
            let reply = Reply(status: 200, contentType: png ? "image/png" : "image/svg+xml", body: out.data, headers: headers)
            drawings.put(key, reply)
            return reply
        }
    }

    static func fileName(_ s: String) -> String {
        let ok = s.unicodeScalars.map { c -> Character in
            (c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "-" || c == "_" || c == ".")) ? Character(c) : "-"
        }
        var name = String(ok)
        while name.contains("--") { name = name.replacingOccurrences(of: "--", with: "-") }
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: ".-"))
        return name.isEmpty ? "graph" : String(name.prefix(80))
    }
}

/// The last drawings laid out, by graph generation and selection; a reload makes them unreachable
/// (their keys carry the generation) and they age out.
final class DrawingCache: @unchecked Sendable {
    private let entries = Locked<[String: (reply: Reply, used: UInt64)]>([:])
    private let clock = Locked<UInt64>(0)
    let capacity: Int
    init(capacity: Int = 64) { self.capacity = capacity }

    func get(_ key: String) -> Reply? {
        let t = clock.with { c -> UInt64 in c += 1; return c }
        return entries.with { e -> Reply? in
            guard var hit = e[key] else { return nil }
            hit.used = t
            e[key] = hit
            return hit.reply
        }
    }

    func put(_ key: String, _ reply: Reply) {
        let t = clock.with { c -> UInt64 in c += 1; return c }
        entries.with { e in
            e[key] = (reply, t)
            if e.count > capacity, let oldest = e.min(by: { $0.value.used < $1.value.used })?.key { e[oldest] = nil }
        }
    }
}
