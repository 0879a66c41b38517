import ArgumentParser
import Foundation
import KGCore
import KGFormat

/// Options of every command that writes the graph: how long to wait for another writer.
struct WriteOptions: ParsableArguments {
    @Flag(name: .customLong("no-wait"),
          help: "When another kg process is writing the graph, fail at once (exit 1) instead of waiting for it to finish.")
    var noWait = false

    @Option(name: .customLong("lock-timeout"),
            help: ArgumentHelp("Wait at most this many seconds for another kg process writing the graph.",
                               valueName: "seconds"))
    var lockTimeout: Double = GraphWriteLock.defaultWaitSeconds

    func validate() throws {
        guard lockTimeout.isFinite, lockTimeout >= 0 else {
            throw ValidationError("--lock-timeout must be a number of seconds, 0 or more")
        }
    }

    var wait: GraphWriteLock.Wait { noWait || lockTimeout == 0 ? .noWait : .seconds(lockTimeout) }
}

/// Writer locks this process holds until it exits (the kernel releases them however it exits).
enum HeldWriteLocks {
    nonisolated(unsafe) static var locks: [GraphWriteLock] = []
    nonisolated(unsafe) static var releasesAtExit = false

    /// Releases every held lock, emptying the lock files' holder lines (at exit; a killed process
    /// leaves its line, which the next writer ignores since the kernel freed the lock).
    static func releaseAll() {
        for l in locks { l.release() }
        locks.removeAll()
    }

    /// Takes the writer lock of `directory` for the rest of the process, telling the user when it
    /// has to wait; a lock this process already holds is kept. Throws `ExitCode(1)` when the lock
    /// cannot be had.
    static func lock(_ directory: String, _ options: WriteOptions) throws {
        let canonical = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        if locks.contains(where: { $0.canonicalDirectory == canonical && $0.isHeld }) { return }
        do {
            let (l, problems) = try GraphWriteLock.acquireForWriting(directory: directory, wait: options.wait) { holder in
                eprint("kg: waiting for another kg process writing \(directory)\(holder.map { " (\($0))" } ?? "")"
                    + " to finish (up to \(Int(options.lockTimeout)) s; --no-wait fails at once instead)…")
            }
            locks.append(l)
            if !releasesAtExit {
                releasesAtExit = true
                atexit { HeldWriteLocks.releaseAll() }
            }
            // Files are read next: an interrupted save had to be finished or undone first.
            if !problems.isEmpty { printDiagnostics(problems, warnings: false); throw ExitCode(1) }
        } catch let e as LockError {
            eprint("error: \(e)")
            throw ExitCode(1)
        }
    }
}

extension GraphOptions {
    /// Takes the graph folder's writer lock for the rest of the command (see `loadForWriting`).
    /// A missing graph folder is not locked (nothing of it can be lost; the write itself then
    /// locks the folder it writes in).
    func lockForWriting(_ options: WriteOptions) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: graphDirectory, isDirectory: &isDir), isDir.boolValue else { return }
        try HeldWriteLocks.lock(graphDirectory, options)
    }

    /// Loads the graph for a command that changes it (query --save, link --apply, import, fmt, and
    /// any edit to come): first takes the folder's exclusive writer lock (`GraphWriteLock`), held
    /// until the command exits, so that no other writer changes the files between this load and the
    /// save (`AtomicWrite.writeAll`, journaled in this folder). Waits for another writer with a
    /// message, or fails at once with `--no-wait`.
    func loadForWriting(_ options: WriteOptions, showWarnings: Bool = false) throws -> LoadedGraph {
        try lockForWriting(options)
        return try load(showWarnings: showWarnings)
    }
}
