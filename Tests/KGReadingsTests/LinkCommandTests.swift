import Foundation
import Testing
import KGCore

/// End-to-end tests of `kg link` through the built binary, on a small graph and readings written
/// into a temporary folder.
@Suite("kg link end to end")
struct LinkCommandTests {
    /// The `kg` binary next to the running test bundle (works with any --scratch-path).
    static var kgBinary: URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let k = dir.appendingPathComponent("kg")
            if FileManager.default.isExecutableFile(atPath: k.path) { return k }
            dir = dir.deletingLastPathComponent()
        }
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for scratch in [".build/debug/kg", ".build-link/debug/kg"] {
            let k = fromSource.appendingPathComponent(scratch)
            if FileManager.default.isExecutableFile(atPath: k.path) { return k }
        }
        return nil
    }

    struct Run { var status: Int32; var out: String; var err: String }

    func kg(_ args: [String], cwd: URL) throws -> Run {
        let p = Process()
        p.executableURL = try #require(Self.kgBinary)
        p.arguments = args
        p.currentDirectoryURL = cwd
        var env = ProcessInfo.processInfo.environment
        env["KG_READINGS"] = nil
        env["KG_GRAPH"] = nil
        env["NO_COLOR"] = "1"
        p.environment = env
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let od = o.fileHandleForReading.readDataToEndOfFile()
        let ed = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, out: String(decoding: od, as: UTF8.self), err: String(decoding: ed, as: UTF8.self))
    }

    static let schema = """
    kind Reading "A text"
    kind Concept "Anything"
    kind Technique : Concept
    kind Threat : Concept
    relation MENTIONS  Reading -> Concept
    relation PERSISTS_THROUGH  Concept -> Technique
      cue "persisted through", "survived"
    relation RELATED_TO  Concept -> Concept  symmetric

    """
    static let concepts = """
    concept backdoor "Conditional backdoor" : Threat
      aka "backdoor"
    concept rlhf "Reinforcement learning from human feedback" : Technique
      aka "RLHF"
    concept adversarial-training "Adversarial training" : Technique

    """
    static let reading = """
    # Week nine notes

    The backdoor persisted through RLHF in every run we tried.
    Adversarial training hid the backdoor better, which surprised us.
    Constitutional AI (CAI) came up too.

    """

    /// A temporary knowledge base: kb/Graph (schema, concepts, kg.conf), kb/readings/notes.md.
    func makeKB() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kg-link-e2e-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("Graph"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("readings"), withIntermediateDirectories: true)
        try Self.schema.write(to: root.appendingPathComponent("Graph/schema.kg"), atomically: true, encoding: .utf8)
        try Self.concepts.write(to: root.appendingPathComponent("Graph/concepts.kg"), atomically: true, encoding: .utf8)
        try "readings = ../readings\n".write(to: root.appendingPathComponent("Graph/kg.conf"), atomically: true, encoding: .utf8)
        try Self.reading.write(to: root.appendingPathComponent("readings/notes.md"), atomically: true, encoding: .utf8)
        // A first reading, linked, so that every concept has evidenced relations (kg check --strict).
        try "Base\n\nRLHF, adversarial training and the backdoor.\n".write(to: root.appendingPathComponent("readings/base.txt"), atomically: true, encoding: .utf8)
        let r = try kg(["link", "readings/base.txt", "--apply"], cwd: root)
        #expect(r.status == 0, "\(r.err)")
        return root
    }

    func files(_ dir: URL) -> [String] {
        (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []).sorted()
    }

    @Test func dryRunApplyCheckShowAndRelink() throws {
        guard Self.kgBinary != nil else { print("skipped: kg binary not built"); return }
        let kb = try makeKB()
        defer { try? FileManager.default.removeItem(at: kb) }
        let before = files(kb)
        // Dry run: a table and the .kg text, nothing written; twice the same bytes.
        let dry = try kg(["link", "readings/notes.md"], cwd: kb)
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out.contains("Mentions: 3 known concepts"))
        #expect(try kg(["check", "--strict"], cwd: kb).status == 0)
        #expect(dry.out.contains("Dry run: --apply would write Graph/readings/notes.kg"))
        #expect(dry.out.contains("notes -MENTIONS-> backdoor  @notes S2-S3 \"named 2 times as “backdoor”\""))
        #expect(dry.out.contains("backdoor -PERSISTS_THROUGH-> rlhf"))
        #expect(dry.out.contains("Constitutional AI (CAI)"))
        #expect(files(kb) == before)
        #expect(try kg(["link", "readings/notes.md"], cwd: kb).out == dry.out)

        // Apply mentions, the first relation and the first concept candidate.
        let applied = try kg(["link", "readings/notes.md", "--apply", "--accept", "mentions", "--accept", "relations:1", "--accept", "concepts:1"], cwd: kb)
        #expect(applied.status == 0, "\(applied.err)")
        let written = try String(contentsOf: kb.appendingPathComponent("Graph/readings/notes.kg"), encoding: .utf8)
        #expect(written.contains("reading notes \"Week nine notes\"\n  path \"notes.md\"\n  sha256 \""))
        #expect(written.contains("concept constitutional-ai \"Constitutional AI\" : Concept\n  aka \"CAI\"\n"))
        #expect(files(kb) == (before + ["Graph/readings/notes.kg"]).sorted())

        let check = try kg(["check", "--strict"], cwd: kb)
        #expect(check.status == 0, "\(check.out)\(check.err)")
        let show = try kg(["show", "backdoor"], cwd: kb)
        #expect(show.status == 0)
        #expect(show.out.contains("notes"), "\(show.out)")

        // Linking the same text again is refused, --update rewrites the file.
        let again = try kg(["link", "readings/notes.md"], cwd: kb)
        #expect(again.status == 1)
        #expect(again.err.contains("already linked as 'notes'"))
        #expect(again.err.contains("--update"))
        let upd = try kg(["link", "readings/notes.md", "--update", "--apply"], cwd: kb)
        #expect(upd.status == 0, "\(upd.err)")
        let rewritten = try String(contentsOf: kb.appendingPathComponent("Graph/readings/notes.kg"), encoding: .utf8)
        #expect(!rewritten.contains("constitutional-ai"))  // only the mentions were kept this time
        #expect(try kg(["check", "--strict"], cwd: kb).status == 0)
    }

    @Test func jsonOutput() throws {
        guard Self.kgBinary != nil else { print("skipped: kg binary not built"); return }
        let kb = try makeKB()
        defer { try? FileManager.default.removeItem(at: kb) }
        let r = try kg(["link", "readings/notes.md", "--format", "json"], cwd: kb)
        #expect(r.status == 0, "\(r.err)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let mentions = try #require(obj["mentions"] as? [[String: Any]])
        let b = try #require(mentions.first { $0["id"] as? String == "backdoor" })
        #expect(b["concept"] as? String == "Conditional backdoor")
        #expect(b["count"] as? Int == 2)
        #expect((b["occurrences"] as? [[String: Any]])?.map { $0["line"] as? Int } == [3, 4])
        #expect(obj["proposed_relations"] is [Any])
        #expect((obj["new_concepts"] as? [[String: Any]])?.first?["name"] as? String == "Constitutional AI")
        #expect((obj["reading"] as? [String: Any])?["title"] as? String == "Week nine notes")
    }

    @Test func badInputsWriteNothing() throws {
        guard Self.kgBinary != nil else { print("skipped: kg binary not built"); return }
        let kb = try makeKB()
        defer { try? FileManager.default.removeItem(at: kb) }
        try Data([0x41, 0x00, 0x42]).write(to: kb.appendingPathComponent("readings/bin.txt"))
        try Data([0x41, 0x0A, 0x42, 0xFF]).write(to: kb.appendingPathComponent("readings/latin1.txt"))
        try Data().write(to: kb.appendingPathComponent("readings/empty.txt"))
        let before = files(kb)
        let bin = try kg(["link", "readings/bin.txt", "--apply"], cwd: kb)
        #expect(bin.status == 1)
        #expect(bin.err.contains("readings/bin.txt: error: this looks like a binary file"))
        let l1 = try kg(["link", "readings/latin1.txt", "--apply"], cwd: kb)
        #expect(l1.status == 1)
        #expect(l1.err.contains("readings/latin1.txt:2:2: error: the file is not valid UTF-8"))
        let empty = try kg(["link", "readings/empty.txt", "--apply"], cwd: kb)
        #expect(empty.status == 1)
        #expect(empty.err.contains("is empty"))
        let huge = try kg(["link", "readings/notes.md", "--apply", "--max-bytes", "10"], cwd: kb)
        #expect(huge.status == 1)
        #expect(huge.err.contains("more than the limit of 10 bytes"))
        // One bad file among good ones: nothing is written for any of them.
        let mixed = try kg(["link", "readings/notes.md", "readings/bin.txt", "--apply"], cwd: kb)
        #expect(mixed.status == 1)
        let badAccept = try kg(["link", "readings/notes.md", "--apply", "--accept", "relations:99"], cwd: kb)
        #expect(badAccept.status == 64)
        #expect(badAccept.err.contains("not 99"))
        // A graph that does not load.
        try "concept broken \"Broken\" : NoSuchKind\n".write(to: kb.appendingPathComponent("Graph/broken.kg"), atomically: true, encoding: .utf8)
        let broken = try kg(["link", "readings/notes.md", "--apply"], cwd: kb)
        #expect(broken.status == 1)
        try FileManager.default.removeItem(at: kb.appendingPathComponent("Graph/broken.kg"))
        #expect(files(kb) == before)
    }

    @Test func aSchemaWithoutMentionsIsRefused() throws {
        guard Self.kgBinary != nil else { print("skipped: kg binary not built"); return }
        let kb = try makeKB()
        defer { try? FileManager.default.removeItem(at: kb) }
        try FileManager.default.removeItem(at: kb.appendingPathComponent("Graph/readings"))
        let schema = Self.schema.replacingOccurrences(of: "relation MENTIONS  Reading -> Concept\n", with: "")
        try schema.write(to: kb.appendingPathComponent("Graph/schema.kg"), atomically: true, encoding: .utf8)
        let r = try kg(["link", "readings/notes.md", "--apply"], cwd: kb)
        #expect(r.status == 1)
        #expect(r.err.contains("relation MENTIONS"))
        #expect(!FileManager.default.fileExists(atPath: kb.appendingPathComponent("Graph/readings").path))
    }

    @Test func readingOutsideTheReadingsFolderIsStoredInTheGraphFolder() throws {
        guard Self.kgBinary != nil else { print("skipped: kg binary not built"); return }
        let kb = try makeKB()
        defer { try? FileManager.default.removeItem(at: kb) }
        let text = "Plain notes\n\nThe backdoor survived adversarial training.\n"
        try text.write(to: kb.appendingPathComponent("elsewhere.txt"), atomically: true, encoding: .utf8)
        let readingsBefore = files(kb.appendingPathComponent("readings"))
        let r = try kg(["link", "elsewhere.txt", "--apply"], cwd: kb)
        #expect(r.status == 0, "\(r.err)")
        // Stored under its hash in the knowledge base's own readings folder; the configured
        // readings folder (outside the graph folder here) is not touched.
        let sha = SHA256.hex(of: Array(text.utf8))
        let stored = "elsewhere-\(sha.prefix(12)).txt"
        #expect(FileManager.default.contents(atPath: kb.appendingPathComponent("Graph/readings/\(stored)").path) == Data(text.utf8))
        #expect(files(kb.appendingPathComponent("readings")) == readingsBefore)
        let kgText = try String(contentsOf: kb.appendingPathComponent("Graph/readings/elsewhere.kg"), encoding: .utf8)
        #expect(kgText.contains("reading elsewhere \"Plain notes\"\n  path \"\(stored)\""))
        #expect(try kg(["check", "--strict"], cwd: kb).status == 0)
        #expect(try kg(["show", "backdoor"], cwd: kb).out.contains("mentioned in"))
    }

    @Test func interactiveReviewOnATerminal() throws {
        guard let kgPath = Self.kgBinary?.path, FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            print("skipped: kg binary or /usr/bin/script (for a pseudo-terminal) missing")
            return
        }
        let kb = try makeKB()
        defer { try? FileManager.default.removeItem(at: kb) }
        // Answers: keep the mentions, relation 1, no type for the untyped relation 2 (Enter), concept 1.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qfec", "'\(kgPath)' link readings/notes.md --apply", "/dev/null"]
        p.currentDirectoryURL = kb
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        signal(SIGPIPE, SIG_IGN)  // should `script` be gone before the answers are written
        try p.run()
        // All answers at once: the terminal buffers them until kg reads each line. Trailing "q"s end
        // the review should there ever be more questions than answers.
        try? input.fileHandleForWriting.write(contentsOf: Data("y\ny\n\ny\nq\nq\nq\n".utf8))
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let written = try String(contentsOf: kb.appendingPathComponent("Graph/readings/notes.kg"), encoding: .utf8)
        #expect(written.contains("notes -MENTIONS-> backdoor"))
        #expect(written.contains("backdoor -PERSISTS_THROUGH-> rlhf  @notes S2 \"kg link: “persisted through”\"\n  origin link \""))
        #expect(!written.contains("RELATED_TO"))
        #expect(written.contains("concept constitutional-ai"))
    }

    @Test func severalFilesAndFolders() throws {
        guard Self.kgBinary != nil else { print("skipped: kg binary not built"); return }
        let kb = try makeKB()
        defer { try? FileManager.default.removeItem(at: kb) }
        try "# Second\n\nRLHF again and the backdoor.\n".write(to: kb.appendingPathComponent("readings/second.md"), atomically: true, encoding: .utf8)
        let r = try kg(["link", "readings", "--apply"], cwd: kb)
        #expect(r.status == 0, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: kb.appendingPathComponent("Graph/readings/notes.kg").path))
        #expect(FileManager.default.fileExists(atPath: kb.appendingPathComponent("Graph/readings/second.kg").path))
        #expect(try kg(["check", "--strict"], cwd: kb).status == 0)
    }
}
