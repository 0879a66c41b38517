import Foundation
import KGCore
import KGExport

/// The one place the server calls the slide export, so that "download as slide" gives what
/// `kg export svg --focus … --slide RATIO` gives. When the export changes (slide series, PNG), this
/// function follows it.
enum SlideExport {
    struct Output {
        var data: Data
        var warnings: [String]
    }

    static func render(_ g: Graph, selection sel: Drawing.Selection, ratio: SlideFormat, theme: SVGTheme, png: Bool) throws -> Output {
        let sub = try Drawing.neighbourhood(g, sel)
        let (svg, warnings) = try Drawing.svg(g, sub, focus: sel.focus, slide: ratio, theme: theme)
        if png {
            throw APIError(.notImplemented, "PNG slides need the raster export of `kg export svg --format png`, which this build of kg does not have; download the SVG")
        }
        return Output(data: Data(svg.utf8), warnings: warnings)
    }
}
