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
    public var legend = true
    public var margin = 24.0
    /// Smallest label size, in pixels on the reference slide, considered readable from the back of a room.
    public var minimumSlideFontSize = 12.0
    public var fontFamily = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
    public var layout = LayoutOptions()
    /// Preferred width / height of a drawing that is not fitted to a slide (nil: no layer-width balancing).
    public var aspect: Double? = 1.6
    public init() {}

    /// The settings of the Graphviz baseline in ../shared/bench (Helvetica 10 pt nodes, 8 pt edge labels,
    /// no wrapping, no legend).
    public static var benchmark: SVGStyle {
        var s = SVGStyle()
        s.fontSize = 10; s.edgeFontSize = 8; s.maxLabelWidth = 10_000; s.maxEdgeLabelWidth = 10_000; s.maxLabelLines = 0
        s.legend = false; s.nodePaddingX = 8; s.nodePaddingY = 5; s.aspect = nil
        return s
    }
}

public struct SVGRenderResult: Sendable {
    public var svg: String
    public var layout: LayoutResult
    /// Things the user should know (e.g. text below the readable size on a slide).
    public var warnings: [String]
}

/// Draws an `SVGDiagram` as SVG 1.1 through libxml2's xmlTextWriter: presentation attributes only (no
/// CSS, no script, no event attributes, no external references), a `viewBox`, text as `<text>`, every
/// node and edge in a `<g>` with an id, a class and a `<title>`.
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

    func shapeExtra(_ shape: NodeShape, height h: Double) -> Double {
        switch shape {
        case .pill, .hexagon: return h * 0.6
        case .octagon: return h * 0.4
        case .doubleRect: return 6
        case .rect, .roundedRect: return 0
        }
    }

    static func stableIndex(_ names: [String], order: [String]) -> [String: Int] {
        var index: [String: Int] = [:]
        for n in order where index[n] == nil { index[n] = index.count }
        for n in Set(names).sorted() where index[n] == nil { index[n] = index.count }
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
            let w = max(style.minNodeWidth, textW + 2 * style.nodePaddingX + shapeExtra(shape, height: h))
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

    public func render(_ d: SVGDiagram) throws -> SVGRenderResult {
        for e in d.edges where !(d.nodes.indices.contains(e.source) && d.nodes.indices.contains(e.target)) {
            throw XMLWriterError("edge \(e.type) refers to a node that is not in the diagram")
        }
        let p = prepare(d)
        var warnings: [String] = []
        var options = style.layout
        var layout: LayoutResult
        var canvas: Canvas
        if let slide = style.slide {
            options.packer = ShelfPacker(aspect: slide.size.width / slide.size.height)
            let directions = style.direction.map { [$0] } ?? [.topToBottom, .leftToRight]
            var best: (LayoutResult, Canvas)? = nil
            // Both directions, each with and without layer-width balancing: the largest text wins.
            for dir in directions {
                for aspect in [nil, slide.size.width / slide.size.height] {
                    options.direction = dir
                    options.targetAspect = aspect
                    let l = LayeredLayout(options: options).layout(p.graph)
                    let c = canvasFor(l, diagram: d, prepared: p)
                    if best == nil || c.slideScale(slide) > best!.1.slideScale(slide) + 1e-9 { best = (l, c) }
                }
            }
            (layout, canvas) = best!
            let scale = canvas.slideScale(slide)
            let effective = (style.fontSize * min(scale, 2) * 10).rounded() / 10  // as reported, to one decimal
            if effective < style.minimumSlideFontSize && !d.nodes.isEmpty {
                warnings.append(String(format: "the drawing is scaled by %.2f to fit a %@ slide (%.0f×%.0f); concept names show at %.1f px, below the readable %.0f px: draw less (--focus NAME --depth 1, --relations, --kinds)",
                                       min(scale, 2), slide.rawValue, slide.size.width, slide.size.height, effective, style.minimumSlideFontSize))
            }
        } else {
            options.direction = style.direction ?? .topToBottom
            if options.targetAspect == nil { options.targetAspect = style.aspect }
            layout = LayeredLayout(options: options).layout(p.graph)
            canvas = canvasFor(layout, diagram: d, prepared: p)
        }
        let svg = try write(d, prepared: p, layout: layout, canvas: canvas)
        return SVGRenderResult(svg: svg, layout: layout, warnings: warnings)
    }

    // MARK: canvas: title, drawing, legend

    struct LegendItem { var isKind: Bool; var name: String; var index: Int; var rect: Rect }
    struct Canvas {
        var width: Double, height: Double
        var drawingOrigin: Point
        var titleBaseline: Double
        var legend: [LegendItem]
        var legendHeadings: [(String, Point)]
        func slideScale(_ s: SlideFormat) -> Double {
            let m = 0.05
            return min(s.size.width * (1 - 2 * m) / max(width, 1), s.size.height * (1 - 2 * m) / max(height, 1))
        }
    }

    func canvasFor(_ l: LayoutResult, diagram d: SVGDiagram, prepared p: Prepared) -> Canvas {
        let m = style.margin
        var y = m
        var titleBaseline = 0.0
        if let t = style.title, !t.isEmpty {
            titleBaseline = y + style.titleFontSize
            y += style.titleFontSize * 1.3 + 12
        }
        let origin = Point(x: m, y: y)
        y += d.nodes.isEmpty ? 32 : l.height
        var width = max(l.width, d.nodes.isEmpty ? 240 : 1) + 2 * m
        var items: [LegendItem] = []
        var headings: [(String, Point)] = []
        if style.legend && !d.nodes.isEmpty {
            let metrics = TextMetrics(fontSize: style.edgeFontSize + 1)
            let rowH = 22.0
            // On a slide, a legend as wide as the slide's shape allows keeps a tall drawing from growing taller.
            let slideWidth = style.slide.map { $0.size.width / $0.size.height * l.height * 0.8 } ?? 0
            let avail = max(l.width, 360, slideWidth)
            var rowY = y + 24
            let kinds = Set(d.nodes.map(\.kind)).sorted { (p.kindIndex[$0] ?? 0, $0) < (p.kindIndex[$1] ?? 0, $1) }
            let types = Set(d.edges.map(\.type)).sorted { (p.typeIndex[$0] ?? 0, $0) < (p.typeIndex[$1] ?? 0, $1) }
            for (heading, names, isKind) in [("Kinds", kinds, true), ("Relations", types, false)] where !names.isEmpty {
                headings.append((heading, Point(x: m, y: rowY + rowH / 2 + 4)))
                let indent = metrics.width("Relations") + 16
                var x = indent
                for name in names {
                    let w = 34 + 6 + metrics.width(isKind ? name : (d.typeNames[name] ?? name)) + 18
                    if x > indent && x + w > avail { x = indent; rowY += rowH }
                    items.append(LegendItem(isKind: isKind, name: name,
                                            index: isKind ? p.kindIndex[name]! : p.typeIndex[name]!,
                                            rect: Rect(x: m + x, y: rowY, width: w - 18, height: rowH)))
                    x += w
                    width = max(width, m + x + m)
                }
                rowY += rowH + 4
            }
            y = rowY
        }
        return Canvas(width: width, height: y + m, drawingOrigin: origin, titleBaseline: titleBaseline,
                      legend: items, legendHeadings: headings)
    }

    // MARK: writing

    static func num(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(format: "%.2f", r)
        while s.hasSuffix("0") { s.removeLast() }
        if s == "-0" { return "0" }
        return s
    }

    func shapeElement(_ w: XMLWriter, shape: NodeShape, rect r: Rect, fill: String, stroke: String,
                      strokeWidth: Double = 1.5) throws {
        let n = Self.num
        let sw = n(strokeWidth)
        func poly(_ pts: [Point]) throws {
            try w.element("polygon", attributes: [("points", pts.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")),
                                                  ("fill", fill), ("stroke", stroke), ("stroke-width", sw)])
        }
        switch shape {
        case .rect, .roundedRect, .pill, .doubleRect:
            var attrs = [("x", n(r.x)), ("y", n(r.y)), ("width", n(r.width)), ("height", n(r.height))]
            if shape == .roundedRect { attrs += [("rx", "6"), ("ry", "6")] }
            if shape == .pill { attrs += [("rx", n(r.height / 2)), ("ry", n(r.height / 2))] }
            attrs += [("fill", fill), ("stroke", stroke), ("stroke-width", sw)]
            try w.element("rect", attributes: attrs)
            if shape == .doubleRect {
                let i = r.insetBy(3)
                try w.element("rect", attributes: [("x", n(i.x)), ("y", n(i.y)), ("width", n(i.width)), ("height", n(i.height)),
                                                   ("fill", "none"), ("stroke", stroke), ("stroke-width", "1")])
            }
        case .hexagon:
            let d = min(r.height * 0.3, r.width / 4)
            try poly([Point(x: r.minX + d, y: r.minY), Point(x: r.maxX - d, y: r.minY), Point(x: r.maxX, y: r.center.y),
                      Point(x: r.maxX - d, y: r.maxY), Point(x: r.minX + d, y: r.maxY), Point(x: r.minX, y: r.center.y)])
        case .octagon:
            let d = min(r.height * 0.25, r.width / 4)
            try poly([Point(x: r.minX + d, y: r.minY), Point(x: r.maxX - d, y: r.minY), Point(x: r.maxX, y: r.minY + d),
                      Point(x: r.maxX, y: r.maxY - d), Point(x: r.maxX - d, y: r.maxY), Point(x: r.minX + d, y: r.maxY),
                      Point(x: r.minX, y: r.maxY - d), Point(x: r.minX, y: r.minY + d)])
        }
    }

    /// Lines of text centred on `center`.
    func textLines(_ w: XMLWriter, _ lines: [String], center: Point, fontSize: Double, fill: String,
                   halo: String? = nil, bold: Bool = false) throws {
        let n = Self.num
        let lineH = fontSize * 1.25
        let top = center.y - lineH * Double(lines.count) / 2
        try w.startElement("text")
        try w.attribute("x", n(center.x))
        try w.attribute("y", n(top + lineH / 2 + fontSize * 0.35))
        try w.attribute("font-size", n(fontSize))
        if bold { try w.attribute("font-weight", "bold") }
        try w.attribute("text-anchor", "middle")
        try w.attribute("fill", halo ?? fill)
        if let h = halo {
            try w.attribute("stroke", h); try w.attribute("stroke-width", "4"); try w.attribute("stroke-linejoin", "round")
        }
        if lines.count == 1 {
            try w.text(lines[0])
        } else {
            for (i, line) in lines.enumerated() {
                try w.element("tspan", attributes: [("x", n(center.x)), ("y", n(top + lineH * (Double(i) + 0.5) + fontSize * 0.35))],
                              text: line)
            }
        }
        try w.endElement()
    }

    func write(_ d: SVGDiagram, prepared p: Prepared, layout l: LayoutResult, canvas c: Canvas) throws -> String {
        let n = Self.num
        let theme = style.theme
        let w = XMLWriter(indent: true)
        try w.startDocument()
        try w.startElement("svg")
        try w.attribute("xmlns", "http://www.w3.org/2000/svg")
        try w.attribute("version", "1.1")
        var vb = Rect(x: 0, y: 0, width: c.width, height: c.height)
        var size = (c.width, c.height)
        if let slide = style.slide {
            // Fit into the slide's aspect with 5 % margins; never enlarge text more than 2×.
            let scale = min(c.slideScale(slide), 2)
            let vw = slide.size.width / scale, vh = slide.size.height / scale
            vb = Rect(x: (c.width - vw) / 2, y: (c.height - vh) / 2, width: vw, height: vh)
            size = slide.size
        }
        try w.attribute("width", n(size.0)); try w.attribute("height", n(size.1))
        try w.attribute("viewBox", "\(n(vb.x)) \(n(vb.y)) \(n(vb.width)) \(n(vb.height))")
        try w.attribute("font-family", style.fontFamily)
        try w.element("title", text: style.title.flatMap { $0.isEmpty ? nil : $0 } ?? "Concept map")
        try w.element("desc", text: "\(d.nodes.count) concepts, \(d.edges.count) relations; drawn by kg (layered layout)")
        // Arrowheads: one marker per relation type shown (SVG 1.1 markers cannot take the line's colour).
        let types = Set(d.edges.map(\.type)).sorted { (p.typeIndex[$0]!, $0) < (p.typeIndex[$1]!, $1) }
        try w.startElement("defs")
        for t in types {
            let rs = theme.relationStyle(index: p.typeIndex[t]!)
            try w.startElement("marker")
            try w.attribute("id", "arrow-\(p.typeIndex[t]!)")
            for (k, v) in [("viewBox", "0 0 10 10"), ("refX", "10"), ("refY", "5"), ("markerUnits", "userSpaceOnUse"),
                           ("markerWidth", "9"), ("markerHeight", "9"), ("orient", "auto")] { try w.attribute(k, v) }
            try w.element("path", attributes: [("d", "M0,0 L10,5 L0,10 z"), ("fill", rs.color)])
            try w.endElement()
        }
        try w.endElement()
        try w.element("rect", attributes: [("x", n(vb.x)), ("y", n(vb.y)), ("width", n(vb.width)), ("height", n(vb.height)),
                                           ("fill", theme.background)])
        if let t = style.title, !t.isEmpty {
            try w.element("text", attributes: [("x", n(c.width / 2)), ("y", n(c.titleBaseline)), ("font-size", n(style.titleFontSize)),
                                               ("font-weight", "bold"), ("text-anchor", "middle"), ("fill", theme.text)], text: t)
        }
        if d.nodes.isEmpty {
            try w.element("text", attributes: [("x", n(c.width / 2)), ("y", n(c.drawingOrigin.y + 20)), ("font-size", n(style.fontSize)),
                                               ("text-anchor", "middle"), ("fill", theme.mutedText)], text: "No concepts selected")
        }
        let o = c.drawingOrigin
        func shift(_ q: Point) -> Point { Point(x: q.x + o.x, y: q.y + o.y) }
        func shift(_ r: Rect) -> Rect { Rect(x: r.x + o.x, y: r.y + o.y, width: r.width, height: r.height) }
        try w.startElement("g"); try w.attribute("id", "edges")
        for (i, e) in d.edges.enumerated() {
            let route = l.edges[i]
            let rs = theme.relationStyle(index: p.typeIndex[e.type]!)
            try w.startElement("g")
            try w.attribute("id", "e\(i)"); try w.attribute("class", "edge")
            try w.attribute("data-source", d.nodes[e.source].id); try w.attribute("data-target", d.nodes[e.target].id)
            try w.attribute("data-type", e.type)
            try w.element("title", text: e.tooltip)
            let pts = route.points.map(shift)
            if pts.count >= 4 {
                var path = "M\(n(pts[0].x)),\(n(pts[0].y))"
                var k = 1
                while k + 2 < pts.count {
                    path += " C\(n(pts[k].x)),\(n(pts[k].y)) \(n(pts[k + 1].x)),\(n(pts[k + 1].y)) \(n(pts[k + 2].x)),\(n(pts[k + 2].y))"
                    k += 3
                }
                var attrs = [("d", path), ("fill", "none"), ("stroke", rs.color), ("stroke-width", "1.5")]
                if let dash = rs.dash { attrs.append(("stroke-dasharray", dash)) }
                attrs.append(("marker-end", "url(#arrow-\(p.typeIndex[e.type]!))"))
                try w.element("path", attributes: attrs)
            }
            if let lines = p.edgeLines[i], let box = route.label {
                let r = shift(box)
                try w.startElement("g"); try w.attribute("class", "edge-label")
                try textLines(w, lines, center: r.center, fontSize: style.edgeFontSize, fill: rs.color, halo: theme.halo)
                try textLines(w, lines, center: r.center, fontSize: style.edgeFontSize, fill: theme.name == .print ? theme.text : rs.color)
                try w.endElement()
            }
            try w.endElement()
        }
        try w.endElement()
        try w.startElement("g"); try w.attribute("id", "nodes")
        for (i, node) in d.nodes.enumerated() {
            let ks = theme.kindStyle(index: p.kindIndex[node.kind]!)
            let r = shift(l.nodes[i])
            try w.startElement("g")
            try w.attribute("id", "n\(i)"); try w.attribute("class", "node")
            try w.attribute("data-id", node.id); try w.attribute("data-kind", node.kind)
            try w.element("title", text: node.tooltip)
            try shapeElement(w, shape: ks.shape, rect: r, fill: ks.fill, stroke: ks.stroke,
                             strokeWidth: node.emphasised ? 3.5 : 1.5)
            try textLines(w, p.nodeLines[i], center: r.center, fontSize: style.fontSize, fill: ks.text)
            try w.endElement()
        }
        try w.endElement()
        if !c.legend.isEmpty {
            try w.startElement("g"); try w.attribute("id", "legend")
            let fs = style.edgeFontSize + 1
            for (h, at) in c.legendHeadings {
                try w.element("text", attributes: [("x", n(at.x)), ("y", n(at.y)), ("font-size", n(fs)), ("font-weight", "bold"),
                                                   ("fill", theme.mutedText)], text: h)
            }
            for item in c.legend {
                let r = item.rect
                if item.isKind {
                    let ks = theme.kindStyle(index: item.index)
                    try shapeElement(w, shape: ks.shape, rect: Rect(x: r.x, y: r.y + 3, width: 34, height: r.height - 6),
                                     fill: ks.fill, stroke: ks.stroke)
                } else {
                    let rs = theme.relationStyle(index: item.index)
                    var attrs = [("x1", n(r.x)), ("y1", n(r.center.y)), ("x2", n(r.x + 34)), ("y2", n(r.center.y)),
                                 ("stroke", rs.color), ("stroke-width", "2")]
                    if let dash = rs.dash { attrs.append(("stroke-dasharray", dash)) }
                    attrs.append(("marker-end", "url(#arrow-\(item.index))"))
                    try w.element("line", attributes: attrs)
                }
                try w.element("text", attributes: [("x", n(r.x + 40)), ("y", n(r.center.y + fs * 0.35)), ("font-size", n(fs)),
                                                   ("fill", theme.text)], text: item.isKind ? item.name : (d.typeNames[item.name] ?? item.name))
            }
            try w.endElement()
        }
        try w.endElement()
        try w.endDocument()
        return w.string
    }
}
