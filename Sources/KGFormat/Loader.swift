import Foundation
import KGCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    let nodeOrigins: OriginColumn
    let edgeOrigins: OriginColumn
    /// Where each kind and relation type was declared.
    public let kindOrigins: [String: SourceLocation]
    public let relationTypeOrigins: [String: SourceLocation]
    /// True when this came from the binary cache (`GraphCache`) rather than the text.
    public internal(set) var fromCache = false

    init(graph: Graph, documents: [Document], diagnostics: [Diagnostic], readingsDirectory: String?, directory: String?,
         nodeOrigins: OriginColumn, edgeOrigins: OriginColumn, kindOrigins: [String: SourceLocation],
         relationTypeOrigins: [String: SourceLocation]) {
        self.graph = graph
        self.documents = documents
        self.diagnostics = diagnostics
        self.readingsDirectory = readingsDirectory
        self.directory = directory
        self.nodeOrigins = nodeOrigins
        self.edgeOrigins = edgeOrigins
        self.kindOrigins = kindOrigins
        self.relationTypeOrigins = relationTypeOrigins
    }

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

/// Where each node or edge was declared, by id: `(document index + 1) << 32 | line` (0: none).
/// Stored as a line per element plus runs of one document (elements are declared in file order,
/// so there are about as many runs as files): four bytes per element instead of eight.
struct OriginColumn: RandomAccessCollection {
    var lines: [UInt32] = []
    /// First element of each run, ascending.
    var runStart: [Int32] = []
    /// Document index + 1 of each run (0: no origin).
    var runDoc: [Int32] = []

    init() {}
    init(lines: [UInt32], runStart: [Int32], runDoc: [Int32]) {
        self.lines = lines
        self.runStart = runStart
        self.runDoc = runDoc
    }

    var startIndex: Int { 0 }
    var endIndex: Int { lines.count }

    subscript(i: Int) -> UInt64 {
        let r = runStart.partitioningIndex { Int($0) > i } - 1
        guard r >= 0 else { return 0 }
        let d = runDoc[r]
        return d == 0 ? 0 : UInt64(d) << 32 | UInt64(lines[i])
    }

    mutating func append(_ packed: UInt64) {
        let d = Int32(packed >> 32)
        if runDoc.last != d {
            runStart.append(Int32(lines.count))
            runDoc.append(d)
        }
        lines.append(UInt32(truncatingIfNeeded: packed))
    }

    /// Whether the runs are consistent (for data read back from the cache).
    func isValid(documents: Int) -> Bool {
        guard runStart.count == runDoc.count else { return false }
        if lines.isEmpty { return true }
        guard runStart.first == 0 else { return false }
        for (i, s) in runStart.enumerated() where i > 0 && s <= runStart[i - 1] || Int(s) >= lines.count { return false }
        for d in runDoc where d < 1 || Int(d) > documents { return false }
        return true
    }
}

/// Loads a graph folder (or in-memory files) into a `LoadedGraph`.
///
/// Files are split into segments of whole statements (about 4 MB each) that are parsed on every
/// core at once — straight from the mapped file into flat records, by `FastScanner`, or by the
/// full `KGParser` for a file the fast path does not take — and merged into the store in file
/// order as they complete, so memory beyond the graph stays bounded by the segments in flight.
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
        var sources: [SourceText] = []
        for path in files {
            if let s = SourceText(mapping: path) { sources.append(s) } else {
                diags.append(Diagnostic(.error, "cannot read file", file: path, code: "io"))
            }
        }
        return ParallelLoad(builder: Builder(), sources: sources, keepBytes: false)
            .run(extra: diags, readings: resolved, directory: directory)
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
        let sources = kgFiles(in: directory).compactMap { SourceText(mapping: directory + "/" + $0) }
        var sum = 0
        for s in sources { sum &+= s.touch() }
        _ = sum
        t.readSeconds = now() - t0
        t.files = sources.count
        t.bytes = sources.reduce(0) { $0 + $1.count }
        t0 = now()
        t.statements = ParallelLoad.parseOnly(sources)
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

// MARK: Source bytes

/// The bytes of one source file: mapped read-only from disk (released when the last segment
/// is merged), or held in memory (in-memory loads).
final class SourceText: @unchecked Sendable {
    let path: String
    private(set) var base: UnsafePointer<UInt8>?
    let count: Int
    private let mapped: Bool
    private var owned: UnsafeMutablePointer<UInt8>?
    /// The bytes as an array, for documents that keep their text (in-memory loads).
    let keptBytes: [UInt8]?

    init(path: String, bytes: [UInt8]) {
        self.path = path
        count = bytes.count
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        bytes.withUnsafeBufferPointer { if let b = $0.baseAddress { p.initialize(from: b, count: bytes.count) } }
        owned = p
        base = UnsafePointer(p)
        mapped = false
        keptBytes = bytes
    }

    /// Maps the file read-only; nil when it cannot be opened or read.
    init?(mapping path: String) {
        self.path = path
        keptBytes = nil
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        count = Int(st.st_size)
        if count == 0 {
            base = nil
            mapped = false
            return
        }
        guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
        _ = madvise(p, count, MADV_SEQUENTIAL)
        base = UnsafePointer(p.assumingMemoryBound(to: UInt8.self))
        mapped = true
    }

    deinit { release() }

    /// Unmaps (or frees) the bytes; the loader calls it once a file is merged.
    func release() {
        if mapped, let b = base { munmap(UnsafeMutableRawPointer(mutating: b), count) }
        owned?.deallocate()
        owned = nil
        base = nil
    }

    /// Reads every page (for timing the read alone).
    func touch() -> Int {
        guard let b = base else { return 0 }
        var s = 0
        var i = 0
        while i < count { s &+= Int(b[i]); i += 4096 }
        return s
    }

    var array: [UInt8] {
        if let k = keptBytes { return k }
        guard let b = base else { return [] }
        return Array(UnsafeBufferPointer(start: b, count: count))
    }

    /// Segments of whole statements of about `size` bytes: each boundary is the start of a line
    /// that begins at column 1 with neither a space nor `#` (a statement header).
    func segments(size: Int) -> [Range<Int>] {
        guard let b = base, count > size + size / 2 else { return [0..<count] }
        var out: [Range<Int>] = []
        var start = 0
        var probe = size
        while probe < count - size / 2 {
            // Find the next header line at or after `probe`.
            var i = probe
            var found = -1
            while i < count {
                guard let nl = memchr(b + i, 0x0A, count - i) else { break }
                let next = UnsafePointer(nl.assumingMemoryBound(to: UInt8.self)) - b + 1
                if next >= count { break }
                let c = b[next]
                if c != 0x20 && c != 0x09 && c != UInt8(ascii: "#") && c != 0x0A && c != 0x0D {
                    found = next
                    break
                }
                i = next
            }
            guard found > start else { break }
            out.append(start..<found)
            start = found
            probe = found + size
        }
        out.append(start..<count)
        return out
    }
}

// MARK: The parallel load

/// Parses segments on worker threads and merges them, in order, on the calling thread.
final class ParallelLoad: @unchecked Sendable {
    static let segmentSize = 4 << 20

    let builder: Builder
    let sources: [SourceText]
    let keepBytes: Bool

    struct Task {
        var file: Int
        var range: Range<Int>
        var segment: Int
        /// The whole-file task: UTF-8 validation and the document fingerprint.
        var isFile: Bool
    }
    enum Result {
        case chunk(FileChunk, lines: Int)
        case failed
        case file(valid: Bool, hash: UInt64)
    }

    private var tasks: [Task] = []
    private var results: [Result?] = []
    private var nextTask = 0
    private var consumed = 0
    private let cond = NSCondition()
    private let maxAhead: Int

    /// Tests: parse every file with the full parser (the fast path is compared against it).
    var fullParserOnly = false

    init(builder: Builder, sources: [SourceText], keepBytes: Bool, segmentSize: Int = ParallelLoad.segmentSize) {
        self.builder = builder
        self.sources = sources
        self.keepBytes = keepBytes
        for (f, s) in sources.enumerated() {
            tasks.append(Task(file: f, range: 0..<s.count, segment: -1, isFile: true))
            for (k, r) in s.segments(size: segmentSize).enumerated() {
                tasks.append(Task(file: f, range: r, segment: k, isFile: false))
            }
        }
        results = Array(repeating: nil, count: tasks.count)
        maxAhead = 2 + Self.workerCount
    }

    static var workerCount: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) }

    private func perform(_ t: Task) -> Result {
        let src = sources[t.file]
        guard let base = src.base else {
            return t.isFile ? .file(valid: true, hash: Document.contentHash(UnsafeRawBufferPointer(start: nil, count: 0)))
                : .chunk(FileChunk(file: t.file, segment: t.segment), lines: 0)
        }
        if t.isFile {
            let valid = FastScanner.isValidUTF8(base, 0, src.count)
            return .file(valid: valid, hash: Document.contentHash(UnsafeRawBufferPointer(start: base, count: src.count)))
        }
        let c = FileChunk(file: t.file, segment: t.segment)
        c.byteCount = t.range.count
        if fullParserOnly { return .failed }
        guard FastScanner.isValidUTF8(base, t.range.lowerBound, t.range.upperBound) else { return .failed }
        let s = FastScanner(bytes: base, start: t.range.lowerBound, end: t.range.upperBound, firstLine: 1, into: c)
        guard s.run() else { return .failed }
        return .chunk(c, lines: s.linesRead)
    }

    private func worker() {
        while true {
            cond.lock()
            while nextTask < tasks.count && nextTask - consumed >= maxAhead { cond.wait() }
            guard nextTask < tasks.count else { cond.unlock(); return }
            let k = nextTask
            nextTask += 1
            cond.unlock()
            let r = perform(tasks[k])
            cond.lock()
            results[k] = r
            cond.broadcast()
            cond.unlock()
        }
    }

    private func take(_ k: Int) -> Result {
        cond.lock()
        while results[k] == nil { cond.wait() }
        let r = results[k]!
        results[k] = nil
        consumed = k + 1
        cond.broadcast()
        cond.unlock()
        return r
    }

    func run(extra: [Diagnostic], readings: String?, directory: String?) -> LoadedGraph {
        let totalBytes = sources.reduce(0) { $0 + $1.count }
        let progress = ProgressReporter("loading", total: totalBytes, unit: "bytes")
        defer { progress.finish() }
        let workers = Self.workerCount
        let group = DispatchGroup()
        if !tasks.isEmpty {
            for _ in 0..<workers {
                group.enter()
                Thread.detachNewThread { [self] in
                    worker()
                    group.leave()
                }
            }
        }
        var docs: [Document] = []
        var k = 0
        while k < tasks.count {
            let t = tasks[k]
            precondition(t.isFile)
            let src = sources[t.file]
            guard case .file(let valid, let hash) = take(k) else { fatalError("task order") }
            k += 1
            let doc = keepBytes ? Document(path: src.path, bytes: src.array) : Document(path: src.path, size: src.count, hash: hash)
            docs.append(doc)
            builder.docs.append(doc)
            let docIndex = docs.count - 1
            var lineOffset = 0
            var fullFrom: Int? = valid ? nil : 0
            while k < tasks.count, !tasks[k].isFile {
                let st = tasks[k]
                let r = take(k)
                k += 1
                if fullFrom != nil { continue }
                switch r {
                case .chunk(let c, let lines):
                    builder.fastSegments += 1
                    builder.merge(c, doc: docIndex, lineOffset: lineOffset)
                    lineOffset += lines
                    progress.advance(st.range.count)
                case .failed:
                    fullFrom = st.range.lowerBound
                case .file:
                    fatalError("task order")
                }
            }
            if let from = fullFrom {
                fullParse(src, from: from, doc: docIndex, lineOffset: lineOffset, valid: valid)
                progress.advance(src.count - from)
            }
            src.release()
        }
        group.wait()
        return builder.finish(documents: docs, extra: extra, readings: readings, directory: directory)
    }

    /// The full parser over `src[from...]` (a run of whole statements), for what the fast path
    /// does not take; reports invalid UTF-8 as the first error of the file.
    private func fullParse(_ src: SourceText, from: Int, doc: Int, lineOffset: Int, valid: Bool) {
        let bytes = from == 0 ? src.array : Array(UnsafeBufferPointer(start: src.base! + from, count: src.count - from))
        if !valid, let bad = UTF8Validation.firstInvalid(bytes) {
            let line = bytes[..<bad].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            let ls = bytes[..<bad].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let col = bytes[ls..<bad].reduce(1) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
            builder.diags.append(Diagnostic(.error, "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))",
                                            file: src.path, line: line + lineOffset, column: col, code: "encoding"))
            return
        }
        builder.fullParses += 1
        let c = FileChunk(file: doc, segment: 0)
        KGParser.stream(path: src.path, bytes: bytes, onItem: { item in
            if case .statement(let s) = item { c.add(s) }
        }, onDiagnostic: { c.diagnostics.append($0) })
        builder.merge(c, doc: doc, lineOffset: lineOffset)
    }

    /// Parses every segment without building (timings); the number of statements.
    static func parseOnly(_ sources: [SourceText]) -> Int {
        let load = ParallelLoad(builder: Builder(), sources: sources, keepBytes: false)
        var n = 0
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: load.tasks.count) { k in
            let t = load.tasks[k]
            guard !t.isFile else { return }
            var m = 0
            switch load.perform(t) {
            case .chunk(let c, _): m = c.nodeCount + c.edgeCount + c.kinds.count + c.relTypes.count
            default:
                let src = load.sources[t.file]
                let bytes = Array(UnsafeBufferPointer(start: src.base! + t.range.lowerBound, count: t.range.count))
                KGParser.stream(path: src.path, bytes: bytes, onItem: { if case .statement = $0 { m += 1 } }, onDiagnostic: { _ in })
            }
            lock.lock()
            n += m
            lock.unlock()
        }
        return n
    }
}
