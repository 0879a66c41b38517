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
    public static let layoutVersion: UInt32 = 2
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
    /// corrupted, other layout version or salt, or caching disabled). Never throws: a bad cache
    /// is simply not used.
    public static func loadGraph(directory: URL, salt: String = "", validation: Validation = .metadata) -> Graph? {
        loadPayload(directory: directory, salt: salt, validation: validation)?.graph
    }

    /// The cached `LoadedGraph` of a graph folder, or nil (see `loadGraph`).
    ///
    /// It holds the graph, the diagnostics (warnings) of the original load, where kinds and
    /// relation types were declared, and the readings folder resolved now (`readings`, else
    /// `KG_READINGS`, else `kg.conf`) — but no parsed documents and no per-node origins: use it
    /// for commands that only read (query without `--save`, stats, show, path, export), and the
    /// text loader for commands that edit files (fmt, link --apply, query --save, import).
    public static func load(directory: String, readings: String? = nil, salt: String = "",
                            validation: Validation = .metadata) -> LoadedGraph? {
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        guard let p = loadPayload(directory: url, salt: salt, validation: validation) else { return nil }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        func place(_ rel: String) -> String { rel.hasPrefix("/") ? rel : prefix + rel }
        let diags = p.diagnostics.map { d -> Diagnostic in
            var d = d
            d.file = place(d.file)
            return d
        }
        func origins(_ m: [(String, String, Int, Int)]) -> [String: SourceLocation] {
            Dictionary(m.map { ($0.0, SourceLocation(file: place($0.1), line: $0.2, column: $0.3)) }, uniquingKeysWith: { a, _ in a })
        }
        let resolved = readings ?? GraphLoader.envReadings() ?? GraphLoader.readConfig(directory: directory).0
        return LoadedGraph(graph: p.graph, documents: [], diagnostics: diags, readingsDirectory: resolved,
                           directory: directory, nodeOrigins: [], edgeOrigins: [],
                           kindOrigins: origins(p.kindOrigins), relationTypeOrigins: origins(p.relationTypeOrigins))
    }

    /// Stores the cache of a freshly loaded graph folder (`loaded` as `GraphLoader.load` returned
    /// it, `key` taken before loading). Graphs with errors are not cached (returns false).
    @discardableResult
    public static func store(_ loaded: LoadedGraph, fingerprint key: Fingerprint, salt: String = "") throws -> Bool {
        guard !loaded.hasErrors, let directory = loaded.directory else { return false }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        func rel(_ path: String) -> String { path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path }
        var extras = Extras()
        extras.diagnostics = loaded.diagnostics.map { d in
            var d = d
            d.file = rel(d.file)
            return d
        }
        extras.kindOrigins = loaded.kindOrigins.sorted { $0.key < $1.key }.map { ($0.key, rel($0.value.file), $0.value.line, $0.value.column) }
        extras.relationTypeOrigins = loaded.relationTypeOrigins.sorted { $0.key < $1.key }
            .map { ($0.key, rel($0.value.file), $0.value.line, $0.value.column) }
        return try store(loaded.graph, directory: URL(fileURLWithPath: directory, isDirectory: true),
                         fingerprint: key, salt: salt, extras: extras)
    }

    /// What a cache file holds besides the graph.
    struct Extras {
        var diagnostics: [Diagnostic] = []
        /// (name, file relative to the graph folder, line, column)
        var kindOrigins: [(String, String, Int, Int)] = []
        var relationTypeOrigins: [(String, String, Int, Int)] = []
    }

    struct Payload {
        var graph: Graph
        var diagnostics: [Diagnostic]
        var kindOrigins: [(String, String, Int, Int)]
        var relationTypeOrigins: [(String, String, Int, Int)]
    }

    static func loadPayload(directory: URL, salt: String, validation: Validation) -> Payload? {
        guard !isDisabled else { return nil }
        // Reliability (docs/RELIABILITY.md): finish or roll back an interrupted save, then read under the commit lock.
        let snapshot = GraphSnapshot(directory: directory.path); defer { snapshot.end() }; guard snapshot.diagnostics.isEmpty else { return nil }
        let file = cacheFile(for: directory)
        guard let data = try? Data(contentsOf: file, options: [.alwaysMapped]) else { return nil }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Payload? in
            guard raw.count > magic.count + 16 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 8)])
            let stored = raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self).littleEndian
            guard cacheChecksum(body) == stored else { return nil }
            var r = ByteReader(body)
            do {
                let head = try r.bytes(magic.count)
                guard Array(head) == magic else { return nil }
                guard try r.u64() == UInt64(layoutVersion) else { return nil }
                guard try r.string() == salt else { return nil }
                let writtenAt = Int64(bitPattern: try r.u64())
                let nf = try r.count(limit: r.remaining)
                var files: [SourceFile] = []
                for _ in 0..<nf {
                    let p = try r.string()
                    let size = try r.u64()
                    let mt = Int64(bitPattern: try r.u64())
                    let sha = Array(try r.bytes(32))
                    files.append(SourceFile(path: p, size: size, mtimeNs: mt, sha256: sha))
                }
                guard matches(Fingerprint(files: files), directory: directory, writtenAtNs: writtenAt,
                              validation: validation)
                else { return nil }
                let extras = try decodeExtras(&r)
                let g = try GraphCacheCodec.decode(&r)
                guard r.remaining == 0 else { return nil }
                return Payload(graph: g, diagnostics: extras.diagnostics, kindOrigins: extras.kindOrigins,
                               relationTypeOrigins: extras.relationTypeOrigins)
            } catch {
                return nil
            }
        }
    }

    static func encodeExtras(_ x: Extras, _ w: inout ByteWriter) {
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
    }

    static func decodeExtras(_ r: inout ByteReader) throws -> Extras {
        var x = Extras()
        func small(_ v: UInt64) throws -> Int {
            guard v <= UInt64(Int32.max) else { throw GraphCacheCodec.Failure("number out of range") }
            return Int(v)
        }
        let nd = try r.count(limit: r.remaining)
        for _ in 0..<nd {
            let sev: Diagnostic.Severity = try r.byte() == 1 ? .error : .warning
            let message = try r.string(), file = try r.string()
            let line = try small(try r.varint()), col = try small(try r.varint())
            let src = try r.string(), sugg = try r.optString()
            let nn = try r.count(limit: r.remaining)
            var notes: [String] = []
            for _ in 0..<nn { notes.append(try r.string()) }
            let code = try r.string()
            x.diagnostics.append(Diagnostic(sev, message, file: file, line: line, column: col, sourceLine: src,
                                            suggestion: sugg, notes: notes, code: code))
        }
        for k in 0..<2 {
            let n = try r.count(limit: r.remaining)
            var list: [(String, String, Int, Int)] = []
            for _ in 0..<n {
                list.append((try r.string(), try r.string(), try small(try r.varint()), try small(try r.varint())))
            }
            if k == 0 { x.kindOrigins = list } else { x.relationTypeOrigins = list }
        }
        return x
    }

    /// The bytes of a cache file for `graph` under `key` (exposed for tests and tools).
    static func encodeFile(_ graph: Graph, fingerprint key: Fingerprint, salt: String, extras: Extras = Extras()) -> [UInt8]? {
        var w = ByteWriter()
        w.bytes.reserveCapacity(1 << 20)
        w.raw(magic)
        w.u64(UInt64(layoutVersion))
        w.string(salt)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        w.u64(UInt64(bitPattern: Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)))
        w.varint(UInt64(key.files.count))
        for f in key.files {
            w.string(f.path)
            w.u64(f.size)
            w.u64(UInt64(bitPattern: f.mtimeNs))
            precondition(f.sha256.count == 32)
            w.raw(f.sha256)
        }
        encodeExtras(extras, &w)
        guard GraphCacheCodec.encode(graph, into: &w) else { return nil }
        let sum = w.bytes.withUnsafeBytes { cacheChecksum($0) }
        w.u64(sum)
        return w.bytes
    }

    /// Writes the cache for `graph`, loaded from `directory` whose files had `key` before parsing.
    /// Atomic (temporary file + rename). Returns false when the graph cannot be cached (it has
    /// deleted nodes or edges) or caching is disabled; throws only on I/O errors, which callers
    /// may ignore since the cache is optional.
    @discardableResult
    public static func store(_ graph: Graph, directory: URL, fingerprint key: Fingerprint, salt: String = "") throws -> Bool {
        try store(graph, directory: directory, fingerprint: key, salt: salt, extras: Extras())
    }

    static func store(_ graph: Graph, directory: URL, fingerprint key: Fingerprint, salt: String, extras: Extras) throws -> Bool {
        guard !isDisabled else { return false }
        guard let bytes = encodeFile(graph, fingerprint: key, salt: salt, extras: extras) else { return false }
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
        do {
            try Data(bytes).write(to: tmp)
            if rename(tmp.path, file.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
            }
        } catch {
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
