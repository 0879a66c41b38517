import Foundation
import KGCore
import KGFormat

/// Reading texts for the pages, read only from inside the graph folder or the readings folder
/// (a `path` in a .kg file that points elsewhere, directly or through a symbolic link, is refused),
/// cached while the file's size and modification time stay the same.
final class ReadingStore: @unchecked Sendable {
    enum Lookup {
        case text(ReadingText)
        /// Why there is no text: no `path`, no readings folder, missing file, outside the folders, too large.
        case unavailable(String)
    }

    static let maxBytes = 64 << 20
    private let cache = Locked<[String: (stamp: [Int64], text: ReadingText)]>([:])

    /// Real path of `p` (symbolic links resolved), or nil when it does not exist.
    static func realPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    static func isInside(_ path: String, _ folder: String) -> Bool {
        path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
    }

    func text(of n: NodeID, in snap: Snapshot) -> Lookup {
        let g = snap.graph
        guard let p = g.property(n, "path")?.stringValue, !p.isEmpty else { return .unavailable("the reading has no path") }
        guard let dir = snap.loaded.readingsDirectory else {
            return .unavailable("no readings folder is set (readings = DIR in kg.conf, --readings or KG_READINGS)")
        }
        let full = p.hasPrefix("/") ? p : dir + "/" + p
        guard let real = Self.realPath(full) else { return .unavailable("the reading file \(p) is not in the readings folder") }
        let allowed = [Self.realPath(dir), Self.realPath(snap.loaded.directory ?? ".")].compactMap { $0 }
        guard allowed.contains(where: { Self.isInside(real, $0) }) else {
            return .unavailable("the path \(p) leads outside the graph and readings folders; kg serve does not open it")
        }
        var st = stat()
        guard stat(real, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return .unavailable("\(p) is not a regular file") }
        guard Int(st.st_size) <= Self.maxBytes else { return .unavailable("\(p) is larger than \(Self.maxBytes >> 20) MiB") }
        let stamp = [Int64(st.st_size), Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec), Int64(st.st_ino)]
        let key = g.key(of: n) + "\u{0}" + real
        if let c = cache.with({ $0[key] }), c.stamp == stamp { return .text(c.text) }
        guard let d = FileManager.default.contents(atPath: real) else { return .unavailable("\(p) cannot be read") }
        let t = ReadingText(id: g.key(of: n), path: real, bytes: [UInt8](d))
        // Fill the lazy parts now: the object is shared by requests on several threads.
        _ = t.text; _ = t.lineStarts; _ = t.sentences; _ = t.sha256
        cache.with { $0[key] = (stamp, t) }
        return .text(t)
    }
}

/// A text cut into lines, and each line into runs that belong to one sentence and (optionally)
/// one marked range: what the pages need to number lines and sentences and to highlight.
enum Segments {
    struct Mark {
        var range: Range<Int>
        var id: String
    }

    /// `[[{"t": text, "s": sentence (0 between sentences), "m": mark id (absent if none)}]]`, one list per line.
    static func lines(bytes: [UInt8], sentences: [SentenceSpan], marks: [Mark] = []) -> JSON {
        // Boundaries where a run changes: sentence starts/ends, mark starts/ends, line breaks.
        var sentenceAt = [Int](repeating: 0, count: bytes.count)
        for s in sentences { for i in s.range where i < bytes.count { sentenceAt[i] = s.number } }
        var markAt = [Int](repeating: -1, count: bytes.count)
        for (k, m) in marks.enumerated() { for i in m.range where i >= 0 && i < bytes.count && markAt[i] < 0 { markAt[i] = k } }
        var out: [JSON] = []
        var line: [JSON] = []
        var runStart = 0
        func flush(_ end: Int) {
            guard end > runStart else { return }
            var e = end
            if bytes[e - 1] == 0x0D { e -= 1 }
            guard e > runStart else { return }
            let text = String(decoding: bytes[runStart..<e], as: UTF8.self)
            var f: [(String, JSON)] = [("t", .string(text)), ("s", .int(sentenceAt[runStart]))]
            if markAt[runStart] >= 0 { f.append(("m", .string(marks[markAt[runStart]].id))) }
            line.append(.object(f))
        }
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                flush(i)
                out.append(.array(line)); line = []
                runStart = i + 1
            } else if i > runStart && (sentenceAt[i] != sentenceAt[i - 1] || markAt[i] != markAt[i - 1]) {
                // Never cut inside a UTF-8 sequence.
                if bytes[i] & 0xC0 != 0x80 { flush(i); runStart = i }
            }
            i += 1
        }
        flush(bytes.count)
        if !line.isEmpty || (bytes.last.map { $0 != 0x0A } ?? false) { out.append(.array(line)) }
        return .array(out)
    }
}
