import Foundation
import KGCore
import KGFormat

/// A value behind a lock, shared between the server's tasks and its worker threads.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func with<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
    var current: T { with { $0 } }
}

/// Runs blocking graph work (loading, queries, layout) on threads of its own, so it never holds up
/// the server's cooperative tasks that read and write sockets.
enum Worker {
    static let queue = DispatchQueue(label: "kg.serve.work", qos: .userInitiated, attributes: .concurrent)

    static func run<T>(_ body: @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            queue.async {
                do { c.resume(returning: try body()) } catch { c.resume(throwing: error) }
            }
        }
    }
}

/// One loaded state of the graph folder. Immutable once published: requests read it from many
/// threads at once while the next state is loaded beside it.
final class Snapshot: @unchecked Sendable {
    let generation: Int
    let loaded: LoadedGraph
    let loadedAt: Date
    let search: SearchIndex?

    init(generation: Int, loaded: LoadedGraph) {
        self.generation = generation
        self.loaded = loaded
        self.loadedAt = Date()
        self.search = loaded.hasErrors ? nil : SearchIndex(loaded.graph)
    }

    var ok: Bool { !loaded.hasErrors }
    var graph: Graph { loaded.graph }
    var errors: [Diagnostic] { loaded.diagnostics.filter(\.isError) }
    var warnings: [Diagnostic] { loaded.diagnostics.filter { !$0.isError } }

    /// The graph, or the error every graph route answers while the files do not load.
    func usable() throws -> Graph {
        guard ok else {
            throw APIError(.unavailable, "the graph does not load: \(errors.count) error\(errors.count == 1 ? "" : "s") in its files; fix them and the page reloads",
                           details: [("diagnostics", Snapshot.json(errors))])
        }
        return loaded.graph
    }

    static func json(_ diags: [Diagnostic], limit: Int = 200) -> JSON {
        .array(diags.prefix(limit).map { d in
            .object([("severity", .string(d.severity.rawValue)), ("file", .string(d.file)), ("line", .int(d.line)),
                     ("column", .int(d.column)), ("message", .string(d.message)), ("code", .string(d.code)),
                     ("text", .string(d.rendered(color: false)))])
        })
    }
}

/// Size, modification time and inode of every file the graph is built from: what the watcher
/// compares to notice edits, `git pull`s and deleted or added files.
struct FolderStamp: Equatable {
    var entries: [String: [Int64]] = [:]

    static func of(graphDirectory dir: String) -> FolderStamp {
        var s = FolderStamp()
        var paths = GraphLoader.kgFiles(in: dir).map { dir + "/" + $0 }
        paths.append(dir + "/kg.conf")
        for p in paths {
            var st = stat()
            if stat(p, &st) == 0 {
                s.entries[p] = [Int64(st.st_size), Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec), Int64(st.st_ino)]
            }
        }
        return s
    }
}

/// The server's view of the graph folder: the current snapshot, reloads (on demand and when files
/// change on disk) and the one-writer-at-a-time rule for saves from the browser.
public final class GraphState: @unchecked Sendable {
    public let graphDirectory: String
    let readingsOption: String?
    private let current: Locked<Snapshot>
    private let stamp: Locked<FolderStamp>
    /// Held while the server writes graph files and reloads after it.
    let writeLock = NSLock()
    private let generationCounter = Locked(0)

    public init(graphDirectory: String, readings: String?) {
        self.graphDirectory = graphDirectory
        self.readingsOption = readings
        let st = FolderStamp.of(graphDirectory: graphDirectory)
        let l = GraphLoader.load(directory: graphDirectory, readings: readings)
        current = Locked(Snapshot(generation: 1, loaded: l))
        stamp = Locked(st)
        generationCounter.with { $0 = 1 }
    }

    var snapshot: Snapshot { current.current }

    /// Loads the folder again and publishes the result (also when it has errors: then the pages
    /// show the diagnostics instead of stale data). Returns the new snapshot.
    @discardableResult
    func reload() -> Snapshot {
        let st = FolderStamp.of(graphDirectory: graphDirectory)
        let l = GraphLoader.load(directory: graphDirectory, readings: readingsOption)
        let gen = generationCounter.with { g -> Int in g += 1; return g }
        let snap = Snapshot(generation: gen, loaded: l)
        current.with { $0 = snap }
        stamp.with { $0 = st }
        return snap
    }

    /// Reloads when a file of the folder changed since the last load; true when it did.
    func reloadIfChanged() -> Bool {
        let st = FolderStamp.of(graphDirectory: graphDirectory)
        guard st != stamp.current else { return false }
        // A writer of our own is busy: its reload follows.
        guard writeLock.try() else { return false }
        defer { writeLock.unlock() }
        // Let an editor finish writing (several files, or one file in several writes).
        Thread.sleep(forTimeInterval: 0.15)
        reload()
        return true
    }

    /// Runs `body` as the only writer of this server; when it succeeds, reloads the graph so every
    /// page sees what was written.
    func write<T>(_ body: () throws -> T) rethrows -> T {
        writeLock.lock()
        defer { writeLock.unlock() }
        let out = try body()
        reload()
        return out
    }
}
