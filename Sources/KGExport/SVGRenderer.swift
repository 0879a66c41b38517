import Foundation
import KGLayout

/// What a diagram shows, independent of the graph store: the SVG writer draws this.
public struct SVGDiagram: Sendable {
    public struct Node: Sendable {
        /// Stable identifier (written as `data-id`; edges refer to it in `data-source`/`data-target`).
        public var id: String
        public var label: String
        public var kind: String
        /// Tooltip (`<title>`): a summary of the concept.
        public var tooltip: String
        /// Drawn with a heavier border (e.g. the focus of a neighbourhood view).
        public var emphasised = false
        /// A "+N more" placeholder of a slide series (dashed, muted; not a concept).
        public var isMore = false
        /// A short description (a slide of this concept alone shows it).
        public var summary: String? = nil
        public init(id: String, label: String, kind: String, tooltip: String) {
            self.id = id; self.label = label; self.kind = kind; self.tooltip = tooltip
        }
    }
    public struct Edge: Sendable {
        public var source: Int
        public var target: Int
        public var type: String
        public var label: String?
        /// Tooltip (`<title>`): the evidence for the relation.
        public var tooltip: String
        public init(source: Int, target: Int, type: String, label: String?, tooltip: String) {
            self.source = source; self.target = target; self.type = type; self.label = label; self.tooltip = tooltip
        }
    }
    public var nodes: [Node] = []
    public var edges: [Edge] = []
    /// Stable order of all kinds / relation types (e.g. schema order): fixes each one's style across
    /// diagrams. Kinds or types missing here come after, sorted by name.
    public var kindOrder: [String] = []
    public var typeOrder: [String] = []
    /// How the legend names a relation type (default: the type itself).
    public var typeNames: [String: String] = [:]
    /// The node at the centre of a neighbourhood view (drawn emphasised, placed in the middle of a slide).
    public var focus: Int? = nil
    /// The nodes are in argument order (a story: a query's paths): slides read them left to right,
    /// top to bottom.
    public var story = false
    public init(nodes: [Node] = [], edges: [Edge] = [], kindOrder: [String] = [], typeOrder: [String] = []) {
        self.nodes = nodes; self.edges = edges; self.kindOrder = kindOrder; self.typeOrder = typeOrder
    }
}

/// Aspect ratio of a slide; the drawing is fitted into a canvas of this shape.
public enum SlideFormat: String, CaseIterable, Sendable {
    case wide = "16:9"
    case standard = "4:3"
    /// Reference canvas in pixels (a 16:9 slide is commonly 1280×720 or 1920×1080).
    public var size: (width: Double, height: Double) {
        switch self { case .wide: return (1280, 720); case .standard: return (960, 720) }
    }
}

/// Which parts of the legend are drawn: `auto` shows the kinds when there are three or more and the
/// relation types only when the edges carry no labels (the labels already say the relation).
public enum LegendMode: String, CaseIterable, Sendable { case auto, full, none }

/// How a slide is laid out: `auto` tries the concept map around the focus (columns and radial), the
/// layered layout in both directions (wrapped into rows or columns when that fills the frame better)
/// and keeps the one with the largest text; `story` puts the nodes in argument order in rows.
public enum SlideLayout: String, CaseIterable, Sendable { case auto, map, radial, layered, story }

public struct SVGStyle: Sendable {
    public var theme: SVGTheme = .light
    /// nil: top-to-bottom, or for slides whichever of TB / LR fits the slide with larger text.
    public var direction: LayoutDirection? = nil
    public var slide: SlideFormat? = nil
    public var title: String? = nil
    public var fontSize = 14.0
    public var edgeFontSize = 11.0
    public var titleFontSize = 22.0
    public var maxLabelWidth = 150.0
    public var maxEdgeLabelWidth = 110.0
    /// Longer labels are cut with "…" after this many lines (the tooltip keeps the full text).
    public var maxLabelLines = 6
    public var nodePaddingX = 10.0
    public var nodePaddingY = 7.0
    public var minNodeWidth = 56.0
    public var legendMode: LegendMode = .auto
    /// Compatibility: false is `legendMode = .none`.
    public var legend: Bool {
        get { legendMode != .none }
        set { legendMode = newValue ? (legendMode == .none ? .auto : legendMode) : .none }
    }
    public var margin = 24.0
    public var fontFamily = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
    public var layout = LayoutOptions()
    /// Preferred width / height of a drawing that is not fitted to a slide (nil: no layer-width balancing).
    public var aspect: Double? = 1.6
    /// Prefix of every id in the SVG (for several SVGs inline in one HTML page).
    public var idPrefix = ""

    // Slides (see SlideRenderer.swift).
    /// Smallest concept-name and relation-label size in pixels on the slide (1280×720 or 960×720):
    /// 24 px ≈ 18 pt, the usual floor for body text on a projected slide.
    public var minNodeFontSize = 24.0
    public var minEdgeFontSize = 18.0
    /// Smallest share of the slide the drawing must cover.
    public var minFill = 0.6
    public var slideLayout: SlideLayout = .auto
    /// At most this many concepts on one slide (a series splits the rest off); nil: as many as fit.
    public var maxNodesPerSlide: Int? = nil
    /// Refuse a series longer than this.
    public var maxSlides = 40
    /// Draw a too-big selection on one slide anyway, below the readable sizes (a warning says so).
    public var allowSmall = false
    /// Called with the number of slides planned so far while a series is worked out (a progress line).
    public var progress: (@Sendable (Int) -> Void)? = nil
    public init() {}

    /// The settings of the Graphviz baseline in ../shared/bench (Helvetica 10 pt nodes, 8 pt edge labels,
    /// no wrapping, no legend).
    public static var benchmark: SVGStyle {
        var s = SVGStyle()
        s.fontSize = 10; s.edgeFontSize = 8; s.maxLabelWidth = 10_000; s.maxEdgeLabelWidth = 10_000; s.maxLabelLines = 0
        s.legendMode = .none; s.nodePaddingX = 8; s.nodePaddingY = 5; s.aspect = nil
        return s
    }
}

public struct SVGRenderResult: Sendable {
    public var svg: String
    public var layout: LayoutResult
    /// Things the user should know (e.g. a selection split into a series of slides).
    public var warnings: [String]
    /// What a slide checker measures (slides only).
    public var quality: SlideQuality? = nil
    /// The slide's title (slides only).
    public var title: String? = nil
}

/// Draws an `SVGDiagram` as SVG 1.1 through libxml2's xmlTextWriter: presentation attributes only (no
/// CSS, no script, no event attributes, no external references), a `viewBox`, text as `<text>`, every
/// node and edge in a `<g>` with an id, a class and a `<title>`. Without `style.slide` it draws a
/// handout (layered layout at 14 px); with it, see `renderSlides`.
public struct SVGRenderer: Sendable {
    public var style: SVGStyle
    public init(style: SVGStyle = SVGStyle()) { self.style = style }

    struct Prepared {
        var nodeLines: [[String]] = []
        var edgeLines: [[String]?] = []
        var graph = LayoutGraph()
        var kindIndex: [String: Int] = [:]
        var typeIndex: [String: Int] = [:]
    }

    static func shapeExtra(_ shape: NodeShape, height h: Double) -> Double {
        switch shape {
        case .pill, .hexagon: return h * 0.6
        case .octagon: return h * 0.4
        case .doubleRect: return 6
        case .rect, .roundedRect: return 0
        }
    }

    static func stableIndex(_ names: [String], order: [String]) -> [String: Int] {
        var index: [String: Int] = [:]
        for n in Set(names) { index[n] = PaletteIndex.of(n, order: order) }
        return index
    }

    /// Keeps at most `maxLines` lines; the last kept line ends in "…" (the full text stays in the tooltip).
    static func clamp(_ lines: [String], maxLines: Int, maxWidth: Double, metrics: TextMetrics) -> [String] {
        guard maxLines > 0, lines.count > maxLines else { return lines }
        var kept = Array(lines.prefix(maxLines))
        var last = kept[maxLines - 1]
        while !last.isEmpty && metrics.width(last + "…") > maxWidth { last.removeLast() }
        kept[maxLines - 1] = last.trimmingCharacters(in: .whitespaces) + "…"
        return kept
    }

    func prepare(_ d: SVGDiagram) -> Prepared {
        var p = Prepared()
        let nodeMetrics = TextMetrics(fontSize: style.fontSize)
        let edgeMetrics = TextMetrics(fontSize: style.edgeFontSize)
        p.kindIndex = Self.stableIndex(d.nodes.map(\.kind), order: d.kindOrder)
        p.typeIndex = Self.stableIndex(d.edges.map(\.type), order: d.typeOrder)
        for node in d.nodes {
            let lines = Self.clamp(nodeMetrics.wrap(node.label, maxWidth: style.maxLabelWidth), maxLines: style.maxLabelLines,
                                   maxWidth: style.maxLabelWidth, metrics: nodeMetrics)
            let textW = lines.map { nodeMetrics.width($0) }.max() ?? 0
            let h = nodeMetrics.height(lines: lines.count) + 2 * style.nodePaddingY
            let shape = style.theme.kindStyle(index: p.kindIndex[node.kind] ?? 0).shape
            let w = max(style.minNodeWidth, textW + 2 * style.nodePaddingX + Self.shapeExtra(shape, height: h))
            p.nodeLines.append(lines)
            p.graph.nodes.append(LayoutNode(width: w.rounded(.up), height: h.rounded(.up)))
        }
        for e in d.edges {
            var le = LayoutEdge(source: e.source, target: e.target)
            if let label = e.label, !label.allSatisfy(\.isWhitespace) {
                let lines = Self.clamp(edgeMetrics.wrap(label, maxWidth: style.maxEdgeLabelWidth), maxLines: style.maxLabelLines,
                                       maxWidth: style.maxEdgeLabelWidth, metrics: edgeMetrics)
                let w = (lines.map { edgeMetrics.width($0) }.max() ?? 0) + 6
                le.labelWidth = w.rounded(.up)
                le.labelHeight = (edgeMetrics.height(lines: lines.count) + 2).rounded(.up)
                p.edgeLines.append(lines)
            } else { p.edgeLines.append(nil) }
            p.graph.edges.append(le)
        }
        return p
    }

    static func validate(_ d: SVGDiagram) throws {
        for e in d.edges where !(d.nodes.indices.contains(e.source) && d.nodes.indices.contains(e.target)) {
            throw XMLWriterError("edge \(e.type) refers to a node that is not in the diagram")
        }
    }

    /// The handout, or with `style.slide` the first slide of the series (`renderSlides` gives them all).
    public func render(_ d: SVGDiagram) throws -> SVGRenderResult {
        try Self.validate(d)
        if style.slide != nil {
            let series = try renderSlides(d)
            var first = series.slides[0]
            first.warnings = series.warnings
            return first
        }
        let p = prepare(d)
        var options = style.layout
        options.direction = style.direction ?? .topToBottom
        if options.targetAspect == nil { options.targetAspect = style.aspect }
        let layout = LayeredLayout(options: options).layout(p.graph)
        let scene = handoutScene(d, prepared: p, layout: layout)
        return SVGRenderResult(svg: try scene.svg(), layout: layout, warnings: [])
    }

    // MARK: handout scene: title, drawing, legend

    func handoutScene(_ d: SVGDiagram, prepared p: Prepared, layout l: LayoutResult) -> SVGScene {
        let theme = style.theme
        let m = style.margin
        var y = m
        var title: SVGScene.Text? = nil
        if let t = style.title, !t.isEmpty {
            title = SVGScene.Text(lines: [t], at: Point(x: 0, y: y + style.titleFontSize * 0.62), fontSize: style.titleFontSize,
                                  bold: true, fill: theme.text)
            y += style.titleFontSize * 1.3 + 12
        }
        let origin = Point(x: m, y: y)
        y += d.nodes.isEmpty ? 32 : l.height
        var width = max(l.width, d.nodes.isEmpty ? 240 : 1) + 2 * m
        let legendFont = style.edgeFontSize + 1
        let (legend, legendHeight, legendWidth) = Self.legend(d, prepared: p, theme: theme, mode: style.legendMode,
                                                              fontSize: legendFont, at: Point(x: m, y: y + 16),
                                                              maxWidth: max(l.width, 360), markerSize: 9)
        if !legend.isEmpty { y += 16 + legendHeight; width = max(width, legendWidth + 2 * m) }
        let height = y + m
        if var t = title { t.at.x = width / 2; title = t }
        var scene = SVGScene(width: width, height: height, viewBox: Rect(x: 0, y: 0, width: width, height: height),
                             background: theme.background, fontFamily: style.fontFamily,
                             documentTitle: style.title.flatMap { $0.isEmpty ? nil : $0 } ?? "Concept map",
                             desc: "\(d.nodes.count) concepts, \(d.edges.count) relations; drawn by kg (layered layout)")
        scene.idPrefix = style.idPrefix
        scene.title = title
        scene.legend = legend
        if d.nodes.isEmpty {
            scene.message = SVGScene.Text(lines: ["No concepts selected"], at: Point(x: width / 2, y: origin.y + 16),
                                          fontSize: style.fontSize, fill: theme.mutedText)
        }
        Self.fill(&scene, d, prepared: p, layout: l, offset: origin, theme: theme, nodeFont: style.fontSize,
                  edgeFont: style.edgeFontSize, strokeWidth: 1.5, focusStroke: 3.5, markerSize: 9, nodeLines: p.nodeLines,
                  edgeLines: p.edgeLines)
        return scene
    }

    /// Adds the nodes, edges and arrowhead markers of a laid-out diagram to `scene`.
    static func fill(_ scene: inout SVGScene, _ d: SVGDiagram, prepared p: Prepared, layout l: LayoutResult, offset o: Point,
                     theme: SVGTheme, nodeFont: Double, edgeFont: Double, strokeWidth: Double, focusStroke: Double,
                     markerSize: Double, nodeLines: [[String]], edgeLines: [[String]?], boldFocus: Bool = false) {
        func shift(_ q: Point) -> Point { Point(x: q.x + o.x, y: q.y + o.y) }
        func shift(_ r: Rect) -> Rect { Rect(x: r.x + o.x, y: r.y + o.y, width: r.width, height: r.height) }
        var markerIDs = Set<String>()
        for (i, e) in d.edges.enumerated() {
            let route = l.edges[i]
            let more = e.type == SlideSeries.moreType
            let rs = more ? RelationStyle(color: theme.mutedText, dash: "3 5") : theme.relationStyle(index: p.typeIndex[e.type] ?? 0)
            let marker = more ? "arrow-more" : "arrow-\(p.typeIndex[e.type] ?? 0)"
            if markerIDs.insert(marker).inserted { scene.markers.append(.init(id: marker, color: rs.color, size: markerSize)) }
            var label: (Rect, SVGScene.Text)? = nil
            if let lines = edgeLines[i], let box = route.label {
                let r = shift(box)
                label = (r, SVGScene.Text(lines: lines, at: r.center, fontSize: edgeFont, fill: theme.text))
            }
            scene.edges.append(SVGScene.Edge(source: d.nodes[e.source].id, target: d.nodes[e.target].id, type: e.type,
                                             tooltip: e.tooltip, points: route.points.map(shift), color: rs.color, dash: rs.dash,
                                             width: strokeWidth, marker: marker, label: label, labelBackground: theme.halo))
        }
        scene.markers.sort { $0.id < $1.id }
        for (i, node) in d.nodes.enumerated() {
            let r = shift(l.nodes[i])
            if node.isMore {
                scene.nodes.append(SVGScene.Node(id: node.id, kind: node.kind, tooltip: node.tooltip, rect: r, shape: .roundedRect,
                                                 fill: theme.background, stroke: theme.mutedText, strokeWidth: strokeWidth, dashed: true,
                                                 text: SVGScene.Text(lines: nodeLines[i], at: r.center, fontSize: nodeFont, fill: theme.mutedText),
                                                 extraClass: "more"))
                continue
            }
            let ks = theme.kindStyle(index: p.kindIndex[node.kind] ?? 0)
            scene.nodes.append(SVGScene.Node(id: node.id, kind: node.kind, tooltip: node.tooltip, rect: r, shape: ks.shape,
                                             fill: ks.fill, stroke: ks.stroke, strokeWidth: node.emphasised ? focusStroke : strokeWidth,
                                             dashed: ks.dash != nil,
                                             text: SVGScene.Text(lines: nodeLines[i], at: r.center, fontSize: nodeFont,
                                                                 bold: boldFocus && node.emphasised, fill: ks.text)))
        }
    }

    /// The legend's elements, its height and width. Kinds: shape + name; relations: line + name.
    static func legend(_ d: SVGDiagram, prepared p: Prepared, theme: SVGTheme, mode: LegendMode, fontSize fs: Double,
                       at origin: Point, maxWidth: Double, markerSize: Double) -> ([SVGScene.LegendElement], Double, Double) {
        guard mode != .none, !d.nodes.isEmpty else { return ([], 0, 0) }
        let kinds = Set(d.nodes.filter { !$0.isMore }.map(\.kind)).sorted { (p.kindIndex[$0] ?? 0, $0) < (p.kindIndex[$1] ?? 0, $1) }
        let types = Set(d.edges.map(\.type).filter { $0 != SlideSeries.moreType }).sorted { (p.typeIndex[$0] ?? 0, $0) < (p.typeIndex[$1] ?? 0, $1) }
        let labelled = !d.edges.isEmpty && d.edges.allSatisfy { $0.label.map { !$0.allSatisfy(\.isWhitespace) } ?? false || $0.type == SlideSeries.moreType }
        let showKinds = mode == .full || kinds.count >= 3
        let showTypes = mode == .full || (!labelled && !types.isEmpty)
        var groups: [(String, [String], Bool)] = []
        if showKinds && !kinds.isEmpty { groups.append(("Kinds", kinds, true)) }
        if showTypes && !types.isEmpty { groups.append(("Relations", types, false)) }
        if groups.isEmpty { return ([], 0, 0) }
        let metrics = TextMetrics(fontSize: fs)
        let bold = TextMetrics(fontSize: fs, bold: true)
        let rowH = fs * 1.7
        let swatchW = fs * 2.4, swatchGap = fs * 0.45, itemGap = fs * 1.3
        let indent = groups.count > 1 || true ? (groups.map { bold.width($0.0) }.max() ?? 0) + fs : 0
        var out: [SVGScene.LegendElement] = []
        var rowY = origin.y
        var width = 0.0
        for (heading, names, isKind) in groups {
            out.append(.text(SVGScene.Text(lines: [heading], at: Point(x: origin.x, y: rowY + rowH / 2), fontSize: fs, bold: true,
                                           fill: theme.mutedText, anchor: "start")))
            var x = indent
            for name in names {
                let label = isKind ? name : (d.typeNames[name] ?? name)
                let w = swatchW + swatchGap + metrics.width(label)
                if x > indent && x + w > maxWidth { x = indent; rowY += rowH }
                let r = Rect(x: origin.x + x, y: rowY, width: swatchW, height: rowH)
                if isKind {
                    let ks = theme.kindStyle(index: p.kindIndex[name] ?? 0)
                    out.append(.shape(ks.shape, Rect(x: r.x, y: r.y + rowH * 0.18, width: swatchW, height: rowH * 0.64), fill: ks.fill, stroke: ks.stroke))
                } else {
                    let rs = theme.relationStyle(index: p.typeIndex[name] ?? 0)
                    out.append(.line(Point(x: r.x, y: r.center.y), Point(x: r.x + swatchW, y: r.center.y), color: rs.color, dash: rs.dash,
                                     width: max(2, fs / 7), marker: "arrow-\(p.typeIndex[name] ?? 0)"))
                }
                out.append(.text(SVGScene.Text(lines: [label], at: Point(x: r.x + swatchW + swatchGap, y: r.center.y), fontSize: fs,
                                               fill: theme.text, anchor: "start")))
                x += w + itemGap
                width = max(width, x - itemGap)
            }
            rowY += rowH
        }
        return (out, rowY - origin.y, width)
    }
}
