import Foundation
import KGLayout
import Testing

@testable import KGExport

/// Helpers of the slide tests: fixtures, the bench's slide checker, SVG reading.
enum SlideKit {
    static let kinds = ["Concept", "Technique", "FailureMode", "Study", "Finding", "Threat", "Behaviour"]
    static let types = ["SUPPORTS", "UNDERMINES", "CAUSES", "PERSISTS_THROUGH", "IS_A", "STRENGTHENS"]

    /// A focus (node 0) with `n - 1` neighbours (in and out), some relations among them, real-looking names.
    static func neighbourhood(_ n: Int, seed: UInt64, extra: Int = 2, label: (Int) -> String = { "Concept number \($0)" }) -> SVGDiagram {
        var rng = SplitMix64(seed: seed)
        var d = SVGDiagram()
        for i in 0..<n {
            d.nodes.append(SVGDiagram.Node(id: "c\(i)", label: label(i), kind: kinds[Int(rng.next() % UInt64(kinds.count))], tooltip: "t\(i)"))
        }
        for i in 1..<max(1, n) {
            let t = types[Int(rng.next() % UInt64(types.count))]
            let (s, g) = rng.next() % 3 == 0 ? (i, 0) : (0, i)
            d.edges.append(SVGDiagram.Edge(source: s, target: g, type: t, label: SVGGraph.words(t), tooltip: "e"))
        }
        if n > 3 {
            for _ in 0..<extra {
                let a = 1 + Int(rng.next() % UInt64(n - 1)), b = 1 + Int(rng.next() % UInt64(n - 1))
                if a != b { d.edges.append(SVGDiagram.Edge(source: a, target: b, type: "CAUSES", label: "causes", tooltip: "x")) }
            }
        }
        d.focus = 0
        d.nodes[0].emphasised = true
        return d
    }

    static func chainStory(_ n: Int) -> SVGDiagram {
        var d = SVGDiagram()
        for i in 0..<n { d.nodes.append(SVGDiagram.Node(id: "s\(i)", label: "Step \(i) of the argument", kind: kinds[i % 4], tooltip: "")) }
        for i in 1..<n { d.edges.append(SVGDiagram.Edge(source: i - 1, target: i, type: types[i % 3], label: SVGGraph.words(types[i % 3]), tooltip: "")) }
        d.story = true
        return d
    }

    static var slideCheck: String? {
        guard let s = Support.shared?.appendingPathComponent("bench/slidecheck.py").path, FileManager.default.fileExists(atPath: s),
              Support.which("python3") != nil else { return nil }
        return s
    }

    /// Runs ../shared/bench/slidecheck.py on the files; returns the failing results (empty: all pass).
    static func check(_ files: [String], slide: String = "1280x720") throws -> [String] {
        guard let script = slideCheck else { return [] }
        var failing: [String] = []
        for chunk in stride(from: 0, to: files.count, by: 200).map({ Array(files[$0..<min(files.count, $0 + 200)]) }) {
            let json = Support.tempDir().appendingPathComponent("check.json")
            let r = try Support.run(Support.which("python3")!, [script] + chunk + ["--json", json.path, "--slide", slide])
            guard let data = FileManager.default.contents(atPath: json.path),
                  let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
                return ["slidecheck.py gave no JSON: \(r.2)"]
            }
            for item in list where (item["verdict"] as? String) != "PASS" {
                failing.append("\(item["file"] ?? "?"): \((item["reasons"] as? [String] ?? []).joined(separator: "; "))")
            }
        }
        return failing
    }

    static func write(_ slides: [SVGRenderResult], to dir: URL, stem: String) throws -> [String] {
        try slides.enumerated().map { i, s in
            let u = dir.appendingPathComponent("\(stem)-\(i + 1).svg")
            try s.svg.write(to: u, atomically: true, encoding: .utf8)
            return u.path
        }
    }

    static func style(_ f: SlideFormat = .wide) -> SVGStyle { var s = SVGStyle(); s.slide = f; return s }
}

@Suite struct SlideRenderingTests {
    /// Neighbourhoods of 1 to 40 concepts: one slide when it fits, a series otherwise; every slide
    /// passes the renderer's own measures and the bench's slidecheck.py.
    @Test func everySlideIsReadable() throws {
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for (k, n) in [1, 2, 3, 4, 6, 9, 13, 20, 40].enumerated() {
            var st = SlideKit.style()
            st.title = "Fixture \(n)"
            let series = try SVGRenderer(style: st).renderSlides(SlideKit.neighbourhood(n, seed: UInt64(k + 1)))
            for s in series.slides {
                let q = try #require(s.quality)
                #expect(q.problems(minNode: 24, minEdge: 18, minFill: 0.6).isEmpty, "\(n) concepts: \(q)")
            }
            if n >= 20 { #expect(series.slides.count > 1 && series.warnings.contains { $0.contains("series") }) }
            files += try SlideKit.write(series.slides, to: dir, stem: "n\(n)")
        }
        let failing = try SlideKit.check(files)
        #expect(failing.isEmpty, "\(failing)")
    }

    /// A series shows every concept and every relation somewhere; a centre with more neighbours than
    /// fit gets a "+N more" node that names the next slide.
    @Test func aSeriesCoversEverythingAndSaysWhatComesNext() throws {
        let d = SlideKit.neighbourhood(36, seed: 11, extra: 8)
        var st = SlideKit.style(); st.maxNodesPerSlide = 10
        let series = try SVGRenderer(style: st).renderSlides(d)
        var nodes = Set<String>(), edges = Set<String>()
        var mores = 0
        for s in series.slides {
            let root = try #require(SVGTestKit.parse(s.svg))
            let groups = root.all().filter { $0.name == "g" }
            let conceptNodes = groups.filter { $0.attributes["class"] == "node" }
            #expect(conceptNodes.count <= 10, "--max-nodes 10 but \(conceptNodes.count) concepts")
            for g in conceptNodes { nodes.insert(g.attributes["data-id"]!) }
            for g in groups where g.attributes["class"] == "edge" && g.attributes["data-type"] != SlideSeries.moreType {
                edges.insert("\(g.attributes["data-source"]!)>\(g.attributes["data-target"]!):\(g.attributes["data-type"]!)")
            }
            let more = groups.filter { $0.attributes["class"] == "node more" }
            mores += more.count
            for m in more {
                let text = m.all().filter { $0.name == "text" || $0.name == "tspan" }.map(\.text).joined(separator: " ")
                #expect(text.contains("more on slide"), "\(text)")
            }
        }
        #expect(nodes == Set(d.nodes.map(\.id)))
        #expect(edges == Set(d.edges.map { "\(d.nodes[$0.source].id)>\(d.nodes[$0.target].id):\($0.type)" }))
        #expect(mores >= 1)
        #expect(series.slides.enumerated().allSatisfy { i, s in s.title?.contains("(\(i + 1)/\(series.slides.count))") == true })
    }

    /// A story reads in argument order: left to right within a row, rows from the top.
    @Test func aStoryReadsInArgumentOrder() throws {
        let d = SlideKit.chainStory(9)
        let series = try SVGRenderer(style: SlideKit.style()).renderSlides(d)
        #expect(series.slides.count == 1)
        let l = series.slides[0].layout
        for i in 1..<9 {
            let a = l.nodes[i - 1], b = l.nodes[i]
            #expect(b.minY >= a.maxY - 1 || (b.minX > a.maxX && abs(b.center.y - a.center.y) < max(a.height, b.height)),
                    "step \(i) does not follow step \(i - 1) in reading order")
        }
        #expect(series.slides[0].svg.contains("story in argument order"))
    }

    @Test func tooSmallIsRefusedUnlessAllowed() throws {
        let d = SlideKit.neighbourhood(60, seed: 3)
        var st = SlideKit.style(); st.maxSlides = 2
        #expect(throws: SlideError.self) { try SVGRenderer(style: st).renderSlides(d) }
        st.allowSmall = true
        let r = try SVGRenderer(style: st).renderSlides(d)
        #expect(r.slides.count == 1)
        #expect(r.warnings.contains { $0.contains("--allow-small") && $0.contains("px") })
    }

    @Test func legendModes() throws {
        let d = SlideKit.neighbourhood(7, seed: 5)
        func legendTexts(_ mode: LegendMode, labels: Bool = true) throws -> [String] {
            var st = SlideKit.style(); st.legendMode = mode
            var dd = d
            if !labels { for i in dd.edges.indices { dd.edges[i].label = nil } }
            let svg = try SVGRenderer(style: st).renderSlides(dd).slides[0].svg
            let root = try #require(SVGTestKit.parse(svg))
            return root.all().first { $0.attributes["id"] == "legend" }?.all().filter { $0.name == "text" }.map(\.text) ?? []
        }
        let kinds = Set(d.nodes.map(\.kind))
        let auto = try legendTexts(.auto)
        #expect(auto.contains("Kinds") == (kinds.count >= 3) && !auto.contains("Relations"))
        #expect(try legendTexts(.full).contains("Relations"))
        #expect(try legendTexts(.none).isEmpty)
        #expect(try legendTexts(.auto, labels: false).contains("Relations"))
        // Two kinds and labelled relations: nothing to add.
        var two = SlideKit.neighbourhood(4, seed: 1)
        for i in two.nodes.indices { two.nodes[i].kind = i == 0 ? "Study" : "Concept" }
        let svg = try SVGRenderer(style: SlideKit.style()).renderSlides(two).slides[0].svg
        #expect(!svg.contains("id=\"legend\""))
    }

    @Test func oneConceptIsACardWithItsSummary() throws {
        var d = SVGDiagram(nodes: [SVGDiagram.Node(id: "x", label: "Deceptive alignment", kind: "FailureMode", tooltip: "")])
        d.nodes[0].summary = "A model that looks aligned during training because that serves a goal it pursues later."
        let r = try SVGRenderer(style: SlideKit.style()).renderSlides(d)
        #expect(r.slides.count == 1)
        #expect(r.slides[0].svg.contains("a goal it pursues"))
        #expect(r.slides[0].quality!.problems(minNode: 24, minEdge: 18, minFill: 0.6).isEmpty)
    }

    @Test func hostileNamesOnSlides() throws {
        let hostile = ["<script>alert(1)</script>", String(repeating: "very long name ", count: 140), "مفهوم عربي طويل نسبيا",
                       "漢字と仮名の概念を説明する長い名前", "Tom & Jerry \"q\" 'x'", "e\u{301}te\u{301}", "bell\u{07}char", "🙂 emoji"]
        let d = SlideKit.neighbourhood(hostile.count, seed: 2) { hostile[$0] }
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let series = try SVGRenderer(style: SlideKit.style()).renderSlides(d)
        for s in series.slides {
            #expect(SVGTestKit.parse(s.svg) != nil)
            #expect(!s.svg.contains("<script>") && !s.svg.contains("\u{07}"))
        }
        let all = series.slides.map(\.svg).joined()
        #expect(all.contains("&lt;script&gt;") && all.contains("漢字") && all.contains("مفهوم"))
        // The 2,000-character name is cut with "…" on the slide; the tooltip keeps it whole.
        #expect(all.contains("…"))
        let failing = try SlideKit.check(try SlideKit.write(series.slides, to: dir, stem: "h"))
        #expect(failing.isEmpty, "\(failing)")
    }

    @Test(arguments: SlideFormat.allCases)
    func bothSlideShapes(format: SlideFormat) throws {
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let series = try SVGRenderer(style: SlideKit.style(format)).renderSlides(SlideKit.neighbourhood(8, seed: 4))
        let root = try #require(SVGTestKit.parse(series.slides[0].svg))
        #expect(root.attributes["width"] == String(Int(format.size.width)) && root.attributes["height"] == "720")
        #expect(root.attributes["viewBox"] == "0 0 \(Int(format.size.width)) 720")
        let failing = try SlideKit.check(try SlideKit.write(series.slides, to: dir, stem: "f"),
                                         slide: "\(Int(format.size.width))x720")
        #expect(failing.isEmpty, "\(failing)")
    }

    @Test func sameSelectionSameSlides() throws {
        let d = SlideKit.neighbourhood(24, seed: 8, extra: 5)
        let a = try SVGRenderer(style: SlideKit.style()).renderSlides(d).slides.map(\.svg)
        let b = try SVGRenderer(style: SlideKit.style()).renderSlides(d).slides.map(\.svg)
        #expect(a == b)
    }
}

/// One palette for every format, safe for the common colour-vision deficiencies and in greyscale.
@Suite struct PaletteTests {
    // Machado, Oliveira, Fernandes (2009), "A Physiologically-based Model for Simulation of Color
    // Vision Deficiency", severity 1.0 matrices, applied to linear RGB.
    static let protanopia: [[Double]] = [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    static let deuteranopia: [[Double]] = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    static let normal: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]

    static func rgb(_ hex: String) -> [Double] {
        let h = hex.dropFirst()
        return stride(from: 0, to: 6, by: 2).map { i in
            let s = h.index(h.startIndex, offsetBy: i)
            return Double(Int(h[s..<h.index(s, offsetBy: 2)], radix: 16)!) / 255
        }
    }
    static func linear(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
    static func lab(_ hex: String, _ m: [[Double]]) -> (Double, Double, Double) {
        let l = rgb(hex).map(linear)
        let s = (0..<3).map { i in min(1, max(0, (0..<3).reduce(0.0) { $0 + m[i][$1] * l[$1] })) }
        let x = 0.4124 * s[0] + 0.3576 * s[1] + 0.1805 * s[2], y = 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2]
        let z = 0.0193 * s[0] + 0.1192 * s[1] + 0.9505 * s[2]
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        let fx = f(x / 0.95047), fy = f(y), fz = f(z / 1.08883)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }
    /// CIEDE2000 colour difference.
    static func de2000(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> Double {
        let (l1, a1, b1) = a, (l2, a2, b2) = b
        let c1 = hypot(a1, b1), c2 = hypot(a2, b2), cb = (c1 + c2) / 2
        let g = 0.5 * (1 - sqrt(pow(cb, 7) / (pow(cb, 7) + pow(25, 7))))
        let a1p = (1 + g) * a1, a2p = (1 + g) * a2
        let c1p = hypot(a1p, b1), c2p = hypot(a2p, b2)
        func hue(_ b: Double, _ a: Double) -> Double { let h = atan2(b, a) * 180 / .pi; return h < 0 ? h + 360 : h }
        let h1 = hue(b1, a1p), h2 = hue(b2, a2p)
        let dl = l2 - l1, dc = c2p - c1p
        var dh = 0.0
        if c1p * c2p != 0 { dh = h2 - h1; if dh > 180 { dh -= 360 } else if dh < -180 { dh += 360 } }
        let dH = 2 * sqrt(c1p * c2p) * sin(dh * .pi / 360)
        let lb = (l1 + l2) / 2, cbp = (c1p + c2p) / 2
        var hb = h1 + h2
        if c1p * c2p != 0 { hb = abs(h1 - h2) <= 180 ? (h1 + h2) / 2 : (h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2) }
        let t = 1 - 0.17 * cos((hb - 30) * .pi / 180) + 0.24 * cos(2 * hb * .pi / 180) + 0.32 * cos((3 * hb + 6) * .pi / 180)
            - 0.20 * cos((4 * hb - 63) * .pi / 180)
        let dth = 30 * exp(-pow((hb - 275) / 25, 2))
        let rc = 2 * sqrt(pow(cbp, 7) / (pow(cbp, 7) + pow(25, 7)))
        let sl = 1 + 0.015 * pow(lb - 50, 2) / sqrt(20 + pow(lb - 50, 2)), sc = 1 + 0.045 * cbp, sh = 1 + 0.015 * cbp * t
        let rt = -sin(2 * dth * .pi / 180) * rc
        return sqrt(pow(dl / sl, 2) + pow(dc / sc, 2) + pow(dH / sh, 2) + rt * (dc / sc) * (dH / sh))
    }
    static func minDistance(_ colours: [String]) -> (Double, String) {
        var worst = (Double.infinity, "")
        for (name, m) in [("normal", normal), ("deuteranopia", deuteranopia), ("protanopia", protanopia)] {
            let labs = colours.map { lab($0, m) }
            for i in colours.indices { for j in colours.indices where j > i {
                let d = de2000(labs[i], labs[j])
                if d < worst.0 { worst = (d, "\(name): \(colours[i]) vs \(colours[j])") }
            } }
        }
        return worst
    }
    static func luminance(_ hex: String) -> Double {
        let l = rgb(hex).map(linear); return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]
    }
    static func contrast(_ a: String, _ b: String) -> Double {
        let x = luminance(a), y = luminance(b); return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    @Test func checkTheMeasureOnKnownValues() {
        // Sharma, Wu, Dalal (2005) CIEDE2000 test data, pair 1.
        #expect(abs(Self.de2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) - 2.0425) < 1e-3)
        // Pure red and green collapse under deuteranopia much more than for normal vision.
        let n = Self.de2000(Self.lab("#ff0000", Self.normal), Self.lab("#00ff00", Self.normal))
        let d = Self.de2000(Self.lab("#ff0000", Self.deuteranopia), Self.lab("#00ff00", Self.deuteranopia))
        #expect(d < n / 2)
    }

    @Test func lightPaletteStaysDistinctUnderColourVisionDeficiencies() {
        let t = SVGTheme.light
        let fills = Self.minDistance(t.fills)
        #expect(fills.0 >= 8, "kind fills too close: \(fills)")
        let edges = Self.minDistance(t.edgeColors)
        #expect(edges.0 >= 15, "relation colours too close: \(edges)")
        // Readable: dark text on every fill, every relation line visible on white.
        for f in t.fills { #expect(Self.contrast(f, t.text) >= 6.5, "\(f)") }
        for e in t.edgeColors { #expect(Self.contrast(e, t.background) >= 3, "\(e)") }
        for s in t.strokes { #expect(Self.contrast(s, t.background) >= 3, "\(s)") }
    }

    @Test func darkThemeIsReadable() {
        let t = SVGTheme.dark
        for f in t.fills { #expect(Self.contrast(f, t.text) >= 4.5, "\(f)") }
        for e in t.edgeColors { #expect(Self.contrast(e, t.background) >= 3, "\(e)") }
        #expect(Self.minDistance(t.edgeColors).0 >= 10)
    }

    @Test func printThemeHoldsInGreyscale() {
        let t = SVGTheme.print
        let greys = t.fills.map { Self.lab($0, Self.normal).0 }
        for i in greys.indices { for j in greys.indices where j > i { #expect(abs(greys[i] - greys[j]) >= 13) } }
        for f in t.fills { #expect(Self.contrast(f, t.text) >= 7) }
        // Every colour is a grey.
        for c in t.fills + t.strokes + t.edgeColors { let v = Self.rgb(c); #expect(v[0] == v[1] && v[1] == v[2], "\(c)") }
        // Kinds: (shape, fill, border) distinct for the first 48; relations: (grey, dash) for the first 10.
        let kinds = (0..<48).map { t.kindStyle(index: $0) }.map { "\($0.shape) \($0.fill) \($0.dash ?? "-")" }
        #expect(Set(kinds).count == 48)
        // The same shapes as the light theme: switching theme keeps the drawing's geometry.
        for i in 0..<48 { #expect(t.kindStyle(index: i).shape == SVGTheme.light.kindStyle(index: i).shape) }
        let rels = (0..<10).map { t.relationStyle(index: $0) }.map { "\($0.color) \($0.dash ?? "-")" }
        #expect(Set(rels).count == 10)
    }

    @Test func kindsAreDistinctAndNeighbouringCyclesChangeShape() {
        let styles = (0..<48).map { SVGTheme.light.kindStyle(index: $0) }
        #expect(Set(styles.map { "\($0.shape) \($0.fill)" }).count == 48)
        for i in 0..<40 { #expect(styles[i].shape != styles[i + 8].shape) }
        #expect(PaletteIndex.of("B", order: ["A", "B"]) == 1)
        #expect(PaletteIndex.of("Zed", order: ["A"]) == PaletteIndex.of("Zed", order: ["A"]))
    }
}

@Suite struct DeckWriterTests {
    @Test func htmlDeckIsSelfContained() throws {
        var slides: [DeckWriter.Slide] = []
        for (i, n) in [3, 5].enumerated() {
            var st = SlideKit.style(); st.idPrefix = "s\(i)-"; st.title = "Slide <\(i)>"
            let svg = try SVGRenderer(style: st).renderSlides(SlideKit.neighbourhood(n, seed: UInt64(n))).slides[0].svg
            slides.append(DeckWriter.Slide(title: "Slide <\(i)>", svg: svg, notes: "note & \(i)", fileName: "0\(i).svg"))
        }
        let html = DeckWriter.html(title: "T & <b>", slides: slides)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<section class=\"slide").count == 3)
        #expect(html.contains("ArrowRight") && html.contains("ArrowLeft"))
        #expect(html.contains("T &amp; &lt;b&gt;") && html.contains("note &amp; 1"))
        #expect(!html.contains("<?xml"))
        for bad in ["<link", "src=", "@import", "https://", "url(http", "fetch(", "XMLHttpRequest"] { #expect(!html.contains(bad), "\(bad)") }
        // ids unique across the page
        let ids = html.components(separatedBy: " id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(Set(ids).count == ids.count, "duplicate ids")
        let md = DeckWriter.marp(title: "T", slides: slides, imageFolder: "slides", size: "16:9")
        #expect(md.hasPrefix("---\nmarp: true\nsize: 16:9"))
        #expect(md.contains("![bg contain](slides/00.svg)") && md.contains("![bg contain](slides/01.svg)"))
        #expect(md.components(separatedBy: "\n---\n").count == 3)
    }
}

/// PNG and PDF drawn from the slide's SVG by librsvg + cairo: real pixels, text where the labels are.
@Suite struct RasterTests {
    static var raster: Rasterizer? {
        do { return try Rasterizer.load() } catch { print("SKIPPED: \(error)"); return nil }
    }

    /// The boxes of every node label line in a slide's SVG (from its text elements, as drawn).
    static func labelBoxes(_ svg: String) -> [(String, Rect)] {
        guard let root = SVGTestKit.parse(svg) else { return [] }
        var out: [(String, Rect)] = []
        for g in root.all() where g.name == "g" && g.attributes["class"] == "node" {
            for t in g.children where t.name == "text" {
                let fs = Double(t.attributes["font-size"] ?? "16") ?? 16
                let bold = t.attributes["font-weight"] == "bold"
                let m = TextMetrics(fontSize: fs, bold: bold, conservative: true)
                let lines: [(String, Double, Double)] = t.children.isEmpty
                    ? [(t.text, Double(t.attributes["x"]!)!, Double(t.attributes["y"]!)!)]
                    : t.children.map { ($0.text, Double($0.attributes["x"]!)!, Double($0.attributes["y"]!)!) }
                for (s, x, y) in lines where !s.isEmpty {
                    let w = m.width(s)
                    out.append((s, Rect(x: x - w / 2, y: y - 0.7 * fs, width: w, height: 0.85 * fs)))
                }
            }
        }
        return out
    }

    static func luminance(_ argb: UInt32) -> Double {
        let r = Double((argb >> 16) & 0xFF), g = Double((argb >> 8) & 0xFF), b = Double(argb & 0xFF)
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
    }

    @Test func pngHasTextWhereTheLabelsAre() throws {
        guard let raster = Self.raster else { return }
        var st = SlideKit.style(); st.title = "Pixels"
        let svg = try SVGRenderer(style: st).renderSlides(SlideKit.neighbourhood(6, seed: 12)).slides[0].svg
        let png = try raster.png(svg, scale: 2)
        // Size from the header: twice the slide.
        let b = [UInt8](png)
        func be32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        #expect(be32(16) == 2560 && be32(20) == 1440)
        #expect(Rasterizer.sourceDigest(of: png) == Rasterizer.digest(svg))
        let px = try raster.decodePNG(png)
        #expect(px.width == 2560 && px.height == 1440)
        // Not blank: plenty of drawn pixels in several colours.
        let drawn = px.argb.lazy.filter { $0 & 0xFFFFFF != 0xFFFFFF }.count
        #expect(drawn > px.argb.count / 20)
        #expect(Set(px.argb.prefix(2_000_000)).count > 50)
        // Dark pixels inside every label line's box, none in the slide's top-left corner.
        let boxes = Self.labelBoxes(svg)
        #expect(boxes.count >= 6)
        for (text, r) in boxes {
            var dark = 0, total = 0
            for y in Int(r.minY * 2)..<Int(r.maxY * 2) { for x in Int(r.minX * 2)..<Int(r.maxX * 2) {
                total += 1
                if Self.luminance(px.argb[y * px.width + x]) < 0.35 { dark += 1 }
            } }
            #expect(Double(dark) > 0.04 * Double(total), "no text drawn for '\(text)': \(dark) of \(total) dark pixels")
        }
        let corner = (0..<20).flatMap { y in (0..<20).map { x in px.argb[y * px.width + x] } }
        #expect(corner.allSatisfy { Self.luminance($0) > 0.95 })
        // Same SVG, same PNG.
        #expect(try raster.png(svg, scale: 2) == png)
    }

    @Test func pdfIsOneVectorPageWithTheText() throws {
        guard let raster = Self.raster else { return }
        let svg = try SVGRenderer(style: SlideKit.style()).renderSlides(SlideKit.neighbourhood(4, seed: 3) { ["Alpha", "Beta", "Gamma", "Delta"][$0] }).slides[0].svg
        let pdf = try raster.pdf(svg, title: "T")
        let text = String(decoding: pdf, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-"))
        #expect(text.contains("960 540"), "page is not 960×540 pt")
        #expect(Rasterizer.sourceDigest(of: pdf) == Rasterizer.digest(svg))
        #expect(try raster.pdf(svg, title: "T") == pdf, "PDF output differs between runs")
        if let pdftotext = Support.which("pdftotext") {
            let dir = Support.tempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let f = dir.appendingPathComponent("a.pdf")
            try pdf.write(to: f)
            let r = try Support.run(pdftotext, [f.path, "-"])
            for w in ["Alpha", "Beta", "Gamma", "Delta"] { #expect(r.1.contains(w), "'\(w)' is not text in the PDF: \(r.1)") }
        } else {
            print("SKIPPED (part): pdftotext not installed (poppler-utils); the PDF's text is not read back")
        }
    }

    @Test func brokenSVGIsAnErrorNotACrash() throws {
        guard let raster = Self.raster else { return }
        #expect(throws: Rasterizer.Unavailable.self) { try raster.png("<svg width=\"10\" height=\"10\"><g></svg>") }
        #expect(throws: Rasterizer.Unavailable.self) { try raster.png("<svg></svg>") }
    }
}

/// SVG, DOT and Mermaid give each kind of the same graph the same colour.
@Suite struct OnePaletteTests {
    @Test func dotMermaidAndSVGAgree() throws {
        let g = Support.load(Support.sampleKG)
        let sub = Subgraph.whole(g)
        let svg = try SVGRenderer().render(SVGGraph.diagram(g, sub)).svg
        let root = try #require(SVGTestKit.parse(svg))
        var svgFill: [String: String] = [:]
        for n in root.all() where n.name == "g" && n.attributes["class"] == "node" {
            let shape = n.children.first { ["rect", "polygon"].contains($0.name) }
            svgFill[n.attributes["data-kind"]!] = shape?.attributes["fill"]?.lowercased()
        }
        let dot = DotWriter.write(g, sub)
        let mermaid = MermaidWriter.write(g, sub)
        #expect(!svgFill.isEmpty)
        for (kind, fill) in svgFill {
            #expect(ExportKindStyle.colour(of: kind, schema: g.schema).lowercased() == fill)
            #expect(dot.lowercased().contains("fillcolor=\"\(fill)\""), "DOT lacks \(kind)'s \(fill)")
            #expect(mermaid.lowercased().contains("fill:\(fill)"), "Mermaid lacks \(kind)'s \(fill)")
        }
    }
}
