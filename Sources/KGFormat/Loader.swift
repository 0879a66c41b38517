import Foundation
import KGCore

/// A graph built from .kg files, with the parsed documents, the diagnostics of parsing and
/// building, and where every node and edge came from.
public struct LoadedGraph {
    public let graph: Graph
    /// Parsed files, sorted by path.
    public let documents: [Document]
    /// Parse and build errors and warnings (not the `kg check` rules), sorted by file, line, column.
    public let diagnostics: [Diagnostic]
    /// Resolved readings folder: `--readings`, else env `KG_READINGS`, else `Graph/kg.conf`.
    public let readingsDirectory: String?
    /// The graph folder, when loaded from disk.
    public let directory: String?

    /// Per node id / edge id: (document index + 1) << 32 | line; 0 for none.
    let nodeOrigins: [UInt64]
    let edgeOrigins: [UInt64]
    /// Where each kind and relation type was declared.
    public let kindOrigins: [String: SourceLocation]
    public let relationTypeOrigins: [String: SourceLocation]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    public func origin(of node: NodeID) -> SourceLocation? { decode(node.index < nodeOrigins.count ? nodeOrigins[node.index] : 0) }
    public func origin(of edge: EdgeID) -> SourceLocation? { decode(edge.index < edgeOrigins.count ? edgeOrigins[edge.index] : 0) }

    /// The document and header line a node or edge was declared on.
    func originIndex(of node: NodeID) -> (doc: Int, line: Int)? { split(node.index < nodeOrigins.count ? nodeOrigins[node.index] : 0) }
    func originIndex(of edge: EdgeID) -> (doc: Int, line: Int)? { split(edge.index < edgeOrigins.count ? edgeOrigins[edge.index] : 0) }

    /// Number of nodes / edges the files declared (ids at or above were created later, e.g. by a query).
    public var loadedNodeCapacity: Int { nodeOrigins.count }
    public var loadedEdgeCapacity: Int { edgeOrigins.count }

    private func split(_ v: UInt64) -> (doc: Int, line: Int)? {
        guard v != 0 else { return nil }
        return (Int(v >> 32) - 1, Int(v & 0xFFFF_FFFF))
    }

    private func decode(_ v: UInt64) -> SourceLocation? {
        guard let (d, l) = split(v) else { return nil }
        return SourceLocation(file: documents[d].path, line: l, column: 1)
    }

    /// The statement a node or edge came from, parsed again from the document.
    public func statement(of node: NodeID) -> Statement? { originIndex(of: node).flatMap { statementAt(doc: $0.doc, line: $0.line) } }
    public func statement(of edge: EdgeID) -> Statement? { originIndex(of: edge).flatMap { statementAt(doc: $0.doc, line: $0.line) } }

    func statementAt(doc: Int, line: Int) -> Statement? {
        for s in documents[doc].statements where s.span.line == line { return s }
        return nil
    }
}

/// Loads a graph folder (or in-memory files) into a `LoadedGraph`.
public enum GraphLoader {
    /// Every `*.kg` under `directory`, recursively (hidden files and folders skipped), sorted by path.
    public static func load(directory: String, readings: String? = nil) -> LoadedGraph {
        var diags: [Diagnostic] = []
        var isDir: ObjCBool = false
        let fm = FileManager.default
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            diags.append(Diagnostic(.error, "graph folder '\(directory)' not found", file: directory, code: "io"))
            return Builder().finish(documents: [], extra: diags, readings: readings ?? envReadings(), directory: directory)
        }
        // Reliability (docs/RELIABILITY.md): finish or roll back an interrupted save, then read under the commit lock.
        let snapshot = GraphSnapshot(directory: directory); defer { snapshot.end() }; diags += snapshot.diagnostics
        let files = kgFiles(in: directory).map { directory.hasSuffix("/") ? directory + $0 : directory + "/" + $0 }
        let (confReadings, confDiags) = readConfig(directory: directory)
        diags += confDiags
        let resolved = readings ?? envReadings() ?? confReadings
        return Builder().build(filePaths: files, extra: diags, readings: resolved, directory: directory)
    }

    /// Phase timings of loading a folder, for benchmarks: reading the files, parsing them alone,
    /// and reading + parsing + building the graph as `load(directory:)` does.
    public struct Timings: Sendable {
        public var files = 0, bytes = 0, statements = 0, nodes = 0, edges = 0
        public var readSeconds = 0.0, parseSeconds = 0.0, loadSeconds = 0.0
    }

    public static func measure(directory: String, readings: String? = nil) -> Timings {
        var t = Timings()
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        var t0 = now()
        let inputs = kgFiles(in: directory).compactMap { rel -> (path: String, bytes: [UInt8])? in
            FileManager.default.contents(atPath: directory + "/" + rel).map { (directory + "/" + rel, [UInt8]($0)) }
        }
        t.readSeconds = now() - t0
        t.files = inputs.count
        t.bytes = inputs.reduce(0) { $0 + $1.bytes.count }
        t0 = now()
        t.statements = Builder.parseOnly(inputs).statements
        t.parseSeconds = now() - t0
        t0 = now()
        let l = load(directory: directory, readings: readings)
        t.loadSeconds = now() - t0
        t.nodes = l.graph.nodeCount
        t.edges = l.graph.edgeCount
        return t
    }

    /// Loads in-memory files (for tests); no readings folder.
    public static func load(files: [(path: String, text: String)]) -> LoadedGraph {
        let inputs = files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }.map { ($0.path, Array($0.text.utf8)) }
        return Builder().build(inputs, extra: [], readings: nil, directory: nil)
    }

    static func envReadings() -> String? {
        if let r = ProcessInfo.processInfo.environment["KG_READINGS"], !r.isEmpty { return r }
        return nil
    }

    /// Relative paths of the `*.kg` files under `directory`, sorted bytewise.
    public static func kgFiles(in directory: String) -> [String] {
        var out: [String] = []
        func walk(_ rel: String) {
            let full = rel.isEmpty ? directory : directory + "/" + rel
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: full) else { return }
            for n in names where !n.hasPrefix(".") {
                let r = rel.isEmpty ? n : rel + "/" + n
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: directory + "/" + r, isDirectory: &isDir) else { continue }
                if isDir.boolValue { walk(r) } else if n.hasSuffix(".kg") { out.append(r) }
            }
        }
        walk("")
        out.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return out
    }

    /// Reads `kg.conf` (`key = value`, `#` comments); returns the resolved readings folder.
    static func readConfig(directory: String) -> (String?, [Diagnostic]) {
        let path = directory + "/kg.conf"
        guard let data = FileManager.default.contents(atPath: path) else { return (nil, []) }
        var diags: [Diagnostic] = []
        var readings: String?
        let text = String(decoding: data, as: UTF8.self)
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                diags.append(Diagnostic(.error, "expected 'key = value'", file: path, line: i + 1, column: 1,
                                        sourceLine: String(line), code: "config"))
                continue
            }
            let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "readings":
                readings = value.hasPrefix("/") ? value : directory + "/" + value
            default:
                let col = (line.range(of: key).map { line.distance(from: line.startIndex, to: $0.lowerBound) } ?? 0) + 1
                diags.append(Diagnostic(.warning, "unknown setting '\(key)'", file: path, line: i + 1, column: col,
                                        sourceLine: String(line), suggestion: Suggest.nearest(key, in: ["readings"]), code: "config"))
            }
        }
        return (readings, diags)
    }
}
