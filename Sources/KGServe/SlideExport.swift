import Foundation
import KGCore
import KGExport

/// The one place the server calls the slide export, so that "download as slide" gives what
/// `kg export svg --focus … --slide RATIO [--format png]` gives: the same selection (readings and
/// MENTIONS left out unless asked for), the same slide planning (a numbered series when one slide
/// cannot be read), the same PNG at twice the slide size.
enum SlideExport {
    /// The slides of a selection, as SVG texts, and the notes `kg export svg` prints about them.
    struct Series: Sendable {
        var slides: [String]
        var notes: [String]
    }

    static func series(_ g: Graph, selection sel: Drawing.Selection, ratio: SlideFormat, theme: SVGTheme) throws -> Series {
        var sub = try Drawing.neighbourhood(g, sel)
        var focus = sel.focus
        if !Subgraph.asksForReadings(g, focus: sel.focus, kinds: sel.kinds, relations: sel.relations) {
            sub = sub.withoutReadings(in: g)
            if let f = focus, !sub.nodes.contains(f) { focus = nil }
        }
        guard !sub.nodes.isEmpty else { throw APIError(.unprocessable, "nothing to draw: no concepts besides readings match") }
        var style = SVGStyle()
        style.theme = theme
        style.slide = ratio
        let diagram = SVGGraph.diagram(g, sub, edgeLabels: true, focus: focus)
        do {
            let r = try SVGRenderer(style: style).renderSlides(diagram)
            return Series(slides: r.slides.map(\.svg), notes: r.warnings)
        } catch let e as SlideError {
            throw APIError(.unprocessable, e.description)
        }
    }

    /// PNG bytes of one slide (twice the slide size), as `kg export svg --format png` writes them.
    static func png(_ svg: String) throws -> Data {
        let raster: Rasterizer
        do { raster = try Rasterizer.load() } catch {
            throw APIError(.unavailable, "PNG slides need librsvg and cairo at run time: \(error); download the SVG")
        }
        return try raster.png(svg, scale: 2)
    }
}
