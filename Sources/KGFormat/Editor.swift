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
/// every changed file in one transaction (`AtomicWrite.writeAll`); when any file would fail (changed on disk since it was read, edit out
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

    /// Writes every edited file in one transaction (all or nothing). Returns the paths written.
    @discardableResult
    public func commit() throws -> [String] {
        let results = try preview()
        try AtomicWrite.writeAll(results)
        files = [:]
        order = []
        return results.map(\.path)
    }
}

/// The one way kg writes graph files (`.kg` files, copied readings): a set of files is written as
/// one transaction (`GraphTransaction`): after a crash at any point the next load finds every file
/// old or every file new, never a mix, never a half-written file, and no temporary file is left.
///
/// The transaction is journaled in the folder of the writer lock (`GraphWriteLock`) the calling
/// thread holds — the graph folder, for the kg commands (`GraphOptions.loadForWriting`) — or, when it
/// holds none, in the deepest folder holding every target, locked for the length of the commit.
/// A front end with several threads passes its lock explicitly (`writeAll(_:holding:)`).
public enum AtomicWrite {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try writeAll([(path, bytes)])
    }

    public static func write(_ text: String, to path: String) throws {
        try writeAll([(path, Array(text.utf8))])
    }

    /// Writes every file or none (see the type's description). Throws `EditError`.
    public static func writeAll(_ files: [(path: String, bytes: [UInt8])]) throws {
        try GraphTransaction.commit(files, lock: nil)
    }

    /// Writes every file or none, journaled in the folder of `lock`, which the caller holds.
    public static func writeAll(_ files: [(path: String, bytes: [UInt8])], holding lock: GraphWriteLock) throws {
        try GraphTransaction.commit(files, lock: lock)
    }
}
