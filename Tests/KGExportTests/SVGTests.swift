import Foundation
import KGExport
import KGLayout
import PropertyBased
import Testing

/// Diagram fixtures for the SVG tests.
enum SVGFixtures {
    static let hostile = [
        "<script>alert(1)</script>", "Tom & Jerry \"quoted\" 'single'", "onload=alert(1)", "]]> <!-- -->",
        "bell\u{07}char\u{01}", "漢字と仮名の概念", "مفهوم عربي", "e\u{301}te\u{301} combining",
        String(repeating: "Averyveryverylongwordwithoutanyspaces", count: 3), "", "   ", "🙂 emoji",
    ]

    static func diagram(nodes: Int, seed: UInt64, labels: [String] = []) -> SVGDiagram {
        var rng = SplitMix64(seed: seed)
        var d = SVGDiagram()
        let kinds = ["Concept", "Technique", "FailureMode", "Study", "Finding", "Threat", "Behaviour"]
        let types = ["SUPPORTS", "UNDERMINES", "CAUSES", "PERSISTS_THROUGH", "IS_A"]
        for i in 0..<nodes {
            let label = labels.isEmpty ? "Concept number \(i) of the map" : labels[i % labels.count]
            d.nodes.append(SVGDiagram.Node(id: "c\(i)", label: label, kind: kinds[Int(rng.next() % UInt64(kinds.count))],
                                           tooltip: "tooltip \(label)"))
        }
        if nodes > 1 {
            for i in 1..<nodes {
                let t = types[Int(rng.next() % UInt64(types.count))]
                d.edges.append(SVGDiagram.Edge(source: Int(rng.next() % UInt64(i)), target: i, type: t, label: SVGGraph.words(t),
                                               tooltip: "evidence \(i)"))
            }
            for _ in 0..<(nodes / 2) {
                let a = Int(rng.next() % UInt64(nodes)), b = Int(rng.next() % UInt64(nodes))
                d.edges.append(SVGDiagram.Edge(source: a, target: b, type: types[a % types.count], label: SVGGraph.words(types[a % types.count]),
                                               tooltip: "extra"))
            }
        }
        return d
    }
}

@Suite struct SVGWriterTests {
    /// Checks the rules every SVG must keep, whatever its labels contain.
    func checkSafeAndWellFormed(_ svg: String, nodes: Int, edges: Int) {
        guard let root = SVGTestKit.parse(svg) else { Issue.record("not well-formed XML"); return }
        #expect(root.name == "svg")
        #expect(root.attributes["version"] == "1.1")
        #expect(root.attributes["viewBox"] != nil)
        #expect(root.attributes["font-family"]?.hasSuffix("sans-serif") == true)
        for e in root.all() {
            #expect(!["script", "style", "foreignObject", "image", "a", "use"].contains(e.name), "element \(e.name)")
            for (k, v) in e.attributes {
                #expect(!k.lowercased().hasPrefix("on"), "event attribute \(k)")
                #expect(k != "style" && k != "class" || e.name == "g", "\(k) on \(e.name)")
                #expect(!k.contains("href"), "reference \(k)")
                if v.contains("url(") { #expect(v.hasPrefix("url(#"), "external reference \(v)") }
            }
        }
        let groups = root.all().filter { $0.name == "g" }
        let nodeGroups = groups.filter { $0.attributes["class"] == "node" }
        let edgeGroups = groups.filter { $0.attributes["class"] == "edge" }
        #expect(nodeGroups.count == nodes)
        #expect(edgeGroups.count == edges)
        let ids = Set(nodeGroups.compactMap { $0.attributes["data-id"] })
        for g in nodeGroups + edgeGroups {
            #expect(g.attributes["id"] != nil)
            #expect(g.children.first?.name == "title")
        }
        for g in edgeGroups {
            #expect(ids.contains(g.attributes["data-source"] ?? "?") && ids.contains(g.attributes["data-target"] ?? "?"))
            // The edge body is the first drawable child (what crossings.py reads), with an arrowhead marker.
            let body = g.children.first { $0.name == "path" }
            #expect(body?.attributes["marker-end"]?.hasPrefix("url(#arrow-") == true)
        }
        let allIDs = root.all().compactMap { $0.attributes["id"] }
        #expect(Set(allIDs).count == allIDs.count, "duplicate ids")
    }

    @Test func hostileLabelsStaySafeAndReadable() throws {
        let d = SVGFixtures.diagram(nodes: SVGFixtures.hostile.count, seed: 3, labels: SVGFixtures.hostile)
        let r = try SVGRenderer().render(d)
        checkSafeAndWellFormed(r.svg, nodes: d.nodes.count, edges: d.edges.count)
        #expect(r.svg.contains("&lt;script&gt;"))
        #expect(!r.svg.contains("\u{07}") && !r.svg.contains("\u{01}"))
        #expect(r.svg.contains("漢字と仮名の概念"))
    }

    @Test func randomLabelsAlwaysGiveValidSVG() async {
        await propertyCheck(count: 40, input: Gen.ascii.string(of: 0...40), Gen.int(in: 1...8)) { label, n in
            let d = SVGFixtures.diagram(nodes: n, seed: UInt64(n), labels: [label, label + " x"])
            guard let r = try? SVGRenderer().render(d) else { Issue.record("render threw"); return }
            checkSafeAndWellFormed(r.svg, nodes: d.nodes.count, edges: d.edges.count)
        }
    }

    @Test(arguments: SVGTheme.Name.allCases)
    func everyThemeRendersTheSameGeometry(theme: SVGTheme.Name) throws {
        var s = SVGStyle(); s.theme = .named(theme)
        let d = SVGFixtures.diagram(nodes: 12, seed: 5)
        let r = try SVGRenderer(style: s).render(d)
        checkSafeAndWellFormed(r.svg, nodes: 12, edges: d.edges.count)
        let light = try SVGRenderer().render(d)
        #expect(r.layout == light.layout)
        #expect(r.svg.contains(SVGTheme.named(theme).background))
        if theme == .print {
            let root = SVGTestKit.parse(r.svg)!
            let strokes = Set(root.all().compactMap { $0.attributes["stroke"] })
            #expect(strokes.isSubset(of: ["#000000", "#555555", "#ffffff"]), "\(strokes)")
        }
    }

    @Test func sameDiagramSameBytes() throws {
        let d = SVGFixtures.diagram(nodes: 30, seed: 9)
        #expect(try SVGRenderer().render(d).svg == SVGRenderer().render(d).svg)
    }

    @Test func nodesDoNotOverlapAndLabelsStayClear() throws {
        let d = SVGFixtures.diagram(nodes: 40, seed: 12)
        let l = try SVGRenderer().render(d).layout
        for i in l.nodes.indices { for j in l.nodes.indices where j > i { #expect(!l.nodes[i].overlaps(l.nodes[j])) } }
        let labels = l.edges.compactMap(\.label)
        for a in labels.indices {
            for n in l.nodes { #expect(!labels[a].overlaps(n)) }
            for b in labels.indices where b > a { #expect(!labels[a].overlaps(labels[b])) }
        }
        // Boxes fit their text: every line of a node's label is narrower than its box.
        let m = TextMetrics(fontSize: SVGStyle().fontSize)
        for (i, node) in d.nodes.enumerated() {
            for line in m.wrap(node.label, maxWidth: SVGStyle().maxLabelWidth) { #expect(m.width(line) < l.nodes[i].width) }
        }
    }

    @Test(arguments: SlideFormat.allCases)
    func slidesGetTheirAspectRatio(slide: SlideFormat) throws {
        var s = SVGStyle(); s.slide = slide; s.title = "A title"
        let r = try SVGRenderer(style: s).render(SlideKit.neighbourhood(6, seed: 1))
        let root = SVGTestKit.parse(r.svg)!
        let vb = root.attributes["viewBox"]!.split(separator: " ").map { Double($0)! }
        #expect(abs(vb[2] / vb[3] - slide.size.width / slide.size.height) < 0.01)
        #expect(root.attributes["width"] == String(Int(slide.size.width)))
        #expect(r.warnings.isEmpty)
        // A big graph cannot be read on one slide: render() gives the first slide of a series and says so.
        let big = try SVGRenderer(style: s).render(SVGFixtures.diagram(nodes: 70, seed: 2))
        #expect(big.warnings.contains { $0.contains("series") })
        #expect(big.quality!.problems(minNode: 24, minEdge: 18, minFill: 0.6).isEmpty)
    }

    @Test func emptyAndSingleNodeDiagrams() throws {
        let empty = try SVGRenderer().render(SVGDiagram())
        checkSafeAndWellFormed(empty.svg, nodes: 0, edges: 0)
        #expect(empty.svg.contains("No concepts selected"))
        let one = try SVGRenderer().render(SVGFixtures.diagram(nodes: 1, seed: 1))
        checkSafeAndWellFormed(one.svg, nodes: 1, edges: 0)
        var bad = SVGDiagram(); bad.edges.append(SVGDiagram.Edge(source: 0, target: 1, type: "X", label: nil, tooltip: ""))
        #expect(throws: XMLWriterError.self) { try SVGRenderer().render(bad) }
    }

    @Test func legendListsKindsAndRelationTypesShown() throws {
        let d = SVGFixtures.diagram(nodes: 10, seed: 4)
        func texts(_ mode: LegendMode, _ d: SVGDiagram) -> Set<String> {
            var s = SVGStyle(); s.legendMode = mode
            let root = SVGTestKit.parse(try! SVGRenderer(style: s).render(d).svg)!
            let legend = root.all().first { $0.attributes["id"] == "legend" }
            return Set(legend?.all().filter { $0.name == "text" }.map(\.text) ?? [])
        }
        let full = texts(.full, d)
        for k in Set(d.nodes.map(\.kind)) { #expect(full.contains(k)) }
        for t in Set(d.edges.map(\.type)) { #expect(full.contains(SVGGraph.words(t)) || full.contains(t)) }
        // auto: the kinds (three or more), not the relation types the labels already name…
        let auto = texts(.auto, d)
        for k in Set(d.nodes.map(\.kind)) { #expect(auto.contains(k)) }
        #expect(!auto.contains("Relations"))
        // …unless the edges carry no labels.
        var bare = d
        for i in bare.edges.indices { bare.edges[i].label = nil }
        #expect(texts(.auto, bare).contains("Relations"))
        #expect(texts(.none, d).isEmpty)
    }

    @Test func veryLongNamesAreCutAfterSixLinesWithTheFullNameInTheTooltip() throws {
        let long = Array(repeating: "interpretability", count: 60).joined(separator: " ")
        let d = SVGDiagram(nodes: [SVGDiagram.Node(id: "x", label: long, kind: "Concept", tooltip: long)])
        let r = try SVGRenderer().render(d)
        let root = SVGTestKit.parse(r.svg)!
        let node = root.all().first { $0.attributes["class"] == "node" }!
        let spans = node.all().filter { $0.name == "tspan" }
        #expect(spans.count == 6)
        #expect(spans.last?.text.hasSuffix("…") == true)
        #expect(node.children.first?.text == long)
        #expect(r.layout.nodes[0].height < 150)
    }

    @Test func kindStylesAreDistinctForTheFirstKinds() {
        let styles = (0..<26).map { SVGTheme.light.kindStyle(index: $0) }
        #expect(Set(styles.map { "\($0.shape)\($0.fill)" }).count == 26)
    }
}

@Suite struct SVGRenderingTests {
    /// Renders with rsvg-convert and checks the PNG has real content (many non-background pixels,
    /// several colours), decoding it with a few lines of Python (zlib, no extra modules).
    @Test func rsvgConvertDrawsANonBlankPicture() throws {
        guard let rsvg = SVGTestKit.which("rsvg-convert"), let py = SVGTestKit.which("python3") else {
            print("SKIP rsvgConvertDrawsANonBlankPicture: rsvg-convert or python3 not installed"); return
        }
        let dir = SVGTestKit.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var s = SVGStyle(); s.title = "Rendering check"
        let svg = try SVGRenderer(style: s).render(SVGFixtures.diagram(nodes: 12, seed: 8)).svg
        let svgURL = dir.appendingPathComponent("d.svg"), png = dir.appendingPathComponent("d.png")
        try svg.write(to: svgURL, atomically: true, encoding: .utf8)
        let r = try SVGTestKit.run(rsvg, ["-o", png.path, svgURL.path])
        #expect(r.status == 0, "\(r.err)")
        let script = """
        import sys, zlib, struct
        d = open(sys.argv[1], 'rb').read(); assert d[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
        i = 8; idat = b''; w = h = 0
        while i < len(d):
            n, t = struct.unpack('>I4s', d[i:i+8]); c = d[i+8:i+8+n]
            if t == b'IHDR': w, h, bd, ct = struct.unpack('>IIBB', c[:10])
            if t == b'IDAT': idat += c
            i += 12 + n
        raw = zlib.decompress(idat); bpp = 4 if ct == 6 else 3; stride = w * bpp
        prev = bytearray(stride); out = []
        for y in range(h):
            f = raw[y*(stride+1)]; line = bytearray(raw[y*(stride+1)+1:(y+1)*(stride+1)])
            for x in range(stride):
                a = line[x-bpp] if x >= bpp else 0; b = prev[x]; cc = prev[x-bpp] if x >= bpp else 0
                if f == 1: line[x] = (line[x] + a) & 255
                elif f == 2: line[x] = (line[x] + b) & 255
                elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
                elif f == 4:
                    p = a + b - cc; pa, pb, pc = abs(p-a), abs(p-b), abs(p-cc)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else cc)) & 255
            out.append(bytes(line)); prev = line
        px = [r[x:x+3] for r in out for x in range(0, stride, bpp)]
        bg = max(set(px[::97]), key=px[::97].count)
        print(w, h, sum(1 for p in px if p != bg), len(set(px)))
        """
        let res = try SVGTestKit.run(py, ["-c", script, png.path])
        #expect(res.status == 0, "\(res.err)")
        let f = res.out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(f.count == 4)
        if f.count == 4 {
            #expect(f[0] > 100 && f[1] > 100)
            #expect(f[2] > f[0] * f[1] / 50, "too few drawn pixels: \(f)")
            #expect(f[3] > 8, "too few colours: \(f)")
        }
    }

    /// The bench's own checker (../shared/bench/crossings.py) reads our SVG: every edge found, no node
    /// overlaps, no edge through a node, on a fixture with hubs, cycles and parallel edges.
    @Test(arguments: [LayoutDirection.topToBottom, .leftToRight])
    func benchCheckerFindsNoOverlapsOrEdgesThroughNodes(direction: LayoutDirection) throws {
        let shared = ProcessInfo.processInfo.environment["KG_SHARED"]
            ?? SVGTestKit.packageRoot.deletingLastPathComponent().appendingPathComponent("shared").path
        let script = (shared as NSString).appendingPathComponent("bench/crossings.py")
        guard FileManager.default.fileExists(atPath: script), let py = SVGTestKit.which("python3") else {
            print("SKIP benchCheckerFindsNoOverlapsOrEdgesThroughNodes: \(script) or python3 not found (set KG_SHARED)"); return
        }
        var s = SVGStyle(); s.direction = direction
        let d = SVGFixtures.diagram(nodes: 40, seed: 21)
        let dir = SVGTestKit.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("f.svg")
        try SVGRenderer(style: s).render(d).svg.write(to: file, atomically: true, encoding: .utf8)
        let r = try SVGTestKit.run(py, [script, file.path, "--mode", "bezier", "--json"])
        #expect(r.status == 0, "\(r.err)")
        guard let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else {
            Issue.record("no JSON from crossings.py: \(r.out)"); return
        }
        #expect(obj["edges"] as? Int == d.edges.count)
        #expect(obj["nodes"] as? Int == d.nodes.count)
        #expect(obj["node_overlaps"] as? Int == 0)
        #expect(obj["edge_node_hits"] as? Int == 0)
    }
}
