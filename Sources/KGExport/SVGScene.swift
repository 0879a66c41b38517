import Foundation
import KGLayout

/// A diagram with every element placed, in the SVG's user units: what the SVG writer draws, what the
/// slide checks measure, and what the PNG/PDF renderers get (as SVG). Handouts and slides build one.
struct SVGScene {
    /// Lines of text; `anchor` "middle": `at` is the centre of the block; "start": its left middle.
    struct Text {
        var lines: [String]
        var at: Point
        var fontSize: Double
        var bold = false
        var fill: String
        var anchor = "middle"
        var lineHeight = 1.25

        /// Baseline of line `i` (the block's lines centred on `at.y`).
        func baseline(_ i: Int) -> Double {
            let lh = fontSize * lineHeight
            let top = at.y - lh * Double(lines.count) / 2
            return top + lh * (Double(i) + 0.5) + fontSize * 0.35
        }

        /// Each line's box as the slide checker models text: advance widths from the table, from
        /// 0.76 em above the baseline to 0.22 em below it.
        func lineBoxes(_ metrics: TextMetrics) -> [Rect] {
            lines.enumerated().compactMap { i, line in
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.isEmpty { return nil }
                let w = metrics.width(t)
                let x = anchor == "middle" ? at.x - w / 2 : at.x
                let b = baseline(i)
                return Rect(x: x, y: b - 0.76 * fontSize, width: w, height: 0.98 * fontSize)
            }
        }
    }

    struct Node {
        var id: String
        var kind: String
        var tooltip: String
        var rect: Rect
        var shape: NodeShape
        var fill: String
        var stroke: String
        var strokeWidth: Double
        var dashed = false
        var text: Text
        var extraClass: String? = nil
        /// Further text inside the box (a one-concept slide's kind and summary).
        var extraTexts: [Text] = []
    }

    struct Edge {
        var source: String
        var target: String
        var type: String
        var tooltip: String
        var points: [Point]
        var color: String
        var dash: String?
        var width: Double
        var marker: String?
        var label: (rect: Rect, text: Text)?
        var labelBackground: String
    }

    enum LegendElement {
        case text(Text)
        case shape(NodeShape, Rect, fill: String, stroke: String)
        case line(Point, Point, color: String, dash: String?, width: Double, marker: String?)
    }

    struct Marker { var id: String; var color: String; var size: Double }

    var width: Double
    var height: Double
    var viewBox: Rect
    var background: String
    var fontFamily: String
    var documentTitle: String
    var desc: String
    var title: Text? = nil
    var message: Text? = nil
    var markers: [Marker] = []
    var nodes: [Node] = []
    var edges: [Edge] = []
    var legend: [LegendElement] = []
    /// Prefix of every id (several SVGs inline in one HTML page must not share ids).
    var idPrefix = ""

    // MARK: writing

    static func num(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(format: "%.2f", r)
        while s.hasSuffix("0") { s.removeLast() }
        if s == "-0" { return "0" }
        return s
    }

    func svg() throws -> String {
        let n = Self.num
        let w = XMLWriter(indent: true)
        try w.startDocument()
        try w.startElement("svg")
        try w.attribute("xmlns", "http://www.w3.org/2000/svg")
        try w.attribute("version", "1.1")
        try w.attribute("width", n(width)); try w.attribute("height", n(height))
        try w.attribute("viewBox", "\(n(viewBox.x)) \(n(viewBox.y)) \(n(viewBox.width)) \(n(viewBox.height))")
        try w.attribute("font-family", fontFamily)
        try w.element("title", text: documentTitle)
        try w.element("desc", text: desc)
        try w.startElement("defs")
        for m in markers {
            try w.startElement("marker")
            try w.attribute("id", idPrefix + m.id)
            for (k, v) in [("viewBox", "0 0 10 10"), ("refX", "10"), ("refY", "5"), ("markerUnits", "userSpaceOnUse"),
                           ("markerWidth", n(m.size)), ("markerHeight", n(m.size)), ("orient", "auto")] { try w.attribute(k, v) }
            try w.element("path", attributes: [("d", "M0,0 L10,5 L0,10 z"), ("fill", m.color)])
            try w.endElement()
        }
        try w.endElement()
        try w.element("rect", attributes: [("x", n(viewBox.x)), ("y", n(viewBox.y)), ("width", n(viewBox.width)),
                                           ("height", n(viewBox.height)), ("fill", background)])
        if let t = title { try text(w, t) }
        if let t = message { try text(w, t) }
        try w.startElement("g"); try w.attribute("id", idPrefix + "edges")
        for (i, e) in edges.enumerated() {
            try w.startElement("g")
            try w.attribute("id", idPrefix + "e\(i)"); try w.attribute("class", "edge")
            try w.attribute("data-source", e.source); try w.attribute("data-target", e.target)
            try w.attribute("data-type", e.type)
            try w.element("title", text: e.tooltip)
            let pts = e.points
            if pts.count >= 4 {
                var path = "M\(n(pts[0].x)),\(n(pts[0].y))"
                var k = 1
                while k + 2 < pts.count {
                    path += " C\(n(pts[k].x)),\(n(pts[k].y)) \(n(pts[k + 1].x)),\(n(pts[k + 1].y)) \(n(pts[k + 2].x)),\(n(pts[k + 2].y))"
                    k += 3
                }
                var attrs = [("d", path), ("fill", "none"), ("stroke", e.color), ("stroke-width", n(e.width))]
                if let dash = e.dash { attrs.append(("stroke-dasharray", dash)) }
                if let m = e.marker { attrs.append(("marker-end", "url(#\(idPrefix + m))")) }
                try w.element("path", attributes: attrs)
            }
            if let (r, t) = e.label {
                try w.startElement("g"); try w.attribute("class", "edge-label")
                try w.element("rect", attributes: [("x", n(r.x)), ("y", n(r.y)), ("width", n(r.width)), ("height", n(r.height)),
                                                   ("rx", n(min(6, r.height / 4))), ("fill", e.labelBackground)])
                try text(w, t)
                try w.endElement()
            }
            try w.endElement()
        }
        try w.endElement()
        try w.startElement("g"); try w.attribute("id", idPrefix + "nodes")
        for (i, node) in nodes.enumerated() {
            try w.startElement("g")
            try w.attribute("id", idPrefix + "n\(i)")
            try w.attribute("class", node.extraClass.map { "node \($0)" } ?? "node")
            try w.attribute("data-id", node.id); try w.attribute("data-kind", node.kind)
            try w.element("title", text: node.tooltip)
            try shape(w, node.shape, node.rect, fill: node.fill, stroke: node.stroke, strokeWidth: node.strokeWidth,
                      dash: node.dashed ? "6 4" : nil)
            try text(w, node.text)
            for t in node.extraTexts { try text(w, t) }
            try w.endElement()
        }
        try w.endElement()
        if !legend.isEmpty {
            try w.startElement("g"); try w.attribute("id", idPrefix + "legend")
            for el in legend {
                switch el {
                case .text(let t): try text(w, t)
                case .shape(let s, let r, let fill, let stroke): try shape(w, s, r, fill: fill, stroke: stroke, strokeWidth: 1.5, dash: nil)
                case .line(let p, let q, let color, let dash, let width, let marker):
                    var attrs = [("x1", n(p.x)), ("y1", n(p.y)), ("x2", n(q.x)), ("y2", n(q.y)), ("stroke", color), ("stroke-width", n(width))]
                    if let d = dash { attrs.append(("stroke-dasharray", d)) }
                    if let m = marker { attrs.append(("marker-end", "url(#\(idPrefix + m))")) }
                    try w.element("line", attributes: attrs)
                }
            }
            try w.endElement()
        }
        try w.endElement()
        try w.endDocument()
        return w.string
    }

    func text(_ w: XMLWriter, _ t: Text) throws {
        let n = Self.num
        try w.startElement("text")
        try w.attribute("x", n(t.at.x))
        try w.attribute("y", n(t.baseline(0)))
        try w.attribute("font-size", n(t.fontSize))
        if t.bold { try w.attribute("font-weight", "bold") }
        try w.attribute("text-anchor", t.anchor)
        try w.attribute("fill", t.fill)
        if t.lines.count == 1 {
            try w.text(t.lines[0])
        } else {
            for (i, line) in t.lines.enumerated() {
                try w.element("tspan", attributes: [("x", n(t.at.x)), ("y", n(t.baseline(i)))], text: line)
            }
        }
        try w.endElement()
    }

    func shape(_ w: XMLWriter, _ shape: NodeShape, _ r: Rect, fill: String, stroke: String, strokeWidth: Double, dash: String?) throws {
        let n = Self.num
        let sw = n(strokeWidth)
        func extra(_ a: inout [(String, String)]) { if let d = dash { a.append(("stroke-dasharray", d)) } }
        func poly(_ pts: [Point]) throws {
            var a = [("points", pts.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")), ("fill", fill), ("stroke", stroke), ("stroke-width", sw)]
            extra(&a)
            try w.element("polygon", attributes: a)
        }
        switch shape {
        case .rect, .roundedRect, .pill, .doubleRect:
            var attrs = [("x", n(r.x)), ("y", n(r.y)), ("width", n(r.width)), ("height", n(r.height))]
            if shape == .roundedRect { let k = n(min(8, r.height / 4)); attrs += [("rx", k), ("ry", k)] }
            if shape == .pill { attrs += [("rx", n(r.height / 2)), ("ry", n(r.height / 2))] }
            attrs += [("fill", fill), ("stroke", stroke), ("stroke-width", sw)]
            extra(&attrs)
            try w.element("rect", attributes: attrs)
            if shape == .doubleRect {
                let i = r.insetBy(max(3, strokeWidth + 2))
                try w.element("rect", attributes: [("x", n(i.x)), ("y", n(i.y)), ("width", n(i.width)), ("height", n(i.height)),
                                                   ("fill", "none"), ("stroke", stroke), ("stroke-width", n(max(1, strokeWidth * 0.6)))])
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
}

/// What a slide checker measures on a scene (the same rules as ../shared/bench/slidecheck.py: effective
/// font sizes, fill, text collisions, text outside its node, text outside the picture, node overlaps,
/// edges through nodes), so the slide writer can reject a layout before anyone sees it.
public struct SlideQuality: Sendable, Equatable {
    public var minNodeFont: Double?
    public var minEdgeFont: Double?
    public var fill: Double
    public var textOverlaps: Int
    public var textOutsideNode: Int
    public var textClipped: Int
    public var nodeOverlaps: Int
    public var edgeNodeHits: Int
    public var crossings: Int

    public func problems(minNode: Double, minEdge: Double, minFill: Double) -> [String] {
        var out: [String] = []
        if let f = minNodeFont, f < minNode - 1e-6 { out.append(String(format: "concept names at %.1f px (< %.0f)", f, minNode)) }
        if let f = minEdgeFont, f < minEdge - 1e-6 { out.append(String(format: "relation labels at %.1f px (< %.0f)", f, minEdge)) }
        if fill < minFill - 1e-9 { out.append(String(format: "the drawing fills %.0f %% of the slide (< %.0f %%)", fill * 100, minFill * 100)) }
        if textOverlaps > 0 { out.append("\(textOverlaps) overlapping texts") }
        if textOutsideNode > 0 { out.append("\(textOutsideNode) names outside their box") }
        if textClipped > 0 { out.append("\(textClipped) texts cut off at the edge") }
        if nodeOverlaps > 0 { out.append("\(nodeOverlaps) overlapping concepts") }
        if edgeNodeHits > 0 { out.append("\(edgeNodeHits) relations drawn through a concept") }
        return out
    }

    /// Measures `scene` placed on a slide of `slide` pixels (fitted and centred, as a slide program
    /// places a picture).
    static func measure(_ scene: SVGScene, slide: (width: Double, height: Double), crossings countCrossings: Bool = true) -> SlideQuality {
        let fit = min(slide.width / scene.width, slide.height / scene.height)
        let ox = (slide.width - scene.width * fit) / 2, oy = (slide.height - scene.height * fit) / 2
        let vb = scene.viewBox
        let s = min(scene.width / vb.width, scene.height / vb.height) * fit
        let ex = (scene.width * fit - vb.width * s) / 2, ey = (scene.height * fit - vb.height * s) / 2
        func map(_ p: Point) -> Point { Point(x: ox + ex + (p.x - vb.x) * s, y: oy + ey + (p.y - vb.y) * s) }
        func map(_ r: Rect) -> Rect {
            let a = map(Point(x: r.minX, y: r.minY)), b = map(Point(x: r.maxX, y: r.maxY))
            return Rect(x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y)
        }
        let picture = Rect(x: ox, y: oy, width: scene.width * fit, height: scene.height * fit)
        struct T { var box: Rect; var px: Double }
        var texts: [T] = []
        func add(_ t: SVGScene.Text) -> [Rect] {
            let m = TextMetrics(fontSize: t.fontSize, bold: t.bold, conservative: true)
            let boxes = t.lineBoxes(m).map(map)
            for b in boxes { texts.append(T(box: b, px: t.fontSize * s)) }
            return boxes
        }
        var q = SlideQuality(minNodeFont: nil, minEdgeFont: nil, fill: 0, textOverlaps: 0, textOutsideNode: 0, textClipped: 0,
                             nodeOverlaps: 0, edgeNodeHits: 0, crossings: 0)
        var content: Rect? = nil
        func grow(_ r: Rect) {
            guard let c = content else { content = r; return }
            let x0 = min(c.minX, r.minX), y0 = min(c.minY, r.minY)
            content = Rect(x: x0, y: y0, width: max(c.maxX, r.maxX) - x0, height: max(c.maxY, r.maxY) - y0)
        }
        let nodeBoxes = scene.nodes.map { map($0.rect) }
        for (i, node) in scene.nodes.enumerated() {
            grow(nodeBoxes[i])
            if node.text.lines.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                q.minNodeFont = min(q.minNodeFont ?? .infinity, node.text.fontSize * s)
            }
            for b in ([node.text] + node.extraTexts).flatMap({ add($0) }) {
                grow(b)
                let nb = nodeBoxes[i]
                let over = max(nb.minX - b.minX, b.maxX - nb.maxX, nb.minY - b.minY, b.maxY - nb.maxY)
                if over > max(0.5, 0.03 * b.width) { q.textOutsideNode += 1 }
            }
        }
        var polylines: [(String, String, [Point])] = []
        for e in scene.edges {
            let poly = RouteGeometry.polyline(e.points, steps: 8).map(map)
            polylines.append((e.source, e.target, poly))
            if let b = RouteGeometry.bounds(e.points) { grow(map(b)) }
            if let (r, t) = e.label {
                grow(map(r))
                q.minEdgeFont = min(q.minEdgeFont ?? .infinity, t.fontSize * s)
                for b in add(t) { grow(b) }
            }
        }
        if let t = scene.title { _ = add(t) }
        if let t = scene.message { _ = add(t) }
        for el in scene.legend { if case .text(let t) = el { _ = add(t) } }
        if let c = content {
            let x0 = max(c.minX, picture.minX), y0 = max(c.minY, picture.minY)
            let x1 = min(c.maxX, picture.maxX), y1 = min(c.maxY, picture.maxY)
            q.fill = max(0, x1 - x0) * max(0, y1 - y0) / (slide.width * slide.height)
        }
        for i in texts.indices {
            for j in (i + 1)..<texts.count {
                let a = texts[i].box, b = texts[j].box
                let tol = 0.1 * min(texts[i].px, texts[j].px)
                let w = min(a.maxX, b.maxX) - max(a.minX, b.minX), h = min(a.maxY, b.maxY) - max(a.minY, b.minY)
                if w > tol && h > tol { q.textOverlaps += 1 }
            }
            let b = texts[i].box
            if max(picture.minX - b.minX, b.maxX - picture.maxX, picture.minY - b.minY, b.maxY - picture.maxY) > 0.5 { q.textClipped += 1 }
        }
        for i in nodeBoxes.indices { for j in (i + 1)..<nodeBoxes.count where nodeBoxes[i].overlaps(nodeBoxes[j]) { q.nodeOverlaps += 1 } }
        let index = Dictionary(scene.nodes.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { a, _ in a })
        for (src, dst, poly) in polylines where poly.count > 1 {
            var lo = Point(x: Double.infinity, y: Double.infinity), hi = Point(x: -Double.infinity, y: -Double.infinity)
            for q in poly { lo.x = min(lo.x, q.x); lo.y = min(lo.y, q.y); hi.x = max(hi.x, q.x); hi.y = max(hi.y, q.y) }
            for (k, b) in nodeBoxes.enumerated() where k != index[src] && k != index[dst] {
                if b.maxX <= lo.x || b.minX >= hi.x || b.maxY <= lo.y || b.minY >= hi.y { continue }
                if (1..<poly.count).contains(where: { b.intersectsSegment(poly[$0 - 1], poly[$0]) }) { q.edgeNodeHits += 1 }
            }
        }
        if countCrossings {
            let boxes = polylines.map { p -> Rect in
                var lo = Point(x: Double.infinity, y: Double.infinity), hi = Point(x: -Double.infinity, y: -Double.infinity)
                for q in p.2 { lo.x = min(lo.x, q.x); lo.y = min(lo.y, q.y); hi.x = max(hi.x, q.x); hi.y = max(hi.y, q.y) }
                return Rect(x: lo.x, y: lo.y, width: hi.x - lo.x, height: hi.y - lo.y)
            }
            for i in polylines.indices {
                for j in (i + 1)..<polylines.count {
                    let a = polylines[i], b = polylines[j]
                    if a.0 == b.0 || a.0 == b.1 || a.1 == b.0 || a.1 == b.1 { continue }
                    let ba = boxes[i], bb = boxes[j]
                    if ba.maxX < bb.minX || bb.maxX < ba.minX || ba.maxY < bb.minY || bb.maxY < ba.minY { continue }
                    q.crossings += RouteGeometry.crossings(a.2, b.2)
                }
            }
        }
        return q
    }
}
