import Foundation
import KGLayout

/// A selection drawn as slides: one, or a numbered series when it cannot be read on one.
public struct SlideSeriesResult: Sendable {
    public var slides: [SVGRenderResult]
    /// Notes for the user (the series and why; a slide drawn below the readable sizes with --allow-small).
    public var warnings: [String]
}

/// Why a selection cannot become slides.
public struct SlideError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Slides: the drawing is laid out straight in the slide's pixels (1280×720 for 16:9, 960×720 for
/// 4:3), so the font sizes written are the sizes on the slide. For each slide the renderer tries the
/// concept map around the focus (columns: incoming left, outgoing right, or balanced; radial on an
/// ellipse), and the layered layout top-to-bottom and left-to-right, unwrapped or wrapped into two or
/// three rows or columns; a story (nodes in argument order) is laid out left to right in rows. Each
/// candidate is drawn at the largest text size that fits (between the readable minimum and a cap
/// that depends on the number of concepts), stretched to fill the frame, and measured as the slide
/// checker measures it; the one with the largest text wins (fewer crossings break ties; the concept
/// map is preferred around a focus). When no candidate passes, the selection becomes a series.
extension SVGRenderer {
    public func renderSlides(_ d: SVGDiagram) throws -> SlideSeriesResult {
        try Self.validate(d)
        guard let format = style.slide else { throw SlideError("no slide format") }
        var cache: [String: Rendered] = [:]
        func best(_ part: SVGDiagram, title: String?) -> Rendered? {
            let key = Self.signature(part, title: title)
            if let r = cache[key] { return r }
            let r = bestSlide(part, title: title, format: format)
            if let r { cache[key] = r }
            return r
        }
        var quickCache: [String: Bool] = [:]
        let asked = style.slideLayout != .auto || style.direction != nil
        func fits(_ part: SVGDiagram, title: String?) -> Bool {
            let key = Self.signature(part, title: title)
            if let r = quickCache[key] { return r }
            // With --layout/--direction, a part must fit the way asked; only the smallest parts
            // (a concept and a neighbour or two) may be drawn another way.
            var r = bestSlide(part, title: title, format: format, quick: true, requestedOnly: asked) != nil
            if !r && asked && part.nodes.count <= 3 { r = bestSlide(part, title: title, format: format, quick: true) != nil }
            quickCache[key] = r
            return r
        }
        var otherwise = 0
        if d.nodes.isEmpty {
            let r = emptySlide(format: format)
            return SlideSeriesResult(slides: [r], warnings: ["nothing selected: the slide is empty"])
        }
        let baseTitle = style.title.flatMap { $0.isEmpty ? nil : $0 }
        let cap = style.maxNodesPerSlide
        // One slide, when it is readable.
        if cap.map({ d.nodes.count <= $0 }) ?? true, let r = best(d, title: baseTitle), r.asRequested || !asked || d.nodes.count <= 3 {
            return SlideSeriesResult(slides: [r.result], warnings: r.asRequested ? [] : [Self.otherwiseNote(1, of: 1, style: style)])
        }
        if style.allowSmall {
            let r = smallSlide(d, title: baseTitle, format: format)
            return SlideSeriesResult(slides: [r], warnings: r.warnings)
        }
        // A series.
        let parts = try SlideSeries.plan(d, maxNodes: cap, maxSlides: style.maxSlides, progress: style.progress.map { p in { p($0) } }) { part in
            fits(part, title: baseTitle.map { $0 + " (88/88)" } ?? "88/88")
        }
        var slides: [SVGRenderResult] = []
        for (i, part) in parts.enumerated() {
            let t = SlideSeries.title(base: baseTitle, part: part, index: i + 1, count: parts.count, diagram: d)
            // The planner checked each part with a placeholder title; a longer title can take room,
            // so fall back to any readable drawing, then to the short title.
            let short = (baseTitle ?? (d.focus.map { d.nodes[$0].label } ?? "Concept map")) + " (\(i + 1)/\(parts.count))"
            guard var r = best(part.diagram, title: t) ?? bestSlide(part.diagram, title: t, format: format, quick: true)
                    ?? best(part.diagram, title: short) ?? bestSlide(part.diagram, title: short, format: format, quick: true) else {
                throw SlideError("slide \(i + 1) of the series could not be drawn readably")
            }
            // Ids unique across the series (several slides inline in one page).
            if !style.idPrefix.isEmpty { r.scene.idPrefix = style.idPrefix + "\(i + 1)-" }
            var res = r.result
            res.title = t
            slides.append(res)
            if !r.asRequested { otherwise += 1 }
        }
        let what = d.story ? "the story" : (d.focus.map { "the neighbourhood of \(d.nodes[$0].label)" } ?? "the selection")
        let capText = cap.map { "at most \($0) concepts a slide, " } ?? ""
        let note = "\(what) (\(d.nodes.count) concepts, \(d.edges.count) relations) does not fit one slide at "
            + "\(Int(style.minNodeFontSize)) px names: drawn as a series of \(slides.count) slides (\(capText)\(SlideSeries.how(parts)))"
        return SlideSeriesResult(slides: slides, warnings: [note] + (otherwise > 0 ? [Self.otherwiseNote(otherwise, of: slides.count, style: style)] : []))
    }

    static func otherwiseNote(_ k: Int, of n: Int, style: SVGStyle) -> String {
        let what = style.direction.map { "--direction \($0.rawValue)" } ?? "--layout \(style.slideLayout.rawValue)"
        return "\(what) could not draw \(k == n && n == 1 ? "the slide" : "\(k) of the \(n) slides") readably; \(k == 1 ? "it is" : "they are") drawn in the layout that reads best instead"
    }

    /// A drawn candidate: the scene (written to SVG only once chosen), its layout, measures and score.
    struct Rendered {
        var scene: SVGScene
        var layout: LayoutResult
        var quality: SlideQuality
        var score: Double
        /// Drawn the way --layout / --direction asked (true when they asked nothing).
        var asRequested = true
        var result: SVGRenderResult {
            SVGRenderResult(svg: (try? scene.svg()) ?? "", layout: layout, warnings: [], quality: quality)
        }
    }

    static func signature(_ d: SVGDiagram, title: String?) -> String {
        var s = (title ?? "") + "|" + (d.focus.map(String.init) ?? "-") + "|" + (d.story ? "s" : "")
        for n in d.nodes { s += "|" + n.id + (n.isMore ? "+" + n.label : "") }
        for e in d.edges { s += "|\(e.source)>\(e.target):\(e.type)" }
        return s
    }

    // MARK: frame

    struct Frame {
        var slide: (width: Double, height: Double)
        var rect: Rect
        var title: SVGScene.Text?
        var legend: [SVGScene.LegendElement]
    }

    static let slideMargin = 16.0
    static let titleFont = 30.0
    static let legendFont = 16.0

    func frame(_ d: SVGDiagram, prepared p: Prepared, title: String?, format: SlideFormat) -> Frame {
        let (W, H) = format.size
        let m = Self.slideMargin
        var top = m
        var titleText: SVGScene.Text? = nil
        if let t = title, !t.isEmpty {
            var fs = Self.titleFont
            let single = t.split(whereSeparator: \.isNewline).joined(separator: " ")
            var line = single
            while fs > 20 && TextMetrics(fontSize: fs, bold: true, conservative: true).width(line) > W - 2 * m { fs -= 1 }
            let metrics = TextMetrics(fontSize: fs, bold: true, conservative: true)
            if metrics.width(line) > W - 2 * m {
                while !line.isEmpty && metrics.width(line + "…") > W - 2 * m { line.removeLast() }
                line += "…"
            }
            titleText = SVGScene.Text(lines: [line], at: Point(x: W / 2, y: top + fs * 0.62), fontSize: fs, bold: true,
                                      fill: style.theme.text)
            top += fs * 1.25 + 12
        }
        var bottom = H - m
        let (legend, lh, lw) = Self.legend(d, prepared: p, theme: style.theme, mode: style.legendMode, fontSize: Self.legendFont,
                                           at: Point(x: m, y: 0), maxWidth: W - 2 * m, markerSize: 12)
        var placed: [SVGScene.LegendElement] = []
        if !legend.isEmpty {
            let y0 = H - m - lh
            let dx = max(0, (W - 2 * m - lw) / 2)
            for el in legend {
                switch el {
                case .text(var t): t.at.x += dx; t.at.y += y0; placed.append(.text(t))
                case .shape(let s, let r, let f, let st): placed.append(.shape(s, Rect(x: r.x + dx, y: r.y + y0, width: r.width, height: r.height), fill: f, stroke: st))
                case .line(let a, let b, let c, let dsh, let w, let mk):
                    placed.append(.line(Point(x: a.x + dx, y: a.y + y0), Point(x: b.x + dx, y: b.y + y0), color: c, dash: dsh, width: w, marker: mk))
                }
            }
            bottom = y0 - 10
        }
        return Frame(slide: (W, H), rect: Rect(x: m, y: top, width: W - 2 * m, height: max(40, bottom - top)), title: titleText,
                     legend: placed)
    }

    // MARK: sizes at a font

    struct Sized {
        var graph: LayoutGraph
        var nodeLines: [[String]]
        var edgeLines: [[String]?]
        var nodeFont: Double
        var edgeFont: Double
    }

    func edgeFont(for f: Double) -> Double { max(style.minEdgeFontSize, (f * 0.75 * 2).rounded(.down) / 2) }

    func sized(_ d: SVGDiagram, prepared p: Prepared, font f: Double, wrapEm: Double) -> Sized {
        let e = edgeFont(for: f)
        let focusIndex = d.focus
        var g = LayoutGraph()
        var nodeLines: [[String]] = [], edgeLines: [[String]?] = []
        for (i, node) in d.nodes.enumerated() {
            let bold = i == focusIndex && !node.isMore
            let m = TextMetrics(fontSize: f, bold: bold, conservative: true)
            // Whole words where they fit: a word wider than the wrap width widens the box instead of breaking.
            var maxW = min(max(wrapEm * f, m.widestPiece(node.label)), 18 * f)
            // A long name gets a wider box before it gets cut: four lines if 18 em allow.
            if m.wrap(node.label, maxWidth: maxW).count > 4 { maxW = min(18 * f, max(maxW, m.width(node.label) / 3.6)) }
            let lines = Self.clamp(m.wrap(node.label, maxWidth: maxW), maxLines: node.isMore ? 5 : 4, maxWidth: maxW, metrics: m)
            let textW = lines.map { m.width($0) }.max() ?? 0
            let h = m.height(lines: lines.count) + 0.6 * f
            let shape: NodeShape = node.isMore ? .roundedRect : style.theme.kindStyle(index: p.kindIndex[node.kind] ?? 0).shape
            let w = max(3 * f, textW + 1.1 * f + Self.shapeExtra(shape, height: h))
            g.nodes.append(LayoutNode(width: w, height: h))
            nodeLines.append(lines)
        }
        let em = TextMetrics(fontSize: e, conservative: true)
        for edge in d.edges {
            var le = LayoutEdge(source: edge.source, target: edge.target)
            if let label = edge.label, !label.allSatisfy(\.isWhitespace) {
                let lines = Self.clamp(em.wrap(label, maxWidth: 10 * e), maxLines: 3, maxWidth: 10 * e, metrics: em)
                le.labelWidth = (lines.map { em.width($0) }.max() ?? 0) + 0.8 * e
                le.labelHeight = em.height(lines: lines.count) + 0.4 * e
                edgeLines.append(lines)
            } else { edgeLines.append(nil) }
            g.edges.append(le)
        }
        return Sized(graph: g, nodeLines: nodeLines, edgeLines: edgeLines, nodeFont: f, edgeFont: e)
    }

    /// Largest concept-name size worth drawing: big text for a few concepts, smaller for many.
    func fontCap(_ n: Int) -> Double {
        let cap: Double = n <= 2 ? 44 : n <= 4 ? 40 : n <= 7 ? 36 : 32
        return max(cap, style.minNodeFontSize)
    }

    func ladder(_ n: Int) -> [Double] {
        let lo = style.minNodeFontSize, hi = fontCap(n)
        var out: [Double] = []
        var f = hi
        while f > lo + 1e-9 { out.append(f); f -= f > 30 ? 4 : 2 }
        out.append(lo)
        return out
    }

    func layeredOptions(font f: Double, direction: LayoutDirection) -> LayoutOptions {
        var o = style.layout
        o.direction = direction
        o.nodeSeparation = 1.1 * f
        o.edgeSeparation = 0.45 * f
        o.rankSeparation = 2.0 * f
        o.componentSeparation = 1.6 * f
        o.portSeparation = 0.55 * f
        o.selfLoopSize = 0.9 * f
        o.trackSeparation = 0.5 * f
        o.wrapSeparation = 1.4 * f
        o.targetAspect = nil
        // Slides hold a dozen concepts: two acyclic orientations and two restarts find the best order.
        o.alternativeCycleRemovers = [DFSCycleRemover()]
        o.crossingMinimizer = LayerSweepMinimizer(restarts: 2, maxIterations: 12, patience: 4)
        return o
    }

    // MARK: choosing a layout

    enum Kind { case map, radial, layered, story }

    /// The best readable slide for `d`, or nil when none meets the sizes.
    /// - Parameter quick: any readable candidate will do (the series planner only asks whether a part fits).
    func bestSlide(_ d: SVGDiagram, title: String?, format: SlideFormat, quick: Bool = false, requestedOnly: Bool = false) -> Rendered? {
        let p = prepare(d)
        let fr = frame(d, prepared: p, title: title, format: format)
        let n = d.nodes.count
        if Self.debug { FileHandle.standardError.write(Data("slide '\(title ?? "")': \(n) concepts, \(d.edges.count) relations, frame \(Int(fr.rect.width))×\(Int(fr.rect.height))\n".utf8)) }
        if n == 1 && d.edges.isEmpty { return cardSlide(d, prepared: p, frame: fr) }
        let choice = d.story && style.slideLayout == .auto ? SlideLayout.story : style.slideLayout
        let centre = d.focus ?? Self.hub(d)
        var found: [Rendered] = []
        // Every kind of candidate is tried; one the user asked for (--layout, --direction) wins whenever
        // it is readable, another is used only when it is not (the series says so).
        let wantMap = choice != .story && centre != nil
        let wantLayered = choice != .story
        // Concept maps: straight into the frame, largest font first.
        if wantMap, let c = centre {
            var shapes: [(ConceptMapLayout.Shape, ConceptMapLayout.Sides)] = []
            shapes = [(.columns, .byDirection), (.columns, .balanced), (.ellipse, .byDirection)]
            fontLoop: for f in quick ? [style.minNodeFontSize] : ladder(n) {
                var atThisFont: [Rendered] = []
                for wrapEm in [12.0, 8.5] {
                    let s = sized(d, prepared: p, font: f, wrapEm: wrapEm)
                    for (shape, sides) in shapes {
                        var cm = ConceptMapLayout(width: fr.rect.width, height: fr.rect.height, shape: shape, sides: sides)
                        cm.nodeGap = 0.6 * f
                        cm.labelPad = 0.2 * s.edgeFont
                        cm.routeClearance = 0.15 * f
                        cm.arrowClearance = max(12, s.edgeFont * 0.8) + 0.3 * f
                        cm.edgeGroup = d.edges.map { p.typeIndex[$0.type] ?? 0 }
                        guard let l = cm.layout(s.graph, focus: c) else {
                            if Self.debug { FileHandle.standardError.write(Data("  map \(shape) \(sides) wrap \(wrapEm) font \(f): no placement\n".utf8)) }
                            continue
                        }
                        let kind: Kind = shape == .ellipse ? .radial : .map
                        if let r = candidate(d, prepared: p, sized: s, layout: l, frame: fr, kind: kind, centred: false,
                                             note: "\(shape) \(sides) wrap \(wrapEm)", quick: quick, requestedOnly: requestedOnly) {
                            atThisFont.append(r)
                            if quick { return r }
                        }
                    }
                }
                if let b = atThisFont.max(by: { $0.score < $1.score }) { found.append(b); break fontLoop }
            }
        }
        // Layered (and story): laid out once at the smallest font, scaled to the frame, redrawn at that size.
        if wantLayered || choice == .story {
            var configs: [(LayoutDirection, Int, Double?, Bool)] = []  // direction, wrap, balance aspect, story
            if choice == .story {
                for w in 1...6 { configs.append((.leftToRight, w, nil, true)) }
            } else {
                let dirs: [LayoutDirection] = [.topToBottom, .leftToRight]
                let aspect = fr.rect.width / fr.rect.height
                for dir in dirs {
                    // Wrapping only where each row or column keeps at least three concepts.
                    for w in 1...3 where w == 1 || n >= 3 * w { for a in [nil, aspect] { configs.append((dir, w, a, false)) } }
                }
            }
            let f0 = style.minNodeFontSize
            for wrapEm in (choice == .story ? [9.0, 13.0] : [9.0]) {
                let base = sized(d, prepared: p, font: f0, wrapEm: wrapEm)
                var tried = Set<String>()
                for (dir, wrap, aspect, story) in configs {
                    var o = layeredOptions(font: f0, direction: dir)
                    o.wrap = wrap
                    o.targetAspect = aspect
                    if story { o.fixedRanks = Self.storyRanks(d) }
                    let natural = LayeredLayout(options: o).layout(base.graph)
                    let key = "\(dir)\(Int(natural.width))x\(Int(natural.height))"
                    if !tried.insert(key).inserted { continue }
                    let k = min(fr.rect.width / max(1, natural.width), fr.rect.height / max(1, natural.height))
                    if Self.debug { FileHandle.standardError.write(Data("  layered \(dir) wrap \(wrap) natural \(Int(natural.width))×\(Int(natural.height))\n".utf8)) }
                    if k < 1 - 1e-9 { continue }
                    let top = quick ? f0 : min(fontCap(n), (f0 * k * 2).rounded(.down) / 2)
                    var sizes: [Double] = []
                    var x = top
                    while x > f0 + 1e-9 { sizes.append(x); x -= 2 }
                    sizes.append(f0)
                    for f in sizes {
                        let s = sized(d, prepared: p, font: f, wrapEm: wrapEm)
                        var o2 = layeredOptions(font: f, direction: dir)
                        o2.wrap = wrap; o2.targetAspect = aspect
                        if story { o2.fixedRanks = o.fixedRanks }
                        o2.fitWidth = fr.rect.width; o2.fitHeight = fr.rect.height
                        let l = LayeredLayout(options: o2).layout(s.graph)
                        if l.width <= fr.rect.width + 0.5 && l.height <= fr.rect.height + 0.5,
                           let r = candidate(d, prepared: p, sized: s, layout: l, frame: fr, kind: story ? .story : .layered, centred: true,
                                             note: "\(dir) wrap \(wrap) balance \(aspect != nil)", wraps: story ? 1 : wrap, quick: quick,
                                             direction: dir, requestedOnly: requestedOnly) {
                            if quick { return r }
                            found.append(r); break
                        }
                    }
                }
            }
        }
        if found.isEmpty && choice == .story {
            // A story too short to fill a slide in rows: draw it as any other selection.
            var plain = d
            plain.story = false
            var st = self.style
            st.slideLayout = .auto
            return SVGRenderer(style: st).bestSlide(plain, title: title, format: format, quick: quick)
        }
        return found.max { $0.score < $1.score }
    }

    /// Whether a candidate is what --layout / --direction asked for (auto asks for nothing).
    static func requested(_ kind: Kind, direction: LayoutDirection?, style: SVGStyle) -> Bool {
        if let d = style.direction { return kind == .layered && direction == d || kind == .story && d == .leftToRight }
        switch style.slideLayout {
        case .auto: return false
        case .map: return kind == .map
        case .radial: return kind == .radial
        case .layered: return kind == .layered
        case .story: return kind == .story
        }
    }

    /// Columns of a story: concepts in argument order, each one column after the latest concept it is
    /// related to that came before it (a concept without such a relation: after everything so far).
    /// Concepts introduced by the same earlier one share a column, read top to bottom.
    static func storyRanks(_ d: SVGDiagram) -> [Int] {
        let n = d.nodes.count
        var adj = [[Int]](repeating: [], count: n)
        for e in d.edges where e.source != e.target { adj[e.source].append(e.target); adj[e.target].append(e.source) }
        var level = [Int](repeating: 0, count: n)
        var top = -1
        for v in 0..<n {
            let earlier = adj[v].filter { $0 < v }
            level[v] = earlier.isEmpty ? top + 1 : (earlier.map { level[$0] }.max()! + 1)
            top = max(top, level[v])
        }
        return level.map { 2 * $0 }
    }

    /// The node every other is at most two steps from, with the most relations (a neighbourhood
    /// without a declared focus still gets a concept map).
    static func hub(_ d: SVGDiagram) -> Int? {
        let n = d.nodes.count
        guard n > 1 else { return n == 1 ? 0 : nil }
        var adj = [[Int]](repeating: [], count: n)
        for e in d.edges where e.source != e.target { adj[e.source].append(e.target); adj[e.target].append(e.source) }
        let order = (0..<n).sorted { (-adj[$0].count, $0) < (-adj[$1].count, $1) }
        for c in order.prefix(3) {
            var dist = [Int](repeating: -1, count: n)
            dist[c] = 0
            var q = [c], h = 0
            while h < q.count { let v = q[h]; h += 1; for w in adj[v] where dist[w] < 0 { dist[w] = dist[v] + 1; q.append(w) } }
            if !dist.contains(where: { $0 < 0 || $0 > 2 }) { return c }
        }
        return nil
    }

    /// Draws a laid-out candidate into the frame, measures it, and scores it (nil when it fails a check).
    static let debug = ProcessInfo.processInfo.environment["KG_SLIDE_DEBUG"] != nil

    func candidate(_ d: SVGDiagram, prepared p: Prepared, sized s: Sized, layout l: LayoutResult, frame fr: Frame,
                   kind: Kind, centred: Bool, note: String = "", wraps: Int = 1, quick: Bool = false,
                   direction: LayoutDirection? = nil, requestedOnly: Bool = false) -> Rendered? {
        if requestedOnly && !Self.requested(kind, direction: direction, style: style) { return nil }
        let origin = centred
            ? Point(x: fr.rect.x + (fr.rect.width - l.width) / 2, y: fr.rect.y + (fr.rect.height - l.height) / 2)
            : Point(x: fr.rect.x, y: fr.rect.y)
        let scene = slideScene(d, prepared: p, sized: s, layout: l, frame: fr, origin: origin, kind: kind)
        let q = SlideQuality.measure(scene, slide: fr.slide, crossings: !quick)
        let problems = q.problems(minNode: style.minNodeFontSize, minEdge: style.minEdgeFontSize, minFill: style.minFill)
        if Self.debug {
            FileHandle.standardError.write(Data("  candidate \(kind) \(note) font \(s.nodeFont): \(problems.isEmpty ? "ok" : problems.joined(separator: "; ")), crossings \(q.crossings), fill \(String(format: "%.2f", q.fill))\n".utf8))
        }
        if !problems.isEmpty { return nil }
        let truncated = s.nodeLines.filter { $0.last?.hasSuffix("…") == true }.count
        // Larger text is better, up to a point; crossings, cut names and wrapped rows cost; around a
        // focus the concept map is what the reader expects.
        let f = s.nodeFont
        var score = min(f, 28) + 0.5 * max(0, f - 28) - 1.5 * Double(q.crossings) - 10 * Double(truncated)
        if d.focus != nil && (kind == .map || kind == .radial) && style.slideLayout == .auto && style.direction == nil { score += 6 }
        if Self.requested(kind, direction: direction, style: style) { score += 100 }
        if kind == .map { score += 0.5 }
        score += min(q.fill, 0.9) * 2 - 3 * Double(max(0, wraps - 1))
        let asked = style.slideLayout == .auto && style.direction == nil
        return Rendered(scene: scene, layout: l, quality: q, score: score,
                        asRequested: asked || Self.requested(kind, direction: direction, style: style))
    }

    func slideScene(_ d: SVGDiagram, prepared p: Prepared, sized s: Sized, layout l: LayoutResult, frame fr: Frame,
                    origin: Point, kind: Kind) -> SVGScene {
        let theme = style.theme
        let (W, H) = fr.slide
        let how: String
        switch kind {
        case .map: how = "concept map"
        case .radial: how = "radial concept map"
        case .layered: how = "layered layout"
        case .story: how = "story in argument order"
        }
        var scene = SVGScene(width: W, height: H, viewBox: Rect(x: 0, y: 0, width: W, height: H), background: theme.background,
                             fontFamily: style.fontFamily,
                             documentTitle: fr.title?.lines.first ?? (style.title.flatMap { $0.isEmpty ? nil : $0 } ?? "Concept map"),
                             desc: "\(d.nodes.filter { !$0.isMore }.count) concepts, \(d.edges.filter { $0.type != SlideSeries.moreType }.count) relations; drawn by kg (\(how), slide \(Int(W))×\(Int(H)))")
        scene.idPrefix = style.idPrefix
        scene.title = fr.title
        scene.legend = fr.legend
        let stroke = max(2.5, s.nodeFont / 10)
        Self.fill(&scene, d, prepared: p, layout: l, offset: origin, theme: theme, nodeFont: s.nodeFont, edgeFont: s.edgeFont,
                  strokeWidth: stroke, focusStroke: stroke * 2, markerSize: max(12, s.edgeFont * 0.8), nodeLines: s.nodeLines,
                  edgeLines: s.edgeLines, boldFocus: true)
        return scene
    }

    /// One concept alone: a card filling the slide with its name, kind and summary.
    func cardSlide(_ d: SVGDiagram, prepared p: Prepared, frame fr: Frame) -> Rendered? {
        let node = d.nodes[0]
        let theme = style.theme
        let box = Rect(x: fr.rect.x + fr.rect.width * 0.04, y: fr.rect.y + fr.rect.height * 0.02,
                       width: fr.rect.width * 0.92, height: fr.rect.height * 0.96)
        let pad = 0.05 * box.width
        let innerW = box.width - 2 * pad
        let ks = theme.kindStyle(index: p.kindIndex[node.kind] ?? 0)
        let extra = 0.0
        let textW = innerW - extra
        for (nameFont, bodyFont) in [(52.0, 32.0), (44.0, 28.0), (36.0, 26.0), (32.0, 24.0), (28.0, 24.0), (24.0, 24.0)] {
            let nm = TextMetrics(fontSize: nameFont, bold: true, conservative: true)
            let bm = TextMetrics(fontSize: bodyFont, conservative: true)
            let nameLines = Self.clamp(nm.wrap(node.label, maxWidth: textW), maxLines: 3, maxWidth: textW, metrics: nm)
            let kindLine = node.isMore || node.kind.isEmpty ? [] : [node.kind]
            let summary = node.summary.map { Self.clamp(bm.wrap($0, maxWidth: textW), maxLines: 6, maxWidth: textW, metrics: bm) } ?? []
            let h = nm.height(lines: nameLines.count) + (kindLine.isEmpty ? 0 : bm.height(lines: 1) + 0.3 * bodyFont)
                + (summary.isEmpty ? 0 : 0.6 * bodyFont + bm.height(lines: summary.count))
            if h > box.height - 2 * pad && nameFont > 24 { continue }
            var y = box.center.y - h / 2
            let nameText = SVGScene.Text(lines: nameLines, at: Point(x: box.center.x, y: y + nm.height(lines: nameLines.count) / 2),
                                         fontSize: nameFont, bold: true, fill: ks.text)
            y += nm.height(lines: nameLines.count)
            var extras: [SVGScene.Text] = []
            if !kindLine.isEmpty {
                y += 0.3 * bodyFont
                extras.append(SVGScene.Text(lines: kindLine, at: Point(x: box.center.x, y: y + bm.height(lines: 1) / 2), fontSize: bodyFont,
                                            fill: ks.text))
                y += bm.height(lines: 1)
            }
            if !summary.isEmpty {
                y += 0.6 * bodyFont
                extras.append(SVGScene.Text(lines: summary, at: Point(x: box.center.x, y: y + bm.height(lines: summary.count) / 2),
                                            fontSize: bodyFont, fill: ks.text))
            }
            let (W, H) = fr.slide
            var scene = SVGScene(width: W, height: H, viewBox: Rect(x: 0, y: 0, width: W, height: H), background: theme.background,
                                 fontFamily: style.fontFamily, documentTitle: fr.title?.lines.first ?? node.label,
                                 desc: "1 concepts, 0 relations; drawn by kg (concept card, slide \(Int(W))×\(Int(H)))")
            scene.idPrefix = style.idPrefix
            scene.title = fr.title
            scene.legend = []
            scene.nodes.append(SVGScene.Node(id: node.id, kind: node.kind, tooltip: node.tooltip, rect: box, shape: .roundedRect,
                                             fill: ks.fill, stroke: ks.stroke, strokeWidth: 4, dashed: ks.dash != nil,
                                             text: nameText, extraTexts: extras))
            let q = SlideQuality.measure(scene, slide: fr.slide)
            guard q.problems(minNode: style.minNodeFontSize, minEdge: style.minEdgeFontSize, minFill: style.minFill).isEmpty else { continue }
            let layout = LayoutResult(nodes: [box], edges: [], width: box.width, height: box.height, layerCrossings: 0)
            return Rendered(scene: scene, layout: layout, quality: q, score: nameFont)
        }
        return nil
    }

    func emptySlide(format: SlideFormat) -> SVGRenderResult {
        let (W, H) = format.size
        var scene = SVGScene(width: W, height: H, viewBox: Rect(x: 0, y: 0, width: W, height: H), background: style.theme.background,
                             fontFamily: style.fontFamily, documentTitle: style.title ?? "Concept map",
                             desc: "0 concepts, 0 relations; drawn by kg")
        scene.idPrefix = style.idPrefix
        scene.message = SVGScene.Text(lines: ["No concepts selected"], at: Point(x: W / 2, y: H / 2), fontSize: style.minNodeFontSize,
                                      fill: style.theme.mutedText)
        let svg = (try? scene.svg()) ?? ""
        return SVGRenderResult(svg: svg, layout: LayoutResult(nodes: [], edges: [], width: 0, height: 0, layerCrossings: 0), warnings: [],
                               quality: SlideQuality.measure(scene, slide: (W, H)))
    }

    /// `--allow-small`: everything on one slide, scaled down as far as needed, with a warning that says
    /// how small the text comes out.
    func smallSlide(_ d: SVGDiagram, title: String?, format: SlideFormat) -> SVGRenderResult {
        let p = prepare(d)
        let fr = frame(d, prepared: p, title: title, format: format)
        let f0 = style.minNodeFontSize
        var best: (LayoutResult, Double, LayoutDirection)? = nil
        let dirs = style.direction.map { [$0] } ?? [.topToBottom, .leftToRight]
        let s = sized(d, prepared: p, font: f0, wrapEm: 9)
        for dir in dirs {
            for wrap in 1...(d.nodes.count > 60 ? 1 : 3) {
                var o = layeredOptions(font: f0, direction: dir)
                o.wrap = wrap
                o.targetAspect = fr.rect.width / fr.rect.height
                if d.story { o.fixedRanks = Self.storyRanks(d); if dir == .topToBottom { continue } }
                let l = LayeredLayout(options: o).layout(s.graph)
                let k = min(fr.rect.width / max(1, l.width), fr.rect.height / max(1, l.height))
                if best == nil || k > best!.1 { best = (l, k, dir) }
            }
        }
        let (l, k, _) = best!
        let scale = min(1, k)
        // Draw at the reduced sizes: the layout scaled about the frame's corner.
        let scaled = Sized(graph: s.graph, nodeLines: s.nodeLines, edgeLines: s.edgeLines, nodeFont: f0 * scale, edgeFont: s.edgeFont * scale)
        func sc(_ q: Point) -> Point { Point(x: q.x * scale, y: q.y * scale) }
        func sc(_ r: Rect) -> Rect { Rect(x: r.x * scale, y: r.y * scale, width: r.width * scale, height: r.height * scale) }
        let ls = LayoutResult(nodes: l.nodes.map(sc), edges: l.edges.map { EdgeRoute(points: $0.points.map(sc), label: $0.label.map(sc), isSelfLoop: $0.isSelfLoop) },
                              width: l.width * scale, height: l.height * scale, layerCrossings: l.layerCrossings)
        let origin = Point(x: fr.rect.x + (fr.rect.width - ls.width) / 2, y: fr.rect.y + (fr.rect.height - ls.height) / 2)
        let scene = slideScene(d, prepared: p, sized: scaled, layout: ls, frame: fr, origin: origin, kind: d.story ? .story : .layered)
        let q = SlideQuality.measure(scene, slide: fr.slide)
        var warnings: [String] = []
        let probs = q.problems(minNode: style.minNodeFontSize, minEdge: style.minEdgeFontSize, minFill: style.minFill)
        if !probs.isEmpty {
            warnings.append("--allow-small: one slide below the readable sizes: " + probs.joined(separator: "; "))
        }
        return SVGRenderResult(svg: (try? scene.svg()) ?? "", layout: ls, warnings: warnings, quality: q, title: title)
    }
}
