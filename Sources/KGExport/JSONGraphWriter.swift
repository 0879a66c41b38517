import Foundation
import KGCore

/// JSON Graph Format (jsongraphformat.info, version 2, single graph):
///
/// ```json
/// {"graph": {"directed": true, "type": "kg", "metadata": {"generator": "kg", "schema": {…}},
///   "nodes": {"<id>": {"label": "<display name>", "metadata": {"kind": …, "labels": […], "properties": {…}}}},
///   "edges": [{"id": "e0", "source": "<id>", "target": "<id>", "relation": "<TYPE>", "directed": true,
///              "metadata": {"evidence": [{"reading": …, "locator": …, "note": …}], "properties": {…}}}]}}
/// ```
///
/// Node ids are the concept keys (`GraphMLIDs` for keyless nodes). Output is strict JSON: a
/// non-finite float is written as the string `"NaN"`, `"Infinity"` or `"-Infinity"`.
/// Deterministic: nodes and edges in id order, properties in stored order, two-space indentation.
public enum JSONGraphWriter {
    public static func write(_ graph: Graph, _ sub: Subgraph, progress: ProgressReporter? = nil) -> Data {
        defer { progress?.finish() }
        let total = sub.nodes.count + sub.edges.count
        var o: [UInt8] = []
        o.reserveCapacity(256 * (sub.nodes.count + sub.edges.count) + 1024)
        func s(_ t: String) { o.append(contentsOf: t.utf8) }
        func str(_ t: String) { JSONText.appendString(t, to: &o) }
        func value(_ v: Value) {
            switch v {
            case .float(let d) where !d.isFinite: str(JSONText.formatDouble(d))
            case .list(let l):
                o.append(UInt8(ascii: "["))
                for (i, x) in l.enumerated() { if i > 0 { s(", ") }; value(x) }
                o.append(UInt8(ascii: "]"))
            default: JSONText.append(v, to: &o)
            }
        }
        func props(_ entries: [(String, Value)], indent: String) {
            if entries.isEmpty { s("{}"); return }
            s("{\n")
            for (i, (k, v)) in entries.enumerated() {
                s(indent + "  "); str(k); s(": "); value(v)
                s(i + 1 < entries.count ? ",\n" : "\n")
            }
            s(indent + "}")
        }
        let ids = GraphMLIDs(graph: graph)
        let undirected = sub.edges.map { graph.schema.relation(graph.typeName(of: $0))?.undirected == true }
        let graphUndirected = !undirected.isEmpty && !undirected.contains(false)
        s(graphUndirected ? "{\n  \"graph\": {\n    \"directed\": false," : "{\n  \"graph\": {\n    \"directed\": true,")
        s("\n    \"type\": \"kg\",\n    \"metadata\": {\n")
        s("      \"generator\": \"kg\",\n      \"nodeCount\": \(sub.nodes.count),\n      \"edgeCount\": \(sub.edges.count),\n")
        s("      \"schema\": {\n        \"kinds\": [")
        let kinds = Array(graph.schema.kinds.values)
        for (i, k) in kinds.enumerated() {
            s(i == 0 ? "\n" : ",\n")
            s("          {\"name\": "); str(k.name)
            if let p = k.parent { s(", \"parent\": "); str(p) }
            if let d = k.doc { s(", \"doc\": "); str(d) }
            s("}")
        }
        s(kinds.isEmpty ? "],\n" : "\n        ],\n")
        s("        \"relations\": [")
        let rels = Array(graph.schema.relations.values)
        for (i, r) in rels.enumerated() {
            s(i == 0 ? "\n" : ",\n")
            s("          {\"name\": "); str(r.name)
            if let d = r.domain { s(", \"domain\": "); str(d) }
            if let d = r.range { s(", \"range\": "); str(d) }
            if let d = r.inverse { s(", \"inverse\": "); str(d) }
            if r.symmetric { s(", \"symmetric\": true") }
            if r.transitive { s(", \"transitive\": true") }
            if r.undirected { s(", \"undirected\": true") }
            if r.finding { s(", \"finding\": true") }
            if let d = r.doc { s(", \"doc\": "); str(d) }
            s("}")
        }
        s(rels.isEmpty ? "]\n" : "\n        ]\n")
        s("      }\n    },\n    \"nodes\": {")
        for (i, n) in sub.nodes.enumerated() {
            s(i == 0 ? "\n" : ",\n")
            s("      "); str(ids.id(of: n)); s(": {\n        \"label\": "); str(graph.displayName(of: n))
            s(",\n        \"metadata\": {\n")
            if let k = graph.kind(of: n) { s("          \"kind\": "); str(k); s(",\n") }
            s("          \"labels\": ["); s(graph.labels(of: n).map { JSONText.string(.string($0)) }.joined(separator: ", ")); s("],\n")
            s("          \"properties\": ")
            props(graph.properties(of: n).map { (graph.strings[$0.key], $0.value) }, indent: "          ")
            s("\n        }\n      }")
        }
        s(sub.nodes.isEmpty ? "},\n" : "\n    },\n")
        s("    \"edges\": [")
        for (i, e) in sub.edges.enumerated() {
            if i & 4095 == 0 { progress?.update(sub.nodes.count + i, total: total) }
            s(i == 0 ? "\n" : ",\n")
            s("      {\n        \"id\": \"e\(i)\",\n        \"source\": "); str(ids.id(of: graph.source(of: e)))
            s(",\n        \"target\": "); str(ids.id(of: graph.target(of: e)))
            s(",\n        \"relation\": "); str(graph.typeName(of: e))
            s(undirected[i] ? ",\n        \"directed\": false," : ",\n        \"directed\": true,")
            s("\n        \"metadata\": {\n          \"evidence\": [")
            let ev = graph.evidence(of: e)
            for (j, x) in ev.enumerated() {
                s(j == 0 ? "" : ", ")
                s("{\"reading\": "); str(x.reading)
                if let l = x.locator { s(", \"locator\": "); str(l.description) }
                if let nt = x.note { s(", \"note\": "); str(nt) }
                if x.modality != .asserted { s(", \"modality\": "); str(x.modality.rawValue) }
                s("}")
            }
            s("],\n          \"properties\": ")
            props(graph.storedProperties(of: e).map { (graph.strings[$0.key], $0.value) }, indent: "          ")
            s("\n        }\n      }")
        }
        s(sub.edges.isEmpty ? "]\n" : "\n    ]\n")
        s("  }\n}\n")
        return Data(o)
    }
}
