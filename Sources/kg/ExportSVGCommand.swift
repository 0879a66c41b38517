import ArgumentParser
import Foundation
import KGCore
import KGExport
import KGLayout

/// `kg export svg`: a layered concept map as SVG 1.1, for slides and web pages.
struct ExportSVGCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svg", abstract: "Export an SVG diagram (layered layout; for slides and web pages).",
        discussion: """
        Kinds are drawn as shapes and colours, relation types as line colours and dashes with their names \
        as labels; a legend lists the kinds and relation types shown. Hover a node or an edge in a browser \
        to see its summary or its evidence. The file is plain SVG 1.1 (presentation attributes, no CSS, no \
        script, no external references), checked to render the same in rsvg-convert and headless \
        Chromium (not tested in PowerPoint, Keynote or Google Slides). --slide fits the drawing into a slide's aspect ratio and warns when \
        the text would come out too small to read; then draw less (--focus/--depth, --relations, --kinds).
        """)

    @OptionGroup var io: ExportIO
    @OptionGroup var select: SubgraphOptions

    @Option(help: ArgumentHelp("Layer direction: TB (top to bottom) or LR (left to right). Default TB; with --slide, whichever fits better.",
                               valueName: "TB|LR"))
    var direction: String?

    @Option(help: ArgumentHelp("Colours: light, dark or print (black on white; kinds by shape, relations by dash).", valueName: "name"))
    var theme: String = "light"

    @Option(help: ArgumentHelp("Fit into a slide of this aspect ratio with margins: 16:9 or 4:3.", valueName: "ratio"))
    var slide: String?

    @Option(help: ArgumentHelp("Title drawn above the diagram.", valueName: "text"))
    var title: String?

    @Flag(name: .customLong("no-legend"), help: "Leave out the legend of kinds and relation types.")
    var noLegend = false

    @Flag(name: .customLong("no-edge-labels"), help: "Draw relations without their type names (colours and the legend still tell them apart).")
    var noEdgeLabels = false

    func validate() throws {
        if let d = direction, LayoutDirection(rawValue: d.uppercased()) == nil {
            throw ValidationError("--direction must be TB or LR, not '\(d)'")
        }
        if SVGTheme.Name(rawValue: theme) == nil { throw ValidationError("--theme must be light, dark or print, not '\(theme)'") }
        if let s = slide, SlideFormat(rawValue: s) == nil { throw ValidationError("--slide must be 16:9 or 4:3, not '\(s)'") }
    }

    var style: SVGStyle {
        var s = SVGStyle()
        s.theme = SVGTheme.named(SVGTheme.Name(rawValue: theme) ?? .light)
        s.direction = direction.flatMap { LayoutDirection(rawValue: $0.uppercased()) }
        s.slide = slide.flatMap(SlideFormat.init(rawValue:))
        s.title = title
        s.legend = !noLegend
        return s
    }

    /// The SVG text for `graph`; warnings go to `warn`.
    func render(_ graph: Graph, warn: (String) -> Void) throws -> Data {
        let sub = try select.select(from: graph)
        var focus: Set<NodeID> = []
        if let f = select.focus { focus.insert(try SubgraphOptions.resolve(f, in: graph)) }
        if sub.nodes.isEmpty { warn("warning: nothing selected; the diagram is empty") }
        let diagram = SVGGraph.diagram(graph, sub, emphasise: focus, edgeLabels: !noEdgeLabels)
        let result = try SVGRenderer(style: style).render(diagram)
        for w in result.warnings { warn("warning: " + w) }
        return Data(result.svg.utf8)
    }

    func run() throws {
        let graph = try io.loadGraph()
        try io.emit(render(graph, warn: { eprint($0) }))
    }
}
