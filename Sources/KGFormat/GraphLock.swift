import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who holds a graph folder's writer lock, as its holder recorded it in the lock file.
public struct LockHolder: Equatable, Sendable, CustomStringConvertible {
    public var pid: Int32
    public var command: String
    /// ISO 8601, UTC.
    public var since: String

    public var description: String {
        var s = "pid \(pid)"
        if !command.isEmpty { s += ", `\(command)`" }
        if !since.isEmpty { s += ", since \(since)" }
        return s
    }

    static func parse(_ text: String) -> LockHolder? {
        var pid: Int32?
        var command = "", since = ""
        for line in text.split(separator: "\n") {
            if line.hasPrefix("pid ") { pid = Int32(line.dropFirst(4)) }
            else if line.hasPrefix("command ") { command = String(line.dropFirst(8)) }
            else if line.hasPrefix("since ") { since = String(line.dropFirst(6)) }
        }
        return pid.map { LockHolder(pid: $0, command: command, since: since) }
    }
}

/// Why a lock could not be taken.
public struct LockError: Error, CustomStringConvertible, Equatable {
    public enum Reason: Equatable, Sendable {
        /// Another writer holds the lock and the caller chose not to wait.
        case busy
        /// Another writer held the lock for the whole wait.
        case timedOut(seconds: Double)
        /// The lock file or folder could not be opened or locked.
        case io(String)
    }
    public var directory: String
    public var reason: Reason
    public var holder: LockHolder?

    public var description: String {
        let who = holder.map { " (\($0))" } ?? ""
        switch reason {
        case .busy:
            return "\(directory) is being written by another kg process\(who); nothing was done (drop --no-wait to wait for it)"
        case .timedOut(let s):
            return "gave up after waiting \(Self.seconds(s)) for another kg process writing \(directory)\(who); nothing was done (--lock-timeout sets the wait)"
        case .io(let m):
            return "cannot lock \(directory) for writing: \(m)"
        }
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }
}

/// The exclusive writer lock of a graph folder: an advisory `flock` on `<folder>/.kg.lock`, held
/// for a whole read-modify-write (load, change, save). At most one writer holds it at a time, in
/// this process or any other; readers never take it. The kernel releases it when the holder exits,
/// however it exits, so a lock is never left stale. The lock file stays in the folder (deleting it
/// would let two writers lock two different files); it records the holder's pid and command so
/// that a waiting writer can say whom it waits for.
///
/// Every writer of a graph folder (the kg commands, a server, a script using the library) holds this
/// lock around its read-modify-write, and writes through `AtomicWrite.writeAll`, which commits the
/// files as one journaled transaction (`GraphTransaction`) in the folder of the lock held by the
/// calling thread. Each `acquire` opens the lock file anew, so two threads of one process exclude
/// each other as two processes do; `acquire` is therefore not reentrant: a thread that already holds
/// the lock of a folder must not acquire it again (it would wait for itself until the timeout).
public final class GraphWriteLock: @unchecked Sendable {
    /// How long `acquire` waits for another writer.
    public enum Wait: Equatable, Sendable {
        /// Fail at once with `LockError.Reason.busy`.
        case noWait
        /// Wait up to this many seconds, then fail with `.timedOut`.
        case seconds(Double)
    }

    /// The default wait of the command line (`--lock-timeout`).
    public static let defaultWaitSeconds: Double = 600

    public static let lockFileName = ".kg.lock"

    /// The locked folder, as given (made absolute).
    public let directory: String
    /// The folder's canonical path (symlinks resolved), which identifies it.
    public let canonicalDirectory: String
    private var fd: Int32
    let owner: pthread_t

    private init(directory: String, canonical: String, fd: Int32) {
        self.directory = directory
        self.canonicalDirectory = canonical
        self.fd = fd
        self.owner = pthread_self()
    }

    deinit { release() }

    public var isHeld: Bool {
        Self.registryLock.lock(); defer { Self.registryLock.unlock() }
        return fd >= 0
    }

    /// Takes the writer lock of `directory` (which must exist). When another writer holds it, calls
    /// `onWait` once with what the lock file says about that writer, then waits as `wait` allows.
    public static func acquire(directory: String, wait: Wait = .seconds(defaultWaitSeconds),
                               onWait: ((LockHolder?) -> Void)? = nil) throws -> GraphWriteLock {
        let abs = absolutePath(directory)
        guard let canonical = canonicalPath(abs) else {
            throw LockError(directory: directory, reason: .io("the folder does not exist"), holder: nil)
        }
        var st = stat()
        guard stat(canonical, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw LockError(directory: directory, reason: .io("not a folder"), holder: nil)
        }
        let path = canonical + "/" + lockFileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw LockError(directory: directory, reason: .io("\(path): \(String(cString: strerror(errno)))"), holder: nil)
        }
        let start = Date()
        var told = false
        var delay: useconds_t = 2_000
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { break }
            let err = errno
            if err == EINTR { continue }
            guard err == EWOULDBLOCK || err == EAGAIN else {
                close(fd)
                throw LockError(directory: directory, reason: .io("flock: \(String(cString: strerror(err)))"), holder: nil)
            }
            let holder = readHolder(fd)
            switch wait {
            case .noWait:
                close(fd)
                throw LockError(directory: directory, reason: .busy, holder: holder)
            case .seconds(let limit):
                let waited = Date().timeIntervalSince(start)
                if waited >= limit {
                    close(fd)
                    throw LockError(directory: directory, reason: .timedOut(seconds: limit), holder: holder)
                }
                if !told { told = true; onWait?(holder) }
                usleep(min(delay, useconds_t(max(1_000, (limit - waited) * 1e6))))
                delay = min(delay * 2, 50_000)
            }
        }
        // Record who holds the lock, for writers that come to wait.
        var info = "pid \(getpid())\n"
        let cmd = CommandLine.arguments.map { ($0 as NSString).lastPathComponent == "kg" ? "kg" : $0 }
            .joined(separator: " ").replacingOccurrences(of: "\n", with: " ")
        info += "command \(cmd.count > 200 ? String(cmd.prefix(200)) + "…" : cmd)\n"
        info += "since \(iso8601(Date()))\n"
        _ = ftruncate(fd, 0)
        _ = info.withCString { pwrite(fd, $0, strlen($0), 0) }
        let lock = GraphWriteLock(directory: abs, canonical: canonical, fd: fd)
        registryLock.lock()
        registry.append(Entry(lock: lock))
        registryLock.unlock()
        return lock
    }

    /// Releases the lock (also done when the object goes away or the process exits).
    public func release() {
        Self.registryLock.lock()
        let f = fd
        fd = -1
        Self.registry.removeAll { $0.lock === self || $0.lock == nil }
        Self.registryLock.unlock()
        if f >= 0 {
            _ = ftruncate(f, 0)
            flock(f, LOCK_UN)
            close(f)
        }
    }

    /// Takes the writer lock of `directory` (as `acquire`), then finishes or undoes an interrupted
    /// save there before anything reads the files (`GraphRecovery.recover`). Returns the lock and
    /// the recovery's errors: when there are any, the files must not be read (the caller keeps or
    /// releases the lock).
    public static func acquireForWriting(directory: String, wait: Wait = .seconds(defaultWaitSeconds),
                                         onWait: ((LockHolder?) -> Void)? = nil) throws -> (lock: GraphWriteLock, problems: [Diagnostic]) {
        let lock = try acquire(directory: directory, wait: wait, onWait: onWait)
        return (lock, GraphRecovery.recover(directory: directory).filter(\.isError))
    }

    /// Runs `body` holding the lock of `directory`.
    public static func withLock<T>(directory: String, wait: Wait = .seconds(defaultWaitSeconds),
                                   onWait: ((LockHolder?) -> Void)? = nil,
                                   _ body: (GraphWriteLock) throws -> T) throws -> T {
        let lock = try acquire(directory: directory, wait: wait, onWait: onWait)
        defer { lock.release() }
        return try body(lock)
    }

    /// What the lock file of `directory` says about its holder, if another process or thread holds
    /// the lock now (nil when the lock is free).
    public static func holder(directory: String) -> LockHolder? {
        guard let canonical = canonicalPath(absolutePath(directory)) else { return nil }
        let fd = open(canonical + "/" + lockFileName, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 { flock(fd, LOCK_UN); return nil }
        return readHolder(fd) ?? LockHolder(pid: 0, command: "", since: "")
    }

    // MARK: Which locks this process holds

    private struct Entry { weak var lock: GraphWriteLock? }
    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [Entry] = []

    /// The lock most recently taken by the calling thread and still held, if any.
    static func heldByCurrentThread() -> GraphWriteLock? {
        registryLock.lock(); defer { registryLock.unlock() }
        let me = pthread_self()
        return registry.reversed().compactMap(\.lock).first { $0.fd >= 0 && pthread_equal($0.owner, me) != 0 }
    }

    /// Whether the calling thread holds the lock of the folder with this canonical path.
    static func isHeldByCurrentThread(canonical: String) -> Bool {
        registryLock.lock(); defer { registryLock.unlock() }
        let me = pthread_self()
        return registry.contains { e in
            guard let l = e.lock else { return false }
            return l.fd >= 0 && l.canonicalDirectory == canonical && pthread_equal(l.owner, me) != 0
        }
    }

    // MARK: Helpers

    private static func readHolder(_ fd: Int32) -> LockHolder? {
        var buf = [UInt8](repeating: 0, count: 1024)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return LockHolder.parse(String(decoding: buf[0..<n], as: UTF8.self))
    }

    static func absolutePath(_ p: String) -> String {
        let url = p.hasPrefix("/") ? URL(fileURLWithPath: p)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(p)
        return url.standardizedFileURL.path
    }

    static func canonicalPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    static func iso8601(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}

/// The commit lock of a graph folder: `flock` on the folder itself. A committing writer holds it
/// exclusively from the moment its journal says "commit" until the journal is gone (the only time
/// the folder's files can be a mix of old and new); a loader holds it shared while it reads the
/// files. So a reader never sees half a commit, and a commit journal found under the shared lock
/// was left by a writer that died.
struct CommitLock {
    private(set) var fd: Int32 = -1

    /// Opens `directory` and locks it (`exclusive` or shared), waiting at most `timeout` seconds.
    static func take(_ directory: String, exclusive: Bool, timeout: Double = 120) throws -> CommitLock {
        let fd = open(directory, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        guard fd >= 0 else {
            throw LockError(directory: directory, reason: .io(String(cString: strerror(errno))), holder: nil)
        }
        let op = (exclusive ? LOCK_EX : LOCK_SH)
        let start = Date()
        var delay: useconds_t = 500
        while flock(fd, op | LOCK_NB) != 0 {
            let err = errno
            if err == EINTR { continue }
            guard err == EWOULDBLOCK || err == EAGAIN else {
                close(fd)
                throw LockError(directory: directory, reason: .io("flock: \(String(cString: strerror(err)))"), holder: nil)
            }
            if Date().timeIntervalSince(start) >= timeout {
                close(fd)
                throw LockError(directory: directory, reason: .timedOut(seconds: timeout),
                                holder: GraphWriteLock.holder(directory: directory))
            }
            usleep(delay)
            delay = min(delay * 2, 20_000)
        }
        return CommitLock(fd: fd)
    }

    mutating func release() {
        if fd >= 0 { flock(fd, LOCK_UN); close(fd); fd = -1 }
    }
}
