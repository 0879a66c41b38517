import Foundation
import KGCore
import KGFormat
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Crash safety and locking of the commands that write the graph, through the real `kg` binary:
/// a kill at every step of a multi-file save (the internal failpoint hook and strace's fault
/// injection), I/O errors at every step, a kill during recovery, two concurrent writers, and the
/// writer lock of every writing command. See docs/RELIABILITY.md.
@Suite(.serialized) struct CrashSafetyTests {
    struct Run {
        var status: Int32
        var killed: Bool
        var out: String
        var err: String
    }

    /// Runs `exe` (default: the built kg) with extra environment variables.
    static func run(_ args: [String], env: [String: String] = [:], exe: URL? = nil) throws -> Run? {
        guard let kg = QueryCLITests.kg else { print("SKIPPED: kg binary not found next to the test bundle"); return nil }
        let p = Process()
        p.executableURL = exe ?? kg
        p.arguments = exe == nil ? args : args.map { $0 == "$KG" ? kg.path : $0 }
        var e = ProcessInfo.processInfo.environment
        e["NO_COLOR"] = "1"
        e.removeValue(forKey: "KG_FAILPOINT")
        e.removeValue(forKey: "KG_GRAPH")
        for (k, v) in env { e[k] = v }
        p.environment = e
        let o = Pipe(), er = Pipe()
        p.standardOutput = o
        p.standardError = er
        p.standardInput = FileHandle.nullDevice
        try p.run()
        var od = Data(), ed = Data()
        let g = DispatchGroup()
        g.enter()
        DispatchQueue.global().async { od = o.fileHandleForReading.readDataToEndOfFile(); g.leave() }
        ed = er.fileHandleForReading.readDataToEndOfFile()
        g.wait()
        p.waitUntilExit()
        let killed = (p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL)
            || (exe != nil && p.terminationStatus == 128 + SIGKILL)
        return Run(status: p.terminationStatus, killed: killed, out: String(decoding: od, as: UTF8.self),
                   err: String(decoding: ed, as: UTF8.self))
    }

    /// A copy of the repository's Graph/ with its own readings folder, in a fresh temporary folder.
    struct Fixture {
        var root: String
        var graph: String { root + "/Graph" }
        var readings: String { root + "/rd" }

        init() throws {
            root = NSTemporaryDirectory() + "kg-crash-" + UUID().uuidString
            let fm = FileManager.default
            try fm.createDirectory(atPath: root + "/rd", withIntermediateDirectories: true)
            try fm.copyItem(atPath: QueryCLITests.packageRoot.appendingPathComponent("Graph").path, toPath: root + "/Graph")
            try "readings = ../rd\n".write(toFile: root + "/Graph/kg.conf", atomically: true, encoding: .utf8)
            try "# Notes on deception\n\nDeception and concealment appear when adversarial training is used. Shallow alignment is a failure mode.\n"
                .write(toFile: root + "/notes.md", atomically: true, encoding: .utf8)
        }

        /// Every file of the graph and readings folders (lock file and cache excluded).
        var state: [String: [UInt8]] {
            var s: [String: [UInt8]] = [:]
            for (k, v) in Self.files(graph) { s["Graph/" + k] = v }
            for (k, v) in Self.files(readings) { s["rd/" + k] = v }
            return s
        }

        var folders: [String] {
            var out: [String] = []
            let e = FileManager.default.enumerator(atPath: root)
            while let rel = e?.nextObject() as? String {
                var d: ObjCBool = false
                if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &d), d.boolValue { out.append(rel) }
            }
            return out.filter { !$0.contains(".kgcache") }.sorted()
        }

        static func files(_ dir: String) -> [String: [UInt8]] {
            var out: [String: [UInt8]] = [:]
            let fm = FileManager.default
            let e = fm.enumerator(atPath: dir)
            while let rel = e?.nextObject() as? String {
                if rel == ".kg.lock" || rel.hasPrefix(".kgcache") { continue }
                var d: ObjCBool = false
                if fm.fileExists(atPath: dir + "/" + rel, isDirectory: &d), !d.boolValue {
                    out[rel] = [UInt8](fm.contents(atPath: dir + "/" + rel) ?? Data())
                }
            }
            return out
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    /// A save that rewrites three files of the graph and creates new-facts.kg: one concept of each
    /// of three files gets a property, and a concept is created.
    static func multiFileEdit(_ f: Fixture) -> [String] {
        let loaded = GraphLoader.load(directory: f.graph)
        var byFile: [String: String] = [:]
        for n in loaded.graph.nodes where loaded.graph.kind(of: n) != "Reading" {
            if let file = loaded.origin(of: n)?.file, byFile[file] == nil { byFile[file] = loaded.graph.key(of: n) }
        }
        // Files of different folders first, then the rest.
        var picked: [String] = []
        var dirs = Set<String>()
        for file in byFile.keys.sorted() where dirs.insert((file as NSString).deletingLastPathComponent).inserted { picked.append(file) }
        for file in byFile.keys.sorted() where !picked.contains(file) { picked.append(file) }
        let ids = picked.prefix(3).map { "'" + byFile[$0]! + "'" }
        return ["query", "--graph", f.graph, "--save",
                "MATCH (n) WHERE n.id IN [\(ids.joined(separator: ", "))] SET n.reviewed = true "
                    + "WITH count(n) AS c CREATE (:Concept {id: 'crash-test', name: 'Crash test'})"]
    }

    static func linkApply(_ f: Fixture) -> [String] {
        ["link", "--graph", f.graph, f.root + "/notes.md", "--apply", "--accept", "mentions"]
    }

    /// A read-only start: loads the graph (and so recovers it).
    static func verify(_ f: Fixture, _ k: Int) throws -> Run? {
        // Alternate the binary-cache path (query) and the text path (check).
        k % 2 == 0 ? try run(["query", "--graph", f.graph, "--format", "csv", "MATCH (n) RETURN count(n) AS c"])
            : try run(["check", "--graph", f.graph])
    }

    struct Matrix {
        var outcomes: [String] = []
        /// The step (from 1) of the commit journal's rename in the reference run.
        var commitStep = 0
        var steps = 0
        var description: String { outcomes.joined(separator: " ") }
    }

    /// Runs `command` on fresh fixtures with `KG_FAILPOINT` set to `spec(k)` for k = 1, 2, … until
    /// the failpoint is no longer reached; after each, a read-only start must leave exactly the
    /// state before or after the save, with no journal or temporary file, and the states must
    /// switch once, from before to after.
    static func matrix(_ command: (Fixture) -> [String], spec: (Int) -> String, expectKill: Bool = true,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Matrix? {
        let ref = try Fixture()
        defer { ref.remove() }
        let before = ref.state, beforeFolders = ref.folders
        guard let ok = try run(command(ref), env: ["KG_FAILPOINT_TRACE": "1"]) else { return nil }
        #expect(ok.status == 0, "\(ok.err)", sourceLocation: sourceLocation)
        let after = ref.state
        #expect(after != before, sourceLocation: sourceLocation)
        var m = Matrix()
        let trace = ok.err.split(separator: "\n").filter { $0.hasPrefix("failpoint: commit ") }
        m.steps = trace.count
        m.commitStep = (trace.firstIndex { $0.hasPrefix("failpoint: commit rename 2 ") } ?? -1) + 1
        for k in 1...100 {
            let f = try Fixture()
            defer { f.remove() }
            guard let r = try run(command(f), env: ["KG_FAILPOINT": spec(k)]) else { return nil }
            if !r.err.contains("failpoint: ") {
                // Past the last step: the save went through.
                #expect(r.status == 0 && f.state == after, "\(spec(k)): \(r.err)", sourceLocation: sourceLocation)
                break
            }
            if expectKill {
                #expect(r.killed, "\(spec(k)) did not kill: status \(r.status) \(r.err)", sourceLocation: sourceLocation)
            }
            guard let v = try verify(f, k) else { return nil }
            #expect(v.status == 0, "after \(spec(k)): \(v.err)", sourceLocation: sourceLocation)
            let s = f.state
            if s == before {
                m.outcomes.append("old")
                #expect(f.folders == beforeFolders, "after \(spec(k)): folders \(f.folders)", sourceLocation: sourceLocation)
            } else if s == after {
                m.outcomes.append("new")
            } else {
                m.outcomes.append("MIXED")
                let diff = Set(s.keys).symmetricDifference(Set(after.keys)).union(Set(s.keys).symmetricDifference(Set(before.keys)))
                Issue.record("after \(spec(k)): the graph is neither the old nor the new one (files \(diff.sorted()))", sourceLocation: sourceLocation)
            }
        }
        let firstNew = m.outcomes.firstIndex(of: "new") ?? m.outcomes.count
        #expect(m.outcomes[..<firstNew].allSatisfy { $0 == "old" } && m.outcomes[firstNew...].allSatisfy { $0 == "new" },
                "not one switch from old to new: \(m)", sourceLocation: sourceLocation)
        return m
    }

    // MARK: Kill at every step

    @Test func killAtEveryStepOfAMultiFileQuerySave() throws {
        guard let m = try Self.matrix(Self.multiFileEdit, spec: { "step:\($0)" }) else { return }
        print("kill matrix, query --save (4 files, 2 folders): \(m.outcomes.count) steps, commit point at step \(m.commitStep): \(m)")
        // Every step was tried, and the graph is new exactly from the commit journal's rename on.
        #expect(m.outcomes.count == m.steps && m.steps >= 24)
        #expect(m.commitStep > 10 && m.outcomes.firstIndex(of: "new") == m.commitStep - 1, "\(m)")
    }

    @Test func killAtEveryRenameAndWriteNamedAsSuch() throws {
        guard let renames = try Self.matrix(Self.multiFileEdit, spec: { "rename:\($0)" }) else { return }
        // Rename 1: the prepare journal; 2: the commit journal (the commit point); 3–6: the files.
        #expect(renames.outcomes == ["old", "new", "new", "new", "new", "new"], "\(renames)")
        guard let writes = try Self.matrix(Self.multiFileEdit, spec: { "write:\($0)" }) else { return }
        // Write 1: prepare journal; 2–5: the files; 6: the commit journal (renamed only after).
        #expect(writes.outcomes == Array(repeating: "old", count: 6), "\(writes)")
        guard let torn = try Self.matrix(Self.multiFileEdit, spec: { "write:\($0):torn" }) else { return }
        #expect(torn.outcomes == Array(repeating: "old", count: 6), "\(torn)")
        print("kill after each rename: \(renames); after each write: \(writes); half-written files: \(torn)")
    }

    @Test func killAtEveryStepOfALinkAcrossTwoFolders() throws {
        // The reading is copied into the readings folder and Graph/readings/ is created: two folders,
        // one of them new, in one transaction.
        guard let m = try Self.matrix(Self.linkApply, spec: { "step:\($0)" }) else { return }
        print("kill matrix, link --apply (2 folders, 1 new): \(m.outcomes.count) steps, commit point at step \(m.commitStep): \(m)")
        #expect(m.outcomes.count == m.steps && m.steps >= 20)
        #expect(m.outcomes.firstIndex(of: "new") == m.commitStep - 1, "\(m)")
    }

    @Test func ioErrorAtEveryStep() throws {
        guard let m = try Self.matrix(Self.multiFileEdit, spec: { "step:\($0):error" }, expectKill: false) else { return }
        print("I/O error matrix, query --save: \(m.outcomes.count) steps: \(m)")
        // A failed commit-journal rename is not a commit: old up to and with it.
        #expect(m.outcomes.count == m.steps && m.outcomes.firstIndex(of: "new") == m.commitStep, "\(m)")
    }

    @Test func ioErrorBeforeTheCommitPointSavesNothingAndSaysSo() throws {
        let f = try Fixture()
        defer { f.remove() }
        let before = f.state
        guard let r = try Self.run(Self.multiFileEdit(f), env: ["KG_FAILPOINT": "write:3:error"]) else { return }
        #expect(r.status == 1)
        #expect(r.err.contains("error: nothing was saved:") && r.err.contains("cannot write: Input/output error; nothing written"), "\(r.err)")
        #expect(f.state == before)
    }

    @Test func killDuringRecoveryThenRecoverAgain() throws {
        let ref = try Fixture()
        defer { ref.remove() }
        guard let ok = try Self.run(Self.multiFileEdit(ref)) else { return }
        #expect(ok.status == 0)
        let after = ref.state
        var steps = 0
        for k in 1...50 {
            let f = try Fixture()
            defer { f.remove() }
            // Killed after the commit point, before any file is renamed.
            guard let r = try Self.run(Self.multiFileEdit(f), env: ["KG_FAILPOINT": "rename:2"]) else { return }
            #expect(r.killed)
            // The next start is killed at recovery step k; the one after must finish the save.
            guard let v = try Self.run(["check", "--graph", f.graph], env: ["KG_FAILPOINT": "recover.step:\(k)"]) else { return }
            if !v.err.contains("failpoint: ") { #expect(v.status == 0 && f.state == after); steps = k - 1; break }
            #expect(v.killed)
            guard let v2 = try Self.verify(f, k) else { return }
            #expect(v2.status == 0, "\(v2.err)")
            #expect(f.state == after, "killed at recovery step \(k): the save was not finished")
        }
        print("kill during recovery: \(steps) recovery steps, each finished by the next start")
        #expect(steps >= 6)  // 4 renames, folder fsync, unlink ×2, folder fsync
    }

    @Test func recoveryIsReportedOnStderr() throws {
        let f = try Fixture()
        defer { f.remove() }
        guard let r = try Self.run(Self.multiFileEdit(f), env: ["KG_FAILPOINT": "rename:3"]) else { return }
        #expect(r.killed)
        #expect(FileManager.default.fileExists(atPath: f.graph + "/.kg.journal"))
        guard let v = try Self.run(["query", "--graph", f.graph, "MATCH (n {id: 'crash-test'}) RETURN n.name"]) else { return }
        #expect(v.status == 0)
        #expect(v.err.contains("kg: finished an interrupted save in \(f.graph) (4 files)"), "\(v.err)")
        #expect(v.out.contains("Crash test"))
        let g = try Fixture()
        defer { g.remove() }
        guard let r2 = try Self.run(Self.multiFileEdit(g), env: ["KG_FAILPOINT": "write:3"]) else { return }
        #expect(r2.killed)
        guard let v2 = try Self.run(["check", "--graph", g.graph]) else { return }
        #expect(v2.err.contains("kg: rolled back an interrupted save in \(g.graph) (4 temporary files removed"), "\(v2.err)")
    }

    // MARK: strace fault injection (kill on entry to a system call)

    static var strace: URL? {
        for p in ["/usr/bin/strace", "/bin/strace"] where FileManager.default.isExecutableFile(atPath: p) {
            let u = URL(fileURLWithPath: p)
            // ptrace may be forbidden (containers): probe it.
            if let r = try? run(["-f", "-qq", "-o", "/dev/null", "/bin/true"], exe: u), r.status == 0 { return u }
        }
        return nil
    }

    @Test(arguments: ["rename", "fsync", "unlink"])
    func straceKillOnEntryToEverySyscall(_ syscall: String) throws {
        guard let strace = Self.strace else { print("SKIPPED: strace not installed or ptrace not allowed (apt-get install strace)"); return }
        let ref = try Fixture()
        defer { ref.remove() }
        let before = ref.state
        guard let ok = try Self.run(Self.multiFileEdit(ref)) else { return }
        #expect(ok.status == 0)
        let after = ref.state
        var outcomes: [String] = []
        for n in 1...60 {
            let f = try Fixture()
            defer { f.remove() }
            let args = ["-f", "-qq", "-o", "/dev/null", "-e", "trace=\(syscall)", "-e", "inject=\(syscall):signal=SIGKILL:when=\(n)", "$KG"] + Self.multiFileEdit(f)
            guard let r = try Self.run(args, exe: strace) else { return }
            if !r.killed {
                #expect(r.status == 0 && f.state == after, "\(r.err)")
                break
            }
            guard let v = try Self.verify(f, n) else { return }
            #expect(v.status == 0, "\(v.err)")
            let s = f.state
            outcomes.append(s == before ? "old" : s == after ? "new" : "MIXED")
        }
        print("strace inject=\(syscall):signal=SIGKILL:when=N, N = 1…\(outcomes.count): \(outcomes.joined(separator: " "))")
        #expect(!outcomes.isEmpty && !outcomes.contains("MIXED"), "\(outcomes)")
        let firstNew = outcomes.firstIndex(of: "new") ?? outcomes.count
        #expect(outcomes[firstNew...].allSatisfy { $0 == "new" })
    }

    // MARK: Two writers

    @Test func twoWritersFiftyEditsEachLoseNothing() throws {
        guard QueryCLITests.kg != nil else { print("SKIPPED: kg binary not found"); return }
        let f = try Fixture()
        defer { f.remove() }
        let start = Date()
        var results: [[Run]] = [[], []]
        let group = DispatchGroup()
        for w in 0..<2 {
            group.enter()
            Thread {
                var mine: [Run] = []
                for i in 0..<50 {
                    let q = "CREATE (:Concept {id: 'w\(w)-e\(i)', name: 'Writer \(w) edit \(i)'})"
                    if let r = try? Self.run(["query", "--graph", f.graph, "--save", q]) { mine.append(r) }
                }
                results[w] = mine
                group.leave()
            }.start()
        }
        group.wait()
        let seconds = Date().timeIntervalSince(start)
        let all = results[0] + results[1]
        #expect(all.count == 100)
        #expect(all.allSatisfy { $0.status == 0 }, "\(all.filter { $0.status != 0 }.map(\.err).prefix(3))")
        let waits = all.filter { $0.err.contains("waiting for another kg process") }.count
        guard let r = try Self.run(["query", "--graph", f.graph, "--format", "csv",
                                    "MATCH (n:Concept) WHERE n.id STARTS WITH 'w0-e' OR n.id STARTS WITH 'w1-e' RETURN count(n) AS c, count(DISTINCT n.id) AS d"]) else { return }
        #expect(r.out.split(whereSeparator: \.isNewline) == ["c,d", "100,100"], "\(r.out) \(r.err)")
        #expect(!Fixture.files(f.graph).keys.contains { $0.contains(".kgtmp-") || $0.contains(".kg.journal") })
        print("two writers × 50 edits: 100 saved of 100 in \(String(format: "%.1f", seconds)) s; \(waits) waited for the lock")
    }

    // MARK: The lock of every writing command

    static let graphML = """
        <?xml version="1.0" encoding="UTF-8"?>
        <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
          <key id="label" for="node" attr.name="label" attr.type="string"/>
          <graph edgedefault="directed">
            <node id="imported-a"><data key="label">Imported A</data></node>
            <node id="imported-b"><data key="label">Imported B</data></node>
            <edge source="imported-a" target="imported-b"/>
          </graph>
        </graphml>
        """

    static func writers(_ f: Fixture) throws -> [(String, [String])] {
        try graphML.write(toFile: f.root + "/in.graphml", atomically: true, encoding: .utf8)
        // A file fmt would change.
        let loose = f.graph + "/loose.kg"
        try "concept   loose   \"Loose\"   :   Concept\n".write(toFile: loose, atomically: true, encoding: .utf8)
        return [("query --save", ["query", "--graph", f.graph, "--save", "CREATE (:Concept {id: 'locked-out', name: 'Locked out'})"]),
                ("fmt", ["fmt", "--graph", f.graph]),
                ("link --apply", linkApply(f)),
                ("import graphml", ["import", "graphml", f.root + "/in.graphml", "--graph", f.graph])]
    }

    @Test func everyWritingCommandFailsFastWithNoWaitWhileAnotherWrites() throws {
        let f = try Fixture()
        defer { f.remove() }
        let cmds = try Self.writers(f)
        let before = f.state
        let lock = try GraphWriteLock.acquire(directory: f.graph)
        for (name, args) in cmds {
            guard let r = try Self.run(args + ["--no-wait"]) else { return }
            #expect(r.status == 1, "\(name): \(r.err)")
            #expect(r.err.contains("is being written by another kg process (pid \(getpid())"), "\(name): \(r.err)")
            guard let t = try Self.run(args + ["--lock-timeout", "0.3"]) else { return }
            #expect(t.status == 1, "\(name): \(t.err)")
            #expect(t.err.contains("waiting for another kg process writing") && t.err.contains("gave up after waiting 0.3 s"), "\(name): \(t.err)")
        }
        #expect(f.state == before)
        lock.release()
        for (name, args) in cmds {
            guard let r = try Self.run(args + ["--no-wait"]) else { return }
            #expect(r.status == 0, "\(name): \(r.err)")
        }
        #expect(f.state != before)
    }

    @Test func aWaitingWriterSaysSoAndSavesWhenTheLockIsFree() throws {
        let f = try Fixture()
        defer { f.remove() }
        let lock = try GraphWriteLock.acquire(directory: f.graph)
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.0) { lock.release() }
        guard let r = try Self.run(["query", "--graph", f.graph, "--save", "CREATE (:Concept {id: 'waited', name: 'Waited'})"]) else { return }
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("kg: waiting for another kg process writing \(f.graph) (pid \(getpid())"), "\(r.err)")
        #expect(r.err.contains("--no-wait fails at once instead"))
        #expect(String(decoding: Fixture.files(f.graph)["new-facts.kg"] ?? [], as: UTF8.self).contains("concept waited \"Waited\""))
    }

    @Test func readersDoNotTakeTheWriterLock() throws {
        let f = try Fixture()
        defer { f.remove() }
        let lock = try GraphWriteLock.acquire(directory: f.graph)
        defer { lock.release() }
        guard let r = try Self.run(["query", "--graph", f.graph, "--format", "csv", "MATCH (n) RETURN count(n) AS c"]) else { return }
        #expect(r.status == 0 && !r.err.contains("waiting"))
        guard let d = try Self.run(["link", "--graph", f.graph, f.root + "/notes.md"]) else { return }
        #expect(d.status == 0 && !d.err.contains("waiting"), "a dry run does not lock: \(d.err)")
        guard let c = try Self.run(["fmt", "--check", "--graph", f.graph]) else { return }
        #expect(!c.err.contains("waiting"))
    }
}
