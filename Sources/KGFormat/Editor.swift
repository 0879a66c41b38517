import Foundation
import KGCore

public struct EditError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

/// Edits to .kg files that keep every untouched byte: replace or delete a statement by its span,
/// append statements to a file (creating it). Nothing is written until `commit()`, which writes
/// every changed file to a temporary file in the same folder and renames them into place only when
/// all of them were written; when any file would fail (changed on disk since it was read, edit out
/// of range, overlapping edits, the result does not parse), nothing is written.
public final class KGEditor {
    struct Change { var range: Range<Int>; var text: [UInt8] }
    struct FileEdits {
        var expected: [UInt8]?
        var changes: [Change] = []
        var appended: [UInt8] = []
    }
    private var files: [String: FileEdits] = [:]
    private var order: [String] = []
    /// Re-parse changed files before writing and refuse to write text with syntax errors.
    public var validate = true

    public init() {}

    private func edits(_ path: String, expected: [UInt8]?) -> FileEdits {
        if let f = files[path] { return f }
        order.append(path)
        return FileEdits(expected: expected)
    }

    /// Replaces the bytes of `span` (a statement's `byteRange`) with `text`. `original` is the file
    /// content the span was computed on (e.g. `Document.bytes`); the edit fails if the file changed.
    public func replace(_ span: SourceSpan, with text: String, original: [UInt8]? = nil) {
        var f = edits(span.file, expected: original)
        if f.expected == nil { f.expected = original }
        f.changes.append(Change(range: span.byteRange, text: Array(text.utf8)))
        files[span.file] = f
    }

    /// Deletes the statement at `span` (its header, continuation lines and line break).
    public func delete(_ span: SourceSpan, original: [UInt8]? = nil) {
        replace(span, with: "", original: original)
    }

    /// Appends `text` at the end of `path` (created when missing), after a line break if the file
    /// does not end with one.
    public func append(_ text: String, to path: String) {
        var f = edits(path, expected: nil)
        f.appended += Array(text.utf8)
        files[path] = f
    }

    /// Paths with pending edits, in the order they were first touched.
    public var pendingPaths: [String] { order }

    /// The new content of every file with edits, without writing anything.
    public func preview() throws -> [(path: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        for path in order {
            let f = files[path]!
            let current: [UInt8]
            if let d = FileManager.default.contents(atPath: path) {
                current = [UInt8](d)
            } else if f.changes.isEmpty && f.expected == nil {
                current = []
            } else {
                throw EditError(path: path, message: "file not found")
            }
            if let exp = f.expected, exp != current {
                throw EditError(path: path, message: "file changed on disk since it was read; nothing written")
            }
            var bytes = current
            let sorted = f.changes.sorted { $0.range.lowerBound > $1.range.lowerBound }
            var lastStart = Int.max
            for c in sorted {
                guard c.range.lowerBound >= 0, c.range.upperBound <= bytes.count else {
                    throw EditError(path: path, message: "edit at bytes \(c.range) is outside the file")
                }
                guard c.range.upperBound <= lastStart else {
                    throw EditError(path: path, message: "overlapping edits at bytes \(c.range)")
                }
                bytes.replaceSubrange(c.range, with: c.text)
                lastStart = c.range.lowerBound
            }
            if !f.appended.isEmpty {
                if let last = bytes.last, last != 0x0A { bytes.append(0x0A) }
                bytes += f.appended
            }
            if validate {
                let (_, diags) = KGParser.parse(path: path, bytes: bytes)
                if let d = diags.first(where: \.isError) {
                    throw EditError(path: path, message: "the edited file would not parse: \(d.description); nothing written")
                }
            }
            out.append((path, bytes))
        }
        return out
    }

    /// Writes every edited file (temp file + rename, all or nothing). Returns the paths written.
    @discardableResult
    public func commit() throws -> [String] {
        let results = try preview()
        try AtomicWrite.writeAll(results)
        files = [:]
        order = []
        return results.map(\.path)
    }
}

/// Writing files so that readers never see half a file, and a set of files all or nothing (as far
/// as renames allow: every temp file is written and flushed before the first rename).
public enum AtomicWrite {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try writeAll([(path, bytes)])
    }

    public static func write(_ text: String, to path: String) throws {
        try writeAll([(path, Array(text.utf8))])
    }

    public static func writeAll(_ files: [(path: String, bytes: [UInt8])]) throws {
        var temps: [(tmp: String, path: String)] = []
        func cleanup() { for t in temps { unlink(t.tmp) } }
        for (path, bytes) in files {
            let url = URL(fileURLWithPath: path)
            let dir = url.deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                cleanup()
                throw EditError(path: path, message: "cannot create folder '\(dir)': \(error.localizedDescription)")
            }
            var template = Array((dir + "/." + url.lastPathComponent + ".tmp-XXXXXX").utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else {
                cleanup()
                throw EditError(path: path, message: "cannot create a temporary file in '\(dir)': \(String(cString: strerror(errno)))")
            }
            let tmp = String(cString: template)
            temps.append((tmp, path))
            var ok = true
            bytes.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = Foundation.write(fd, raw.baseAddress! + off, raw.count - off)
                    if n <= 0 { ok = false; break }
                    off += n
                }
            }
            if fsync(fd) != 0 { ok = false }
            // Keep the permissions of the file being replaced (default 0644).
            var st = stat()
            let mode: mode_t = stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0o644
            fchmod(fd, mode)
            close(fd)
            guard ok else {
                cleanup()
                throw EditError(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
            }
        }
        for (i, t) in temps.enumerated() {
            if rename(t.tmp, t.path) != 0 {
                let err = String(cString: strerror(errno))
                for rest in temps[i...] { unlink(rest.tmp) }
                throw EditError(path: t.path, message: "cannot replace the file: \(err)")
            }
        }
    }
}
