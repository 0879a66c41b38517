import Foundation
import KGCore
import KGFormat

extension KGApp {
    /// `GET /api/readings/{id}`: the text with line and sentence numbers, what the reading supports
    /// (evidence citing it) and mentions, and whether its text changed since it was recorded.
    func reading(_ id: String) throws -> Reply {
        let snap = state.snapshot
        let g = try snap.usable()
        guard let n = g.node(key: id), g.isAlive(n) else {
            throw APIError(.notFound, "no reading with the id '\(id)'")
        }
        guard g.labels(of: n).contains("Reading") || g.kind(of: n) == "Reading" else {
            throw APIError(.notFound, "'\(id)' is a \(g.kind(of: n) ?? "node") of the graph, not a reading",
                           details: [("concept", ConceptJSON.nodeRef(g, n))])
        }
        var f: [(String, JSON)] = [("id", .string(id)), ("title", .string(g.displayName(of: n)))]
        f.append(("source", .str(g.property(n, "source")?.stringValue)))
        f.append(("path", .str(g.property(n, "path")?.stringValue)))
        let skip: Set<String> = ["id", "name", "title", "aliases", "path", "sha256", "source"]
        f.append(("properties", .array(g.properties(of: n).filter { !skip.contains(g.strings[$0.key]) }.map { k, v in
            .object([("key", .string(g.strings[k])), ("value", .string(KGPrinter.value(v)))])
        })))
        if let o = snap.loaded.origin(of: n) {
            f.append(("declared", .object([("file", .string(ConceptJSON.relative(o.file, to: snap))), ("line", .int(o.line))])))
        }
        let recorded = g.property(n, "sha256")?.stringValue
        f.append(("recordedSha256", .str(recorded)))
        switch readings.text(of: n, in: snap) {
        case .text(let t):
            f.append(("available", .bool(true)))
            f.append(("sha256", .string(t.sha256)))
            f.append(("stale", .bool(recorded.map { $0.lowercased() != t.sha256 } ?? false)))
            f.append(("lineCount", .int(t.lineCount)))
            f.append(("sentenceCount", .int(t.sentences.count)))
            f.append(("lines", Segments.lines(bytes: t.bytes, sentences: t.sentences)))
        case .unavailable(let why):
            f.append(("available", .bool(false)))
            f.append(("unavailable", .string(why)))
            f.append(("stale", .bool(false)))
        }
        // Evidence that cites this reading, and its MENTIONS.
        var supports: [JSON] = [], mentions: [JSON] = []
        for e in g.edges {
            let isMention = g.source(of: e) == n && g.typeName(of: e) == "MENTIONS"
            for ev in g.evidence(of: e) where ev.reading == id {
                if isMention { continue }
                supports.append(.object([
                    ("edge", .int(e.index)), ("source", ConceptJSON.nodeRef(g, g.source(of: e))), ("type", .string(g.typeName(of: e))),
                    ("target", ConceptJSON.nodeRef(g, g.target(of: e))), ("locator", .str(ev.locator?.description)),
                    ("note", .str(ev.note)), ("modality", .string(ev.modality.rawValue)),
                ]))
            }
            if isMention {
                mentions.append(.object([
                    ("concept", ConceptJSON.nodeRef(g, g.target(of: e))),
                    ("count", g.property(e, "count")?.intValue.map { JSON.int(Int($0)) } ?? .null),
                    ("locators", .array(g.evidence(of: e).compactMap { $0.locator.map { JSON.string($0.description) } })),
                ]))
            }
        }
        f.append(("supports", .array(supports)))
        f.append(("mentions", .array(mentions)))
        return .json(.object(f))
    }
}
