import Foundation
import KGCore
import PropertyBased
import Testing

@testable import KGFormat

#if canImport(Glibc)
import Glibc
#endif

/// Every regular file under `dir` (relative path → bytes), the lock file and the cache excluded.
func folderState(_ dir: String) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    let fm = FileManager.default
    guard let e = fm.enumerator(atPath: dir) else { return out }
    while let rel = e.nextObject() as? String {
        if rel == GraphWriteLock.lockFileName || rel.hasPrefix(".kgcache") { continue }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
            out[rel] = [UInt8](fm.contents(atPath: dir + "/" + rel) ?? Data())
        }
    }
    return out
}

/// Sub-folders of `dir` (relative paths).
func folders(_ dir: String) -> Set<String> {
    var out = Set<String>()
    let fm = FileManager.default
    guard let e = fm.enumerator(atPath: dir) else { return out }
    while let rel = e.nextObject() as? String {
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir), isDir.boolValue { out.insert(rel) }
    }
    return out
}

/// Runs `body` on a new thread and waits for it (a thread other than the test's).
func onOtherThread<T>(_ body: @escaping () -> T) -> T {
    var result: T? = nil
    let done = DispatchSemaphore(value: 0)
    let t = Thread { result = body(); done.signal() }
    t.start()
    done.wait()
    return result!
}

@Suite(.serialized) struct TransactionTests {
    /// A small graph folder of three files.
    static func graphFolder() throws -> String {
        let dir = tempDir()
        try "kind Concept\nrelation R  Concept -> Concept\n".write(toFile: dir + "/schema.kg", atomically: true, encoding: .utf8)
        try "concept a \"A\" : Concept\n".write(toFile: dir + "/a.kg", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try "concept b \"B\" : Concept\na -R-> b\n".write(toFile: dir + "/sub/b.kg", atomically: true, encoding: .utf8)
        return dir
    }

    /// The new content of a three-file save: two replaced files and one in a new folder.
    static func newFiles(_ dir: String) -> [(path: String, bytes: [UInt8])] {
        [(dir + "/a.kg", Array("concept a \"A2\" : Concept\n".utf8)),
         (dir + "/sub/b.kg", Array("concept b \"B2\" : Concept\na -R-> b\n".utf8)),
         (dir + "/new/c.kg", Array("concept c \"C\" : Concept\nc -R-> a\n".utf8))]
    }

    @Test func writeAllCommitsEveryFileAndLeavesNothingBehind() throws {
        let dir = try Self.graphFolder()
        let files = Self.newFiles(dir)
        try AtomicWrite.writeAll(files)
        let state = folderState(dir)
        for f in files { #expect(state[String(f.path.dropFirst(dir.count + 1))] == f.bytes) }
        #expect(state.count == 4)  // schema, a, sub/b, new/c: no journal, no temporary file
        #expect(!state.keys.contains { $0.contains(".kgtmp-") || $0.contains(".kg.journal") })
        let loaded = GraphLoader.load(directory: dir)
        #expect(!loaded.hasErrors)
        #expect(loaded.graph.nodeCount == 3)
    }

    @Test func newFilesGetDefaultModeAndReplacedFilesKeepTheirs() throws {
        let dir = try Self.graphFolder()
        chmod(dir + "/a.kg", 0o600)
        try AtomicWrite.writeAll(Self.newFiles(dir))
        var st = stat()
        stat(dir + "/a.kg", &st)
        #expect(st.st_mode & 0o777 == 0o600)
        stat(dir + "/new/c.kg", &st)
        #expect(st.st_mode & 0o777 == 0o644)
    }

    /// An I/O error at any step: before the commit point the save fails with nothing changed; from
    /// the commit point on the save stands (the failed step is retried, else left to recovery).
    @Test func ioErrorAtEveryStepLeavesTheOldOrTheNewFiles() throws {
        var logged: [String] = []
        let saved = GraphRecovery.log
        GraphRecovery.log = { logged.append($0) }
        defer { GraphRecovery.log = saved }
        var outcomes: [String] = []
        for k in 1...200 {
            let dir = try Self.graphFolder()
            let before = folderState(dir), beforeFolders = folders(dir)
            let files = Self.newFiles(dir)
            Failpoint.arm(Failpoint.Spec(scope: .commit, op: .step, k: k, action: .error))
            var failed: EditError? = nil
            do { try AtomicWrite.writeAll(files) } catch let e as EditError { failed = e }
            let fired = Failpoint.fired
            Failpoint.arm(nil)
            guard fired else { #expect(failed == nil); break }  // past the last step
            let loaded = GraphLoader.load(directory: dir)
            #expect(!loaded.hasErrors, "step \(k): \(loaded.diagnostics)")
            let after = folderState(dir)
            if let err = failed {
                #expect(err.message.hasSuffix("nothing written"), "step \(k): \(err)")
                #expect(after == before, "step \(k): \(after.keys.sorted())")
                #expect(folders(dir) == beforeFolders, "step \(k): a folder made for the save is left")
                outcomes.append("old")
            } else {
                for f in files { #expect(after[String(f.path.dropFirst(dir.count + 1))] == f.bytes, "step \(k)") }
                #expect(after.count == 4, "step \(k): \(after.keys.sorted())")
                outcomes.append("new")
            }
        }
        #expect(outcomes.count > 20, "the save has fewer steps than expected: \(outcomes.count)")
        // Old up to the commit point, new from it on: one switch, never back.
        let firstNew = outcomes.firstIndex(of: "new") ?? outcomes.count
        #expect(outcomes[..<firstNew].allSatisfy { $0 == "old" } && outcomes[firstNew...].allSatisfy { $0 == "new" }, "\(outcomes)")
        #expect(firstNew > 0 && firstNew < outcomes.count)
        #expect(logged.isEmpty, "a single failed step after the commit point is retried at once: \(logged)")
    }

    @Test func stepsFailingTwiceAfterTheCommitPointAreLeftToRecovery() throws {
        var logged: [String] = []
        let saved = GraphRecovery.log
        GraphRecovery.log = { logged.append($0) }
        defer { GraphRecovery.log = saved }
        let dir = try Self.graphFolder()
        let files = Self.newFiles(dir)
        // Rename 2 is the commit journal's; rename 3 (the first file) fails, and so does its retry.
        Failpoint.arm(.init(scope: .commit, op: .rename, k: 3, action: .error), .init(scope: .commit, op: .rename, k: 4, action: .error))
        defer { Failpoint.arm(nil) }
        try AtomicWrite.writeAll(files)
        Failpoint.arm(nil)
        #expect(logged.count == 1 && logged[0].contains("the save is committed"), "\(logged)")
        #expect(FileManager.default.fileExists(atPath: dir + "/.kg.journal"))
        let loaded = GraphLoader.load(directory: dir)
        #expect(!loaded.hasErrors)
        let state = folderState(dir)
        for f in files { #expect(state[String(f.path.dropFirst(dir.count + 1))] == f.bytes) }
        #expect(state.count == 4)
        #expect(logged.count == 2 && logged[1].contains("finished an interrupted save"))
    }

    @Test func commitJournalIsRolledForwardOnLoad() throws {
        let dir = try Self.graphFolder()
        let files = Self.newFiles(dir)
        try FileManager.default.createDirectory(atPath: dir + "/new", withIntermediateDirectories: true)
        var pairs: [(String, String)] = []
        for (i, f) in files.enumerated() {
            let tmp = (f.path as NSString).deletingLastPathComponent + "/." + (f.path as NSString).lastPathComponent + ".kgtmp-0000000\(i)"
            try Data(f.bytes).write(to: URL(fileURLWithPath: tmp))
            pairs.append((tmp, f.path))
        }
        // The first file was already renamed when the writer died.
        rename(pairs[0].0, pairs[0].1)
        let j = Journal(state: .commit, made: [dir + "/new"], pairs: pairs)
        try Data(j.encoded(folder: dir)).write(to: URL(fileURLWithPath: dir + "/.kg.journal"))
        var logged: [String] = []
        let saved = GraphRecovery.log
        GraphRecovery.log = { logged.append($0) }
        defer { GraphRecovery.log = saved }
        let loaded = GraphLoader.load(directory: dir)
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        #expect(loaded.graph.nodeCount == 3)
        let state = folderState(dir)
        for f in files { #expect(state[String(f.path.dropFirst(dir.count + 1))] == f.bytes) }
        #expect(state.count == 4, "\(state.keys.sorted())")
        #expect(logged.count == 1 && logged[0].contains("finished an interrupted save"))
    }

    @Test func prepareJournalIsRolledBack() throws {
        let dir = try Self.graphFolder()
        let before = folderState(dir), beforeFolders = folders(dir)
        try FileManager.default.createDirectory(atPath: dir + "/new", withIntermediateDirectories: true)
        let tmp1 = dir + "/.a.kg.kgtmp-00000001", tmp2 = dir + "/new/.c.kg.kgtmp-00000002"
        try Data("half a fi".utf8).write(to: URL(fileURLWithPath: tmp1))
        let j = Journal(state: .prepare, made: [dir + "/new"], pairs: [(tmp1, dir + "/a.kg"), (tmp2, dir + "/new/c.kg")])
        try Data(j.encoded(folder: dir)).write(to: URL(fileURLWithPath: dir + "/.kg.journal"))
        // A commit journal half written over it.
        try Data("kg-journal 1\nstate comm".utf8).write(to: URL(fileURLWithPath: dir + "/.kg.journal.new"))
        let saved = GraphRecovery.log
        GraphRecovery.log = { _ in }
        defer { GraphRecovery.log = saved }
        let loaded = GraphLoader.load(directory: dir)
        #expect(!loaded.hasErrors)
        #expect(folderState(dir) == before)
        #expect(folders(dir) == beforeFolders)
    }

    @Test func prepareJournalOfALiveWriterIsLeftAlone() throws {
        let dir = try Self.graphFolder()
        let tmp = dir + "/.a.kg.kgtmp-00000001"
        try Data("being written".utf8).write(to: URL(fileURLWithPath: tmp))
        let j = Journal(state: .prepare, made: [], pairs: [(tmp, dir + "/a.kg")])
        try Data(j.encoded(folder: dir)).write(to: URL(fileURLWithPath: dir + "/.kg.journal"))
        let lock = try GraphWriteLock.acquire(directory: dir)
        // Another thread loads while this one holds the writer lock: it reads the old files and
        // leaves the live writer's temporary file and journal alone.
        let loaded = onOtherThread { GraphLoader.load(directory: dir) }
        #expect(!loaded.hasErrors)
        #expect(FileManager.default.fileExists(atPath: tmp))
        #expect(FileManager.default.fileExists(atPath: dir + "/.kg.journal"))
        lock.release()
        let saved = GraphRecovery.log
        GraphRecovery.log = { _ in }
        defer { GraphRecovery.log = saved }
        _ = GraphLoader.load(directory: dir)
        #expect(!FileManager.default.fileExists(atPath: tmp))
        #expect(!FileManager.default.fileExists(atPath: dir + "/.kg.journal"))
    }

    @Test func damagedJournalIsAnErrorNamingIt() throws {
        let dir = try Self.graphFolder()
        let key = try GraphCache.fingerprint(directory: URL(fileURLWithPath: dir))
        #expect(try GraphCache.store(GraphLoader.load(directory: dir), fingerprint: key))
        #expect(GraphCache.load(directory: dir) != nil)
        let j = Journal(state: .commit, made: [], pairs: [(dir + "/.a.kg.kgtmp-00000001", dir + "/a.kg")])
        var bytes = j.encoded(folder: dir)
        bytes[20] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/.kg.journal"))
        let loaded = GraphLoader.load(directory: dir)
        #expect(loaded.hasErrors)
        let d = loaded.diagnostics.first { $0.code == "recovery" }
        #expect(d?.file.hasSuffix("/.kg.journal") == true)
        #expect(d?.message.contains("damaged") == true)
        // The cache path does not serve a graph in that state either.
        #expect(GraphCache.load(directory: dir) == nil)
    }

    @Test func journalRoundTripsAnyPath() async {
        let chars: [Character] = ["a", "/", "\\", "\t", "\n", "\r", " ", "é", "t", "n", "."]
        await propertyCheck(count: 200, input: Gen.int(in: 0...(chars.count - 1)).array(of: 1...12), Gen.bool()) { idx, commit in
            let name = String(idx.map { chars[$0] })
            let folder = "/g"
            let j = Journal(state: commit ? .commit : .prepare, made: ["/g/" + name, "/elsewhere/" + name],
                            pairs: [("/g/x/." + name + ".kgtmp-01234567", "/g/x/" + name),
                                    ("/r/." + name + ".kgtmp-89abcdef", "/r/" + name)])
            let back = try? Journal.decode(j.encoded(folder: folder), folder: folder)
            #expect(back == j)
        }
    }

    @Test func symlinkedTargetIsWrittenThroughAndOddTargetsAreRefused() throws {
        let dir = try Self.graphFolder()
        let real = tempDir() + "/real.kg"
        try "concept r \"R\" : Concept\n".write(toFile: real, atomically: true, encoding: .utf8)
        symlink(real, dir + "/link.kg")
        try AtomicWrite.write("concept r \"R2\" : Concept\n", to: dir + "/link.kg")
        #expect(read(real) == "concept r \"R2\" : Concept\n")
        var st = stat()
        lstat(dir + "/link.kg", &st)
        #expect(st.st_mode & S_IFMT == S_IFLNK)

        mkfifo(dir + "/fifo.kg", 0o644)
        #expect(throws: EditError.self) { try AtomicWrite.write("x", to: dir + "/fifo.kg") }
        #expect(throws: EditError.self) { try AtomicWrite.write("x", to: dir + "/.kg.journal") }
        #expect(throws: EditError.self) { try AtomicWrite.writeAll([(dir + "/a.kg", [0x41]), (dir + "/./a.kg", [0x42])]) }
        #expect(read(dir + "/a.kg") == "concept a \"A\" : Concept\n")
    }

    // MARK: Locks

    @Test func secondWriterFailsFastOrTimesOutNamingTheHolder() throws {
        let dir = try Self.graphFolder()
        let lock = try GraphWriteLock.acquire(directory: dir)
        #expect(GraphWriteLock.holder(directory: dir)?.pid == getpid())
        let busy = onOtherThread { () -> LockError? in
            do { _ = try GraphWriteLock.acquire(directory: dir, wait: .noWait); return nil } catch { return error as? LockError }
        }
        #expect(busy?.reason == .busy)
        #expect(busy?.holder?.pid == getpid())
        #expect(busy?.description.contains("pid \(getpid())") == true)
        let start = Date()
        var waitedFor: [LockHolder?] = []
        let timedOut = onOtherThread { () -> LockError? in
            do {
                _ = try GraphWriteLock.acquire(directory: dir, wait: .seconds(0.3), onWait: { waitedFor.append($0) })
                return nil
            } catch { return error as? LockError }
        }
        #expect(Date().timeIntervalSince(start) >= 0.3)
        #expect(timedOut?.reason == .timedOut(seconds: 0.3))
        #expect(waitedFor.count == 1 && waitedFor[0]?.pid == getpid())
        lock.release()
        #expect(GraphWriteLock.holder(directory: dir) == nil)
        let again = try GraphWriteLock.acquire(directory: dir, wait: .noWait)
        again.release()
    }

    @Test func waitingWriterGetsTheLockWhenItIsReleased() throws {
        let dir = try Self.graphFolder()
        let lock = try GraphWriteLock.acquire(directory: dir)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { lock.release() }
        let got = onOtherThread { () -> Bool in
            guard let l = try? GraphWriteLock.acquire(directory: dir, wait: .seconds(30)) else { return false }
            l.release()
            return true
        }
        #expect(got)
    }

    @Test func writeAllUsesTheLockOfItsThreadAndWaitsForOthers() throws {
        let dir = try Self.graphFolder()
        // This thread holds the lock: writeAll journals in its folder without locking again.
        let lock = try GraphWriteLock.acquire(directory: dir)
        try AtomicWrite.write("concept a \"A3\" : Concept\n", to: dir + "/a.kg")
        // Another thread's writeAll waits for this thread's lock.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { lock.release() }
        let ok = onOtherThread { () -> Bool in
            (try? AtomicWrite.write("concept a \"A4\" : Concept\n", to: dir + "/a.kg")) != nil
        }
        #expect(ok)
        #expect(read(dir + "/a.kg") == "concept a \"A4\" : Concept\n")
        // A released lock passed explicitly is refused.
        #expect(throws: EditError.self) { try AtomicWrite.writeAll([(dir + "/a.kg", [0x41])], holding: lock) }
    }

    @Test func noCommitWhileALoaderReadsTheFolder() throws {
        let dir = try Self.graphFolder()
        let snapshot = GraphSnapshot(directory: dir)
        #expect(snapshot.diagnostics.isEmpty)
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? AtomicWrite.write("concept a \"A5\" : Concept\n", to: dir + "/a.kg")
            done.signal()
        }.start()
        // The writer cannot pass its commit point while the snapshot is held.
        #expect(done.wait(timeout: .now() + 0.5) == .timedOut)
        #expect(read(dir + "/a.kg") == "concept a \"A\" : Concept\n")
        snapshot.end()
        done.wait()
        #expect(read(dir + "/a.kg") == "concept a \"A5\" : Concept\n")
    }

    @Test func failpointSpecParses() {
        #expect(Failpoint.parse("rename:2") == .init(scope: .commit, op: .rename, k: 2, action: .kill))
        #expect(Failpoint.parse("recover.step:5:error") == .init(scope: .recover, op: .step, k: 5, action: .error))
        #expect(Failpoint.parse("write:1:torn") == .init(scope: .commit, op: .write, k: 1, action: .torn))
        #expect(Failpoint.parse("rename:1:torn") == nil)
        #expect(Failpoint.parse("rename:0") == nil)
        #expect(Failpoint.parse("flush:1") == nil)
    }
}
