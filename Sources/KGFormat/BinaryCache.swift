import Foundation
import KGCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A derived, rebuildable binary cache of a parsed graph folder, for a fast start on large graphs.
///
/// The .kg text stays the only source of truth: the cache is keyed by every source file's path,
/// size and SHA-256 (plus a layout version and a caller-supplied salt such as the kg version), is
/// ignored on any mismatch, and is rebuilt by the next store. A corrupted, truncated or foreign
/// cache file is ignored (never an error), so deleting `.kgcache/` is always safe.
///
/// Where it lives: `<graph>/.kgcache/graph.bin` (the folder carries its own `.gitignore`), or,
/// when the graph folder is not writable, `$XDG_CACHE_HOME/kg/<hash of the folder path>.bin`
/// (default `~/.cache/kg`). `KG_CACHE_DIR` overrides the folder; `KG_NO_CACHE=1` disables it.
///
/// Validation cost: files whose size and modification time (nanoseconds) match the key, and which
/// were last modified at least two seconds before the cache was written, are trusted without
/// re-hashing (a later write would change the mtime); any other file is hashed and compared, so a
/// `touch` does not invalidate but an edit of the same size within the same clock tick does.
/// Use `Validation.hashAll` to hash every file regardless.
///
/// Typical use, in a command that only reads the graph:
/// ```swift
/// if let cached = GraphCache.load(directory: dir, readings: readingsOption) { return cached }
/// let key = try? GraphCache.fingerprint(directory: URL(fileURLWithPath: dir))  // before parsing
/// let loaded = GraphLoader.load(directory: dir, readings: readingsOption)
/// if let key { _ = try? GraphCache.store(loaded, fingerprint: key) }           // no-op with errors
/// return loaded
/// ```
public enum GraphCache {
    /// Bumped whenever the binary layout or the meaning of a loaded graph changes.
    public static let layoutVersion: UInt32 = 3
    static let magic: [UInt8] = Array("KGCACHE\u{0}".utf8)

    public enum Validation: Sendable {
        /// Trust size + mtime for files older than the cache (minus 2 s); hash the others.
        case metadata
        /// Hash every source file.
        case hashAll
    }

    /// One source file of a graph folder as the cache key records it.
    public struct SourceFile: Equatable, Sendable {
        /// Path relative to the graph folder, `/`-separated.
        public var path: String
        public var size: UInt64
        /// Modification time in nanoseconds since the epoch.
        public var mtimeNs: Int64
        /// SHA-256 of the content.
        public var sha256: [UInt8]
    }

    /// The key of a graph folder: every file that can change the loaded graph.
    public struct Fingerprint: Equatable, Sendable {
        public var files: [SourceFile]
    }

    public static var isDisabled: Bool {
        let v = ProcessInfo.processInfo.environment["KG_NO_CACHE"] ?? ""
        return !v.isEmpty && v != "0"
    }

    // MARK: Location

    /// The cache file for a graph folder.
    public static func cacheFile(for directory: URL) -> URL {
        let dir = directory.standardizedFileURL
        let env = ProcessInfo.processInfo.environment
        if let custom = env["KG_CACHE_DIR"], !custom.isEmpty {
            return URL(fileURLWithPath: custom, isDirectory: true)
                .appendingPathComponent(folderTag(dir) + ".bin")
        }
        if access(dir.path, W_OK) == 0 {
            return dir.appendingPathComponent(".kgcache", isDirectory: true).appendingPathComponent("graph.bin")
        }
        let base: URL
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg, isDirectory: true)
        } else {
            base = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache", isDirectory: true)
        }
        return base.appendingPathComponent("kg", isDirectory: true).appendingPathComponent(folderTag(dir) + ".bin")
    }

    private static func folderTag(_ dir: URL) -> String {
        let p = Array(dir.path.utf8)
        let h = p.withUnsafeBytes { SHA256.hash($0) }
        return String(SHA256.hex(h).prefix(24))
    }

    // MARK: Key

    /// Relative paths of the files that make up the graph: every `*.kg` below the folder
    /// (recursively, `.kgcache` excluded) and `kg.conf`, sorted.
    public static func sourcePaths(directory: URL) -> [String] {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        var out: [String] = []
        let fm = FileManager.default
        guard let en = fm.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey, .isRegularFileKey],
                                     options: [], errorHandler: { _, _ in true })
        else { return [] }
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in en {
            let name = url.lastPathComponent
            let vals = try? url.resourceValues(forKeys: [.isDirectoryKey, .isRegularFileKey])
            if vals?.isDirectory == true {
                if name == ".kgcache" { en.skipDescendants() }
                continue
            }
            guard name.hasSuffix(".kg") || name == "kg.conf" else { continue }
            var p = url.resolvingSymlinksInPath().path
            if p.hasPrefix(rootPath) { p.removeFirst(rootPath.count) } else { p = url.path.replacingOccurrences(of: rootPath, with: "") }
            if name == "kg.conf" && p != "kg.conf" { continue }
            out.append(p)
        }
        out.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return out
    }

    private static func statFile(_ path: String) -> (size: UInt64, mtimeNs: Int64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        #if canImport(Darwin)
        let ns = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #else
        let ns = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #endif
        return (UInt64(st.st_size), ns)
    }

    private static func hashFile(_ path: String) -> [UInt8]? {
        guard let fh = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? fh.close() }
        var h = SHA256()
        do {
            // read(upToCount:) answers nil or empty data at the end of the file.
            while let chunk = try fh.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { h.update($0) }
            }
        } catch {
            return nil
        }
        return h.finalize()
    }

    /// Computes the key of a graph folder (hashing every source file). Call it before parsing,
    /// so that a file edited during the parse invalidates the stored cache.
    public static func fingerprint(directory: URL) throws -> Fingerprint {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        var files: [SourceFile] = []
        for rel in sourcePaths(directory: root) {
            let full = root.appendingPathComponent(rel).path
            guard let st = statFile(full), let sha = hashFile(full) else {
                throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: full])
            }
            files.append(SourceFile(path: rel, size: st.size, mtimeNs: st.mtimeNs, sha256: sha))
        }
        return Fingerprint(files: files)
    }

    /// True when the folder's files still match `key` (see the type's notes on validation).
    static func matches(_ key: Fingerprint, directory: URL, writtenAtNs: Int64, validation: Validation) -> Bool {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        let paths = sourcePaths(directory: root)
        guard paths.count == key.files.count else { return false }
        for (p, f) in zip(paths, key.files) {
            guard p == f.path else { return false }
            let full = root.appendingPathComponent(p).path
            guard let st = statFile(full), st.size == f.size else { return false }
            let trusted = validation == .metadata && st.mtimeNs == f.mtimeNs
                && st.mtimeNs < writtenAtNs - 2_000_000_000
            if trusted { continue }
            guard let sha = hashFile(full), sha == f.sha256 else { return false }
        }
        return true
    }

    // MARK: Load and store

    /// The cached graph of `directory`, or nil when there is no valid cache (missing, stale,
    /// corrupted, truncated, other layout version or salt, or caching disabled). Never throws: a
    /// bad cache is simply not used (and the next store replaces it).
    public static func loadGraph(directory: URL, salt: String = "", validation: Validation = .metadata) -> Graph? {
        loadPayload(directory: directory, salt: salt, validation: validation, needDocuments: false)?.graph
    }

    /// The cached `LoadedGraph` of a graph folder, or nil (see `loadGraph`).
    ///
    /// It is what `GraphLoader.load` returned when the cache was stored — the graph, the
    /// documents (their text stays on disk and is parsed again only when an edit or a diagnostic
    /// needs it), where every node, edge, kind and relation type was declared, the warnings of
    /// the load — plus the readings folder resolved now (`readings`, else `KG_READINGS`, else
    /// `kg.conf`). So every command can start from it, `kg check` included.
    public static func load(directory: String, readings: String? = nil, salt: String = "",
                            validation: Validation = .metadata) -> LoadedGraph? {
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        guard let p = loadPayload(directory: url, salt: salt, validation: validation, needDocuments: true) else { return nil }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        func place(_ rel: String) -> String { rel.hasPrefix("/") ? rel : prefix + rel }
        let diags = p.extras.diagnostics.map { d -> Diagnostic in
            var d = d
            if !d.file.isEmpty { d.file = place(d.file) }
            return d
        }
        func origins(_ m: [(String, String, Int, Int)]) -> [String: SourceLocation] {
            Dictionary(m.map { ($0.0, SourceLocation(file: place($0.1), line: $0.2, column: $0.3)) }, uniquingKeysWith: { a, _ in a })
        }
        let docs = p.extras.documents.map { Document(path: place($0.path), size: $0.size, hash: $0.hash) }
        let resolved = readings ?? GraphLoader.envReadings() ?? GraphLoader.readConfig(directory: directory).0
        var l = LoadedGraph(graph: p.graph, documents: docs, diagnostics: diags, readingsDirectory: resolved,
                            directory: directory, nodeOrigins: p.nodeOrigins, edgeOrigins: p.edgeOrigins,
                            kindOrigins: origins(p.extras.kindOrigins), relationTypeOrigins: origins(p.extras.relationTypeOrigins))
        l.fromCache = true
        return l
    }

    /// Stores the cache of a freshly loaded graph folder (`loaded` as `GraphLoader.load` returned
    /// it, `key` taken before loading). Graphs with errors are not cached (returns false).
    @discardableResult
    public static func store(_ loaded: LoadedGraph, fingerprint key: Fingerprint, salt: String = "") throws -> Bool {
        guard !loaded.hasErrors, let directory = loaded.directory else { return false }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        func rel(_ path: String) -> String { path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path }
        var extras = Extras()
        extras.complete = true
        extras.diagnostics = loaded.diagnostics.map { d in
            var d = d
            d.file = rel(d.file)
            return d
        }
        extras.kindOrigins = loaded.kindOrigins.sorted { $0.key < $1.key }.map { ($0.key, rel($0.value.file), $0.value.line, $0.value.column) }
        extras.relationTypeOrigins = loaded.relationTypeOrigins.sorted { $0.key < $1.key }
            .map { ($0.key, rel($0.value.file), $0.value.line, $0.value.column) }
        for d in loaded.documents {
            guard let fp = d.diskFingerprint else { return false }
            extras.documents.append((rel(d.path), fp.size, fp.hash))
        }
        return try store(loaded.graph, directory: URL(fileURLWithPath: directory, isDirectory: true),
                         fingerprint: key, salt: salt, extras: extras, origins: (loaded.nodeOrigins, loaded.edgeOrigins))
    }

    /// What a cache file holds besides the graph.
    struct Extras {
        /// Whether documents and origins were stored (a `LoadedGraph` can be rebuilt).
        var complete = false
        var diagnostics: [Diagnostic] = []
        /// (name, file relative to the graph folder, line, column)
        var kindOrigins: [(String, String, Int, Int)] = []
        var relationTypeOrigins: [(String, String, Int, Int)] = []
        /// (file relative to the graph folder, size, content hash)
        var documents: [(path: String, size: Int, hash: UInt64)] = []
    }

    struct Payload {
        var graph: Graph
        var extras: Extras
        var nodeOrigins: OriginColumn
        var edgeOrigins: OriginColumn
    }

    static func loadPayload(directory: URL, salt: String, validation: Validation, needDocuments: Bool) -> Payload? {
        guard !isDisabled else { return nil }
        // Reliability (docs/RELIABILITY.md): finish or roll back an interrupted save, then read under the commit lock.
        let snapshot = GraphSnapshot(directory: directory.path); defer { snapshot.end() }; guard snapshot.diagnostics.isEmpty else { return nil }
        let file = cacheFile(for: directory)
        let fd = open(file.path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let source = FileSource(fd: fd) else { return nil }
        let progress = ProgressReporter("reading cache", total: source.size, unit: "bytes")
        defer { progress.finish() }
        var r = ImageReader(source)
        do {
            let head = try r.bytes()
            let ok = try head.withUnsafeBytes { raw -> Bool in
                var h = ByteReader(raw)
                guard Array(try h.bytes(magic.count)) == magic, try h.u64() == UInt64(layoutVersion),
                      try h.string() == salt
                else { return false }
                let writtenAt = Int64(bitPattern: try h.u64())
                var files: [SourceFile] = []
                for _ in 0..<(try h.count(limit: h.remaining)) {
                    let p = try h.string()
                    let size = try h.u64()
                    let mt = Int64(bitPattern: try h.u64())
                    files.append(SourceFile(path: p, size: size, mtimeNs: mt, sha256: Array(try h.bytes(32))))
                }
                return h.remaining == 0 && matches(Fingerprint(files: files), directory: directory, writtenAtNs: writtenAt,
                                                   validation: validation)
            }
            guard ok else { return nil }
            let extras = try decodeExtras(try r.bytes())
            if needDocuments && !extras.complete { return nil }
            var origins: [OriginColumn] = []
            for _ in 0..<2 {
                let lines = try r.array(UInt32.self), starts = try r.array(Int32.self), docs = try r.array(Int32.self)
                let o = OriginColumn(lines: lines, runStart: starts, runDoc: docs)
                guard o.isValid(documents: extras.documents.count) else { return nil }
                origins.append(o)
            }
            let nodeOrigins = origins[0], edgeOrigins = origins[1]
            progress.update(r.offset)
            let g = try GraphImage.read(from: &r)
            guard r.isAtEnd else { return nil }
            if extras.complete {
                guard nodeOrigins.count == g.nodeCapacity, edgeOrigins.count == g.edgeCapacity else { return nil }
            }
            return Payload(graph: g, extras: extras, nodeOrigins: nodeOrigins, edgeOrigins: edgeOrigins)
        } catch {
            return nil
        }
    }

    static func encodeExtras(_ x: Extras) -> ByteWriter {
        var w = ByteWriter()
        w.byte(x.complete ? 1 : 0)
        w.varint(UInt64(x.diagnostics.count))
        for d in x.diagnostics {
            w.byte(d.severity == .error ? 1 : 0)
            w.string(d.message); w.string(d.file)
            w.varint(UInt64(max(d.line, 0))); w.varint(UInt64(max(d.column, 0)))
            w.string(d.sourceLine); w.optString(d.suggestion)
            w.varint(UInt64(d.notes.count))
            for n in d.notes { w.string(n) }
            w.string(d.code)
        }
        for list in [x.kindOrigins, x.relationTypeOrigins] {
            w.varint(UInt64(list.count))
            for (name, file, line, col) in list {
                w.string(name); w.string(file); w.varint(UInt64(max(line, 0))); w.varint(UInt64(max(col, 0)))
            }
        }
        w.varint(UInt64(x.documents.count))
        for d in x.documents {
            w.string(d.path); w.varint(UInt64(d.size)); w.u64(d.hash)
        }
        return w
    }

    static func decodeExtras(_ bytes: [UInt8]) throws -> Extras {
        try bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            var x = Extras()
            x.complete = try r.byte() == 1
            for _ in 0..<(try r.count(limit: r.remaining)) {
                let sev: Diagnostic.Severity = try r.byte() == 1 ? .error : .warning
                let message = try r.string(), file = try r.string()
                let line = try r.small(), col = try r.small()
                let src = try r.string(), sugg = try r.optString()
                var notes: [String] = []
                for _ in 0..<(try r.count(limit: r.remaining)) { notes.append(try r.string()) }
                let code = try r.string()
                x.diagnostics.append(Diagnostic(sev, message, file: file, line: line, column: col, sourceLine: src,
                                                suggestion: sugg, notes: notes, code: code))
            }
            for k in 0..<2 {
                var list: [(String, String, Int, Int)] = []
                for _ in 0..<(try r.count(limit: r.remaining)) {
                    list.append((try r.string(), try r.string(), try r.small(), try r.small()))
                }
                if k == 0 { x.kindOrigins = list } else { x.relationTypeOrigins = list }
            }
            for _ in 0..<(try r.count(limit: r.remaining)) {
                let p = try r.string()
                let size = try r.varint()
                guard size <= UInt64(Int.max) else { throw ImageError("bad size") }
                x.documents.append((p, Int(size), try r.u64()))
            }
            guard r.remaining == 0 else { throw ImageError("trailing data") }
            return x
        }
    }

    /// Writes a cache file's sections to `sink`; false when the graph cannot be cached.
    static func encode(_ graph: Graph, fingerprint key: Fingerprint, salt: String, extras: Extras,
                       origins: (OriginColumn, OriginColumn), to sink: ImageSink) throws -> Bool {
        guard GraphImage.canWrite(graph) else { return false }
        let w = ImageWriter(sink)
        var h = ByteWriter()
        h.raw(magic)
        h.u64(UInt64(layoutVersion))
        h.string(salt)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        h.u64(UInt64(bitPattern: Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)))
        h.varint(UInt64(key.files.count))
        for f in key.files {
            h.string(f.path); h.u64(f.size); h.u64(UInt64(bitPattern: f.mtimeNs)); h.raw(f.sha256)
        }
        try w.bytes(h)
        try w.bytes(encodeExtras(extras))
        for o in [origins.0, origins.1] {
            try w.array(o.lines); try w.array(o.runStart); try w.array(o.runDoc)
        }
        try GraphImage.write(graph, to: w)
        return true
    }

    /// The bytes of a cache file for `graph` under `key` (tests and tools).
    static func encodeFile(_ graph: Graph, fingerprint key: Fingerprint, salt: String, extras: Extras = Extras()) -> [UInt8]? {
        let sink = MemorySink()
        guard (try? encode(graph, fingerprint: key, salt: salt, extras: extras, origins: (OriginColumn(), OriginColumn()), to: sink)) == true
        else { return nil }
        return sink.bytes
    }

    /// Writes the cache for `graph`, loaded from `directory` whose files had `key` before parsing.
    /// Atomic (temporary file + rename). Returns false when the graph cannot be cached (it has
    /// deleted nodes or edges, or edits since it was loaded) or caching is disabled; throws only
    /// on I/O errors, which callers may ignore since the cache is optional.
    @discardableResult
    public static func store(_ graph: Graph, directory: URL, fingerprint key: Fingerprint, salt: String = "") throws -> Bool {
        try store(graph, directory: directory, fingerprint: key, salt: salt, extras: Extras(), origins: (OriginColumn(), OriginColumn()))
    }

    static func store(_ graph: Graph, directory: URL, fingerprint key: Fingerprint, salt: String, extras: Extras,
                      origins: (OriginColumn, OriginColumn)) throws -> Bool {
        guard !isDisabled, GraphImage.canWrite(graph) else { return false }
        let file = cacheFile(for: directory)
        let folder = file.deletingLastPathComponent()
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        if folder.lastPathComponent == ".kgcache" {
            let ignore = folder.appendingPathComponent(".gitignore")
            if !fm.fileExists(atPath: ignore.path) {
                try? Data("# derived by kg; safe to delete\n*\n".utf8).write(to: ignore, options: .atomic)
            }
        }
        let tmp = folder.appendingPathComponent(".\(file.lastPathComponent).\(getpid()).tmp")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: tmp.path]) }
        let progress = ProgressReporter("writing cache")
        defer { progress.finish() }
        do {
            let sink = BufferedFileSink(fd: fd)
            guard try encode(graph, fingerprint: key, salt: salt, extras: extras, origins: origins, to: sink) else {
                close(fd)
                try? fm.removeItem(at: tmp)
                return false
            }
            try sink.flush()
            guard close(fd) == 0, rename(tmp.path, file.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
            }
        } catch {
            close(fd)
            try? fm.removeItem(at: tmp)
            throw error
        }
        return true
    }

    /// Removes the cache of a graph folder, if any.
    public static func invalidate(directory: URL) {
        try? FileManager.default.removeItem(at: cacheFile(for: directory))
    }
}

/// A file sink that gathers small writes into 1 MB blocks and passes large ones straight through.
final class BufferedFileSink: ImageSink {
    let file: FileSink
    var buffer: [UInt8] = []
    init(fd: Int32) {
        file = FileSink(fd: fd)
        buffer.reserveCapacity(1 << 20)
    }
    func write(_ p: UnsafeRawBufferPointer) throws {
        if p.count >= 1 << 16 {
            try flush()
            try file.write(p)
            return
        }
        if buffer.count + p.count > 1 << 20 { try flush() }
        buffer.append(contentsOf: p)
    }
    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try file.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
