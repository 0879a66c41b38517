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
/// Typical use (what `kg` does when it loads a graph folder):
/// ```swift
/// if let g = GraphCache.loadGraph(directory: dir) { return g }
/// let key = try GraphCache.fingerprint(directory: dir)   // before parsing
/// let g = try parseAndBuild(dir)                          // the .kg loader
/// try? GraphCache.store(g, directory: dir, fingerprint: key)
/// ```
public enum GraphCache {
    /// Bumped whenever the binary layout or the meaning of a loaded graph changes.
    public static let layoutVersion: UInt32 = 1
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
        let h = p.withUnsafeBytes { CacheSHA256.hash($0) }
        return String(CacheSHA256.hex(h).prefix(24))
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
        var h = CacheSHA256()
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
        guard !isDisabled else { return nil }
        let file = cacheFile(for: directory)
        guard let data = try? Data(contentsOf: file, options: [.alwaysMapped]) else { return nil }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Graph? in
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
                let g = try GraphCacheCodec.decode(&r)
                guard r.remaining == 0 else { return nil }
                return g
            } catch {
                return nil
            }
        }
    }

    /// The bytes of a cache file for `graph` under `key` (exposed for tests and tools).
    static func encodeFile(_ graph: Graph, fingerprint key: Fingerprint, salt: String) -> [UInt8]? {
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
        guard !isDisabled else { return false }
        guard let bytes = encodeFile(graph, fingerprint: key, salt: salt) else { return false }
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
