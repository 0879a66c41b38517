import Foundation
import KGCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a set of files as one transaction: after a crash at any point, the next load of the
/// graph folder finds either every file old or every file new (docs/RELIABILITY.md).
///
/// The transaction lives in a folder `J`: the folder of the writer lock the calling thread holds
/// (the graph folder), else the deepest folder holding every target, locked for the commit. Steps:
///
/// 1. `J/.kg.journal` is written in state `prepare`, listing every temporary file (beside its
///    target, named `.<name>.kgtmp-<random>`) and every folder about to be created; it is written
///    to `J/.kg.journal.new`, fsynced, renamed into place, and `J` is fsynced.
/// 2. Missing folders are created (and their parents fsynced); every new file is written to its
///    temporary file and fsynced.
/// 3. The journal is rewritten in state `commit` the same way (write, fsync, rename, fsync `J`),
///    while the commit lock of `J` (`flock` on the folder) is held exclusively. **The rename of the
///    commit journal is the commit point**: before it, recovery rolls back (deletes the temporary
///    files and the folders made for them); from it on, recovery rolls forward.
/// 4. Every temporary file is renamed over its target; every folder touched is fsynced.
/// 5. The journal is deleted, `J` is fsynced, the commit lock is released.
///
/// Interrupt, terminate and hang-up signals are held back from step 3 to 5 (they take effect when
/// the commit is complete); a SIGKILL or a power cut there is what recovery is for.
///
/// Recovery (`GraphRecovery.recover`) runs at the start of every load of a graph folder and of
/// every transaction: a `commit` journal is rolled forward under the exclusive commit lock (a live
/// committer holds that lock, so a commit journal found while it is free was left by a dead one);
/// a `prepare` journal is rolled back only when the writer lock is free or held by the caller (a
/// live writer may be writing its temporary files).
enum GraphTransaction {
    static let journalName = ".kg.journal"
    static let journalTempName = ".kg.journal.new"
    static let tempMarker = ".kgtmp-"

    /// Plans and commits `files`. With `lock`, the transaction lives in its folder.
    static func commit(_ files: [(path: String, bytes: [UInt8])], lock explicitLock: GraphWriteLock?) throws {
        guard !files.isEmpty else { return }
        // Targets: absolute, symlinks written through, no duplicates, regular files only.
        var targets: [(path: String, bytes: [UInt8])] = []
        var seen = Set<String>()
        for (p, bytes) in files {
            let target = try resolveTarget(p)
            guard seen.insert(target).inserted else {
                throw EditError(path: p, message: "written twice in one save")
            }
            targets.append((target, bytes))
        }

        // The transaction folder and its writer lock.
        var ownLock: GraphWriteLock? = nil
        defer { ownLock?.release() }
        let folder: String
        if let l = explicitLock {
            guard l.isHeld else { throw EditError(path: l.directory, message: "the writer lock was released before the save") }
            folder = l.canonicalDirectory
        } else if let l = GraphWriteLock.heldByCurrentThread() {
            folder = l.canonicalDirectory
        } else {
            let common = commonFolder(targets.map { ($0.path as NSString).deletingLastPathComponent })
            do {
                try FileManager.default.createDirectory(atPath: common, withIntermediateDirectories: true)
            } catch {
                throw EditError(path: common, message: "cannot create the folder: \(error.localizedDescription)")
            }
            do {
                let l = try GraphWriteLock.acquire(directory: common, onWait: { holder in
                    GraphRecovery.log("kg: waiting for another kg process writing \(common)\(holder.map { " (\($0))" } ?? "")…")
                })
                ownLock = l
                folder = l.canonicalDirectory
            } catch let e as LockError {
                throw EditError(path: common, message: e.description)
            }
        }

        // Finish or undo an interrupted save first: the journal slot must be free.
        let problems = GraphRecovery.recover(directory: folder).filter(\.isError)
        if let p = problems.first { throw EditError(path: p.file, message: p.message) }
        var st = stat()
        if lstat(folder + "/" + journalName, &st) == 0 {
            throw EditError(path: folder + "/" + journalName, message: "an interrupted save is still being recovered; nothing written")
        }

        var tx = Running(folder: folder, targets: targets)
        try tx.run()
    }

    /// The path a save writes for `p`: absolute and standardised; an existing symlink is followed to
    /// the file it names (the link stays); anything but a regular file there is refused.
    static func resolveTarget(_ p: String) throws -> String {
        var path = GraphWriteLock.absolutePath(p)
        var st = stat()
        if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
            guard let r = GraphWriteLock.canonicalPath(path) else {
                throw EditError(path: p, message: "is a symbolic link to a missing file; nothing written")
            }
            path = r
        }
        if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
            throw EditError(path: p, message: "is not a regular file; nothing written")
        }
        let name = (path as NSString).lastPathComponent
        if name == journalName || name == journalTempName || name == GraphWriteLock.lockFileName || name.contains(tempMarker) {
            throw EditError(path: p, message: "is a name kg keeps for its own bookkeeping; nothing written")
        }
        return path
    }

    /// The deepest folder that holds every one of `folders` (absolute paths).
    static func commonFolder(_ folders: [String]) -> String {
        var common = folders[0].split(separator: "/", omittingEmptySubsequences: true)
        for f in folders.dropFirst() {
            let parts = f.split(separator: "/", omittingEmptySubsequences: true)
            var i = 0
            while i < common.count && i < parts.count && common[i] == parts[i] { i += 1 }
            common.removeSubrange(i...)
        }
        return "/" + common.joined(separator: "/")
    }

    /// One transaction in progress.
    struct Running {
        let folder: String
        let targets: [(path: String, bytes: [UInt8])]
        var temps: [String] = []
        var made: [String] = []
        var committed = false
        var commitLock = CommitLock()

        init(folder: String, targets: [(path: String, bytes: [UInt8])]) {
            self.folder = folder
            self.targets = targets
        }

        mutating func run() throws {
            // Names of the temporary files and folders to create.
            var gen = SystemRandomNumberGenerator()
            for t in targets {
                let dir = (t.path as NSString).deletingLastPathComponent
                let name = (t.path as NSString).lastPathComponent
                temps.append(dir + "/." + name + tempMarker + String(format: "%08x", UInt32.random(in: 0...UInt32.max, using: &gen)))
            }
            var missing: [String] = []
            for t in targets {
                var dir = (t.path as NSString).deletingLastPathComponent
                var chain: [String] = []
                var st = stat()
                while dir != "/" && !dir.isEmpty && lstat(dir, &st) != 0 {
                    chain.append(dir)
                    dir = (dir as NSString).deletingLastPathComponent
                }
                for d in chain.reversed() where !missing.contains(d) { missing.append(d) }
            }
            let plan = Journal(state: .prepare, made: missing, pairs: zip(temps, targets.map(\.path)).map { ($0, $1) })

            do {
                // 1. The prepare journal.
                try Journal.write(plan, in: folder, scope: .commit)
                // 2. Folders and new files.
                for d in missing {
                    try Step.mkdir(d, scope: .commit)
                    made.append(d)
                    try Step.fsyncFolder((d as NSString).deletingLastPathComponent, scope: .commit)
                }
                for (i, t) in targets.enumerated() {
                    var st = stat()
                    let mode: mode_t = stat(t.path, &st) == 0 ? st.st_mode & 0o7777 : 0o644
                    try Step.writeFile(temps[i], t.bytes, mode: mode, scope: .commit, target: t.path)
                }
                var tempFolders: [String] = []
                for t in temps {
                    let d = (t as NSString).deletingLastPathComponent
                    if !tempFolders.contains(d) { tempFolders.append(d) }
                }
                for d in tempFolders { try Step.fsyncFolder(d, scope: .commit) }
                // 3. The commit journal: its rename is the commit point.
                var committing = plan
                committing.state = .commit
                let held = blockSignals()
                defer { restoreSignals(held) }
                commitLock = try CommitLock.take(folder, exclusive: true)
                defer { commitLock.release() }
                do {
                    try Journal.write(committing, in: folder, scope: .commit, onRenamed: { committed = true })
                    // 4. Into place, 5. the journal goes.
                    try finish(committing)
                } catch let e as StepError where committed {
                    // The save stands from the commit point on: try the rest once more, and failing
                    // again, leave it to the recovery of the next load.
                    do { try finish(committing) } catch let again as StepError {
                        GraphRecovery.log("kg: warning: the save is committed, but completing it failed (\(e.path): \(e.message); again: \(again.message)); the next kg command that loads \(folder) completes it")
                    }
                }
            } catch let e as StepError {
                rollBack()
                throw EditError(path: e.path, message: "\(e.message); nothing written")
            } catch let e as LockError {
                rollBack()
                throw EditError(path: folder, message: e.description)
            }
        }

        func finish(_ j: Journal) throws {
            try GraphRecovery.rollForward(j, folder: folder, scope: .commit)
            try Step.unlink(folder + "/" + GraphTransaction.journalName, scope: .commit)
            try Step.fsyncFolder(folder, scope: .commit)
        }

        /// Undoes everything before the commit point (best effort; recovery does the same).
        mutating func rollBack() {
            for t in temps { sysUnlink(t) }
            for d in made.reversed() { rmdir(d) }
            sysUnlink(folder + "/" + GraphTransaction.journalTempName)
            sysUnlink(folder + "/" + GraphTransaction.journalName)
            Step.fsyncFolderQuietly(folder)
        }
    }

    // MARK: Signals held back during the commit

    static func blockSignals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGPIPE] { sigaddset(&set, s) }
        var old = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &old)
        return old
    }

    static func restoreSignals(_ old: sigset_t) {
        var o = old
        pthread_sigmask(SIG_SETMASK, &o, nil)
    }
}

@discardableResult func sysRename(_ a: String, _ b: String) -> Int32 {
    #if canImport(Glibc)
    Glibc.rename(a, b)
    #else
    Darwin.rename(a, b)
    #endif
}

@discardableResult func sysUnlink(_ p: String) -> Int32 {
    #if canImport(Glibc)
    Glibc.unlink(p)
    #else
    Darwin.unlink(p)
    #endif
}

func sysMkdir(_ p: String, _ mode: mode_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.mkdir(p, mode)
    #else
    Darwin.mkdir(p, mode)
    #endif
}

/// A failed system call in the commit or recovery path.
struct StepError: Error {
    var path: String
    var message: String
}

/// The file system steps of a transaction, each one a failpoint (`Failpoint`).
enum Step {
    static func fail(_ path: String, _ what: String, _ err: Int32) -> StepError {
        StepError(path: path, message: "cannot \(what): \(String(cString: strerror(err)))")
    }

    /// Writes `bytes` to a new file `path` (O_EXCL) with `mode`, and fsyncs it.
    static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t, scope: Failpoint.Scope, target: String? = nil) throws {
        let action = Failpoint.reach(.write, scope, path)
        if action == .error { throw fail(target ?? path, "write", EIO) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw fail(target ?? path, "create a temporary file beside it", errno) }
        var err: Int32 = 0
        let count = action == .torn ? bytes.count / 2 : bytes.count
        bytes.withUnsafeBytes { raw in
            var off = 0
            while off < count {
                let n = Foundation.write(fd, raw.baseAddress! + off, count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    err = errno
                    break
                }
                if n == 0 { err = EIO; break }
                off += n
            }
        }
        if action == .torn { fsync(fd); Failpoint.crash() }
        if err == 0 && fchmod(fd, mode) != 0 { err = errno }
        if err == 0 && action == .kill { Failpoint.crash() }
        if err == 0 {
            let sync = Failpoint.reach(.fsync, scope, path)
            if sync == .error { err = EIO } else if fsync(fd) != 0 { err = errno }
            if err == 0 && (sync == .kill || sync == .torn) { Failpoint.crash() }
        }
        close(fd)
        if err != 0 { sysUnlink(path); throw fail(target ?? path, "write", err) }
    }

    static func rename(_ from: String, _ to: String, scope: Failpoint.Scope) throws {
        let action = Failpoint.reach(.rename, scope, "\(from) -> \(to)")
        if action == .error { throw fail(to, "replace the file", EIO) }
        if sysRename(from, to) != 0 { throw fail(to, "replace the file", errno) }
        if action == .kill || action == .torn { Failpoint.crash() }
    }

    static func unlink(_ path: String, scope: Failpoint.Scope) throws {
        let action = Failpoint.reach(.unlink, scope, path)
        if action == .error { throw fail(path, "delete", EIO) }
        if sysUnlink(path) != 0 && errno != ENOENT { throw fail(path, "delete", errno) }
        if action == .kill || action == .torn { Failpoint.crash() }
    }

    static func mkdir(_ path: String, scope: Failpoint.Scope) throws {
        let action = Failpoint.reach(.mkdir, scope, path)
        if action == .error { throw fail(path, "create the folder", EIO) }
        if sysMkdir(path, 0o755) != 0 && errno != EEXIST { throw fail(path, "create the folder", errno) }
        if action == .kill || action == .torn { Failpoint.crash() }
    }

    /// Makes the entries of a folder durable (new, renamed and deleted names).
    static func fsyncFolder(_ path: String, scope: Failpoint.Scope) throws {
        let action = Failpoint.reach(.fsync, scope, path + "/")
        if action == .error { throw fail(path, "flush the folder", EIO) }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        guard fd >= 0 else { throw fail(path, "open the folder", errno) }
        defer { close(fd) }
        // Some file systems cannot fsync a folder (EINVAL); their renames are as durable as they get.
        if fsync(fd) != 0 && errno != EINVAL && errno != EROFS { throw fail(path, "flush the folder", errno) }
        if action == .kill || action == .torn { Failpoint.crash() }
    }

    static func fsyncFolderQuietly(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}

/// The journal of a transaction: a small text file.
///
/// ```
/// kg-journal 1
/// state commit
/// mkdir readings
/// pair readings/.paper.kg.kgtmp-1a2b3c4d\treadings/paper.kg
/// end <SHA-256 of the lines above>
/// ```
/// Paths inside the transaction folder are relative to it, others absolute; `\`, tab, CR and LF in
/// paths are written as `\\`, `\t`, `\r`, `\n`.
struct Journal: Equatable {
    enum State: String { case prepare, commit }
    var state: State
    var made: [String]
    var pairs: [(temp: String, target: String)]

    static func == (a: Journal, b: Journal) -> Bool {
        a.state == b.state && a.made == b.made && a.pairs.map(\.temp) == b.pairs.map(\.temp)
            && a.pairs.map(\.target) == b.pairs.map(\.target)
    }

    func encoded(folder: String) -> [UInt8] {
        func rel(_ p: String) -> String {
            var r = p
            if p.hasPrefix(folder + "/") {
                let rest = String(p.dropFirst(folder.count + 1))
                if !rest.isEmpty && !rest.hasPrefix("/") { r = rest }
            }
            return Journal.escape(r)
        }
        var s = "kg-journal 1\nstate \(state.rawValue)\n"
        for d in made { s += "mkdir \(rel(d))\n" }
        for p in pairs { s += "pair \(rel(p.temp))\t\(rel(p.target))\n" }
        let body = Array(s.utf8)
        return body + Array("end \(SHA256.hex(of: body))\n".utf8)
    }

    enum DecodeError: Error { case damaged(String) }

    static func decode(_ bytes: [UInt8], folder: String) throws -> Journal {
        guard let endLine = bytes.dropLast().lastIndex(of: 0x0A).map({ $0 + 1 }), bytes.last == 0x0A else {
            throw DecodeError.damaged("it is truncated")
        }
        let body = Array(bytes[..<endLine])
        let end = String(decoding: bytes[endLine..<(bytes.count - 1)], as: UTF8.self)
        guard end == "end " + SHA256.hex(of: body) else { throw DecodeError.damaged("its checksum does not match") }
        func abs(_ p: String) -> String { p.hasPrefix("/") ? p : folder + "/" + p }
        var state: State?
        var made: [String] = []
        var pairs: [(String, String)] = []
        let lines = String(decoding: body, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.first == "kg-journal 1" else { throw DecodeError.damaged("it is not a version 1 journal") }
        for line in lines.dropFirst() {
            if line.hasPrefix("state ") {
                state = State(rawValue: String(line.dropFirst(6)))
            } else if line.hasPrefix("mkdir ") {
                made.append(abs(unescape(line.dropFirst(6))))
            } else if line.hasPrefix("pair ") {
                let parts = line.dropFirst(5).split(separator: "\t", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw DecodeError.damaged("a pair line has no tab") }
                pairs.append((abs(unescape(parts[0])), abs(unescape(parts[1]))))
            } else {
                throw DecodeError.damaged("unknown line '\(line.prefix(40))'")
            }
        }
        guard let state else { throw DecodeError.damaged("it has no state") }
        for (t, _) in pairs where !(t as NSString).lastPathComponent.contains(GraphTransaction.tempMarker) {
            throw DecodeError.damaged("'\(t)' is not a temporary file name")
        }
        return Journal(state: state, made: made, pairs: pairs)
    }

    static func escape(_ s: String) -> String {
        var o = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": o += "\\\\"
            case "\t": o += "\\t"
            case "\n": o += "\\n"
            case "\r": o += "\\r"
            default: o.unicodeScalars.append(c)
            }
        }
        return o
    }

    static func unescape(_ s: Substring) -> String {
        var o = ""
        var esc = false
        for c in s.unicodeScalars {
            if esc {
                switch c {
                case "t": o += "\t"
                case "n": o += "\n"
                case "r": o += "\r"
                default: o.unicodeScalars.append(c)
                }
                esc = false
            } else if c == "\\" {
                esc = true
            } else {
                o.unicodeScalars.append(c)
            }
        }
        return o
    }

    /// Writes the journal of `folder` through `.kg.journal.new` (write, fsync, rename, fsync folder).
    static func write(_ j: Journal, in folder: String, scope: Failpoint.Scope, onRenamed: () -> Void = {}) throws {
        let tmp = folder + "/" + GraphTransaction.journalTempName
        sysUnlink(tmp)
        try Step.writeFile(tmp, j.encoded(folder: folder), mode: 0o644, scope: scope)
        try Step.rename(tmp, folder + "/" + GraphTransaction.journalName, scope: scope)
        onRenamed()
        try Step.fsyncFolder(folder, scope: scope)
    }

    /// Reads the journal of `folder`: nil when there is none.
    static func read(folder: String) throws -> Journal? {
        let path = folder + "/" + GraphTransaction.journalName
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw DecodeError.damaged("cannot open it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw DecodeError.damaged("cannot read it: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += buf[0..<n]
            if bytes.count > 64 << 20 { throw DecodeError.damaged("it is larger than 64 MiB") }
        }
        return try decode(bytes, folder: folder)
    }
}

/// Finishes or undoes a save that was interrupted (see `GraphTransaction`).
public enum GraphRecovery {
    /// Where recovery reports what it did (one line each time it finishes or undoes a save).
    /// Default: standard error.
    nonisolated(unsafe) public static var log: (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Whether `directory` has an interrupted save (a journal) right now.
    public static func hasJournal(directory: String) -> Bool {
        var st = stat()
        return lstat(directory + "/" + GraphTransaction.journalName, &st) == 0
            || lstat(directory + "/" + GraphTransaction.journalTempName, &st) == 0
    }

    /// Rolls an interrupted save of the graph folder `directory` forward (it had reached its commit
    /// point) or back (it had not), and removes its temporary files. Returns errors when the folder
    /// holds an interrupted save that cannot be recovered (e.g. no write permission); a graph
    /// loaded in that state would be a mix of old and new files.
    @discardableResult
    public static func recover(directory: String) -> [Diagnostic] {
        guard hasJournal(directory: directory) else { return [] }
        guard let folder = GraphWriteLock.canonicalPath(GraphWriteLock.absolutePath(directory)) else { return [] }
        let jpath = folder + "/" + GraphTransaction.journalName
        func problem(_ m: String) -> [Diagnostic] {
            [Diagnostic(.error, m, file: jpath, code: "recovery")]
        }
        let journal: Journal?
        do { journal = try Journal.read(folder: folder) } catch Journal.DecodeError.damaged(let why) {
            return problem("the journal of an interrupted save is damaged (\(why)); the graph files may be a mix of old and new. Compare the .kgtmp files listed in it with their targets, keep the right ones, then delete \(jpath)")
        } catch { return problem("\(error)") }

        if let j = journal, j.state == .commit {
            // Past the commit point: finish it, under the exclusive commit lock.
            do {
                var cl = try CommitLock.take(folder, exclusive: true)
                defer { cl.release() }
                guard let again = try Journal.read(folder: folder), again.state == .commit else { return [] }
                let held = GraphTransaction.blockSignals()
                defer { GraphTransaction.restoreSignals(held) }
                try rollForward(again, folder: folder, scope: .recover)
                try Step.unlink(folder + "/" + GraphTransaction.journalTempName, scope: .recover)
                try Step.unlink(jpath, scope: .recover)
                try Step.fsyncFolder(folder, scope: .recover)
                log("kg: finished an interrupted save in \(directory) (\(again.pairs.count) file\(again.pairs.count == 1 ? "" : "s"))")
                return []
            } catch let e as StepError {
                return problem("an interrupted save could not be finished: \(e.path): \(e.message). The graph files are a mix of old and new until it is; run kg again with write permission on \(directory)")
            } catch let e as LockError {
                return problem("an interrupted save could not be finished: \(e.description)")
            } catch Journal.DecodeError.damaged(let why) {
                return problem("the journal of an interrupted save is damaged (\(why))")
            } catch {
                return problem("\(error)")
            }
        }

        // Before the commit point (or only a half-written journal): undo it, unless a live writer
        // owns it. The files of the graph are all old either way.
        var ownLock: GraphWriteLock? = nil
        defer { ownLock?.release() }
        if !GraphWriteLock.isHeldByCurrentThread(canonical: folder) {
            guard let l = try? GraphWriteLock.acquire(directory: folder, wait: .noWait) else { return [] }
            ownLock = l
        }
        do {
            let again = try Journal.read(folder: folder)
            if let j = again, j.state == .commit {
                return recover(directory: directory)
            }
            if let j = again {
                for p in j.pairs { try Step.unlink(p.temp, scope: .recover) }
                for d in j.made.reversed() { rmdir(d) }
            }
            try Step.unlink(folder + "/" + GraphTransaction.journalTempName, scope: .recover)
            try Step.unlink(jpath, scope: .recover)
            try Step.fsyncFolder(folder, scope: .recover)
            if let j = again {
                log("kg: rolled back an interrupted save in \(directory) (\(j.pairs.count) temporary file\(j.pairs.count == 1 ? "" : "s") removed; the graph is as it was before it)")
            }
            return []
        } catch let e as StepError {
            return [Diagnostic(.warning, "could not clean up an interrupted save: \(e.path): \(e.message)", file: jpath, code: "recovery")]
        } catch Journal.DecodeError.damaged(let why) {
            return problem("the journal of an interrupted save is damaged (\(why))")
        } catch {
            return problem("\(error)")
        }
    }

    /// Renames every temporary file of a committed journal over its target (those already renamed
    /// are gone) and fsyncs the folders. Idempotent.
    static func rollForward(_ j: Journal, folder: String, scope: Failpoint.Scope) throws {
        var folders: [String] = []
        for p in j.pairs {
            var st = stat()
            if lstat(p.temp, &st) == 0 {
                try Step.rename(p.temp, p.target, scope: scope)
            }
            let d = (p.target as NSString).deletingLastPathComponent
            if !folders.contains(d) { folders.append(d) }
        }
        for d in folders { try Step.fsyncFolder(d, scope: scope) }
    }
}

/// A consistent view of a graph folder for a loader: created at the start of a load, it finishes
/// or undoes an interrupted save (`GraphRecovery`), then holds the folder's commit lock shared, so
/// that no save commits while the files are read; `end()` releases it.
///
/// ```swift
/// let snapshot = GraphSnapshot(directory: dir); defer { snapshot.end() }
/// diagnostics += snapshot.diagnostics   // errors: an interrupted save that could not be recovered
/// ```
public final class GraphSnapshot {
    /// Errors (and warnings) of recovery; with an error, the files may be a mix of old and new.
    public private(set) var diagnostics: [Diagnostic] = []
    private var lock = CommitLock()

    public init(directory: String) {
        for _ in 0..<4 {
            diagnostics = GraphRecovery.recover(directory: directory)
            if diagnostics.contains(where: \.isError) { return }
            do {
                lock = try CommitLock.take(directory, exclusive: false)
            } catch {
                // A folder that cannot be opened is reported by the loader itself; a commit lock held
                // past the timeout (a stopped writer) is reported here.
                if let e = error as? LockError, case .timedOut = e.reason {
                    diagnostics.append(Diagnostic(.error, e.description, file: directory, code: "recovery"))
                }
                return
            }
            // Under the shared lock no commit is running: a commit journal now was left by a dead writer.
            var st = stat()
            if lstat(directory + "/" + GraphTransaction.journalName, &st) != 0 { return }
            if let j = try? Journal.read(folder: GraphWriteLock.canonicalPath(directory) ?? directory), j.state == .prepare { return }
            lock.release()
        }
        diagnostics.append(Diagnostic(.error, "the graph folder keeps being changed while it is read; try again", file: directory, code: "recovery"))
    }

    /// Releases the shared commit lock.
    public func end() { lock.release() }

    deinit { lock.release() }
}
