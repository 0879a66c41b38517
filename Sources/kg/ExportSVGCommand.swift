import ArgumentParser
import Foundation
import KGCore
import KGExport
import KGLayout

/// `kg export svg`: a concept map as SVG 1.1 (or PNG/PDF drawn from it), for slides and web pages.
struct ExportSVGCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svg", abstract: "Export a diagram as SVG, PNG or PDF: a handout, or slides that read from the back of the room.",
        discussion: """
        Without --slide the whole selection is drawn as one handout (layered layout, 14 px text), for a web \
        page or print. With --slide 16:9 (1280×720) or 4:3 (960×720) kg draws slides: concept names at 24 px \
        or more and relation labels at 18 px or more on the slide, the drawing filling most of it. A focus \
        neighbourhood becomes a concept map (the focus in the middle, relations into it on the left and out of \
        it on the right, or radial), a chain or a larger graph a layered drawing folded into rows or columns, \
        and a story — a --query that returns paths, or --layout story — reads in its argument order, left to \
        right and top to bottom. Reading nodes and MENTIONS relations stay off slides unless --with-readings \
        (or --kinds Reading, --relations MENTIONS, a reading as the focus) asks for them.

        What does not fit one slide at those sizes becomes a numbered series (FILE-1.svg, FILE-2.svg, …; \
        -o is needed then): one slide or more around the focus, its relations grouped by type with a "+N more" \
        node naming what the next slide holds, then one around each concept with relations not shown yet. \
        --max-nodes caps the concepts on a slide. kg never writes an unreadable slide and says it did \
        nothing wrong: --allow-small is the explicit way to get everything on one slide below those sizes.

        --format png writes the picture at twice the slide size (for Google Slides, which takes no SVG), \
        --format pdf a vector page (LaTeX Beamer, print); both are drawn from the same SVG by librsvg and \
        cairo, loaded at run time (Debian: librsvg2-2, libcairo2). The format also follows from -o's \
        extension. The SVG is plain SVG 1.1 (presentation attributes, no CSS, no script, no external \
        references); hover a node or an edge in a browser for its summary or evidence. A selection of more \
        than 3,000 concepts is refused (use --focus or --query, or GraphML for Gephi) unless --force.
        """)

    @OptionGroup var io: ExportIO
    @OptionGroup var select: SubgraphOptions

    @Option(help: ArgumentHelp("What to write: svg, png (2× the size) or pdf. Default: from -o's extension, else svg.",
                               valueName: "svg|png|pdf"))
    var format: String?

    @Option(help: ArgumentHelp("Draw slides of this shape: 16:9 (1280×720) or 4:3 (960×720).", valueName: "ratio"))
    var slide: String?

    @Option(help: ArgumentHelp("Slide layout: auto, map (focus in the middle, incoming left, outgoing right), radial, layered or story (argument order, in rows). A slide the asked layout cannot draw readably is drawn another way, with a note.",
                               valueName: "name"))
    var layout: String = "auto"

    @Option(help: ArgumentHelp("Layer direction of the layered layout: TB or LR. Default TB; on slides, whichever reads larger (an asked direction is kept wherever it is readable).",
                               valueName: "TB|LR"))
    var direction: String?

    @Option(help: ArgumentHelp("Colours: light, dark or print (black on white; kinds by shape, grey and border, relations by dash).", valueName: "name"))
    var theme: String = "light"

    @Option(help: ArgumentHelp("Title drawn above the diagram (a series numbers it: Title (2/5)).", valueName: "text"))
    var title: String?

    @Option(help: ArgumentHelp("Legend: auto (kinds when there are three or more; relation types only without edge labels), full or none.",
                               valueName: "mode"))
    var legend: String = "auto"

    @Flag(name: .customLong("no-legend"), help: "Same as --legend none.")
    var noLegend = false

    @Flag(name: .customLong("no-edge-labels"), help: "Draw relations without their type names (colours, dashes and the legend tell them apart).")
    var noEdgeLabels = false

    @Option(name: .customLong("max-nodes"), help: ArgumentHelp("With --slide: at most this many concepts on one slide; more become a series.", valueName: "n"))
    var maxNodes: Int?

    @Option(name: .customLong("max-slides"), help: ArgumentHelp("With --slide: refuse a series longer than this.", valueName: "n"))
    var maxSlides: Int = 40

    @Flag(name: .customLong("allow-small"), help: "With --slide: draw everything on one slide even below the readable sizes (a warning says how small).")
    var allowSmall = false

    @Flag(name: .customLong("with-readings"), help: "With --slide: keep Reading nodes and MENTIONS relations.")
    var withReadings = false

    @Flag(help: "Draw a selection of more than 3,000 concepts anyway.")
    var force = false

    static let largeSelection = 3000

    func validate() throws {
        if let d = direction, LayoutDirection(rawValue: d.uppercased()) == nil {
            throw ValidationError("--direction must be TB or LR, not '\(d)'")
        }
        if SVGTheme.Name(rawValue: theme) == nil { throw ValidationError("--theme must be light, dark or print, not '\(theme)'") }
        if let s = slide, SlideFormat(rawValue: s) == nil { throw ValidationError("--slide must be 16:9 or 4:3, not '\(s)'") }
        if LegendMode(rawValue: legend) == nil { throw ValidationError("--legend must be auto, full or none, not '\(legend)'") }
        if SlideLayout(rawValue: layout) == nil { throw ValidationError("--layout must be auto, map, radial, layered or story, not '\(layout)'") }
        if let f = format, Rasterizer.Format(rawValue: f) == nil && f != "svg" { throw ValidationError("--format must be svg, png or pdf, not '\(f)'") }
        if let m = maxNodes, m < 2 { throw ValidationError("--max-nodes must be 2 or more") }
        if maxSlides < 1 { throw ValidationError("--max-slides must be 1 or more") }
        if slide == nil {
            for (set, name) in [(maxNodes != nil, "--max-nodes"), (allowSmall, "--allow-small"), (layout != "auto", "--layout")] where set {
                throw ValidationError("\(name) applies to slides: add --slide 16:9 or --slide 4:3")
            }
        }
    }

    /// svg, png or pdf: --format, else -o's extension.
    var outputFormat: String {
        if let f = format { return f }
        let ext = (io.output.map { ($0 as NSString).pathExtension.lowercased() }) ?? ""
        return ext == "png" || ext == "pdf" ? ext : "svg"
    }

    var style: SVGStyle {
        var s = SVGStyle()
        s.theme = SVGTheme.named(SVGTheme.Name(rawValue: theme) ?? .light)
        s.direction = direction.flatMap { LayoutDirection(rawValue: $0.uppercased()) }
        s.slide = slide.flatMap(SlideFormat.init(rawValue:))
        s.title = title
        s.legendMode = noLegend ? .none : (LegendMode(rawValue: legend) ?? .auto)
        s.slideLayout = SlideLayout(rawValue: layout) ?? .auto
        s.maxNodesPerSlide = maxNodes
        s.maxSlides = maxSlides
        s.allowSmall = allowSmall
        return s
    }

    /// One file to write: its path (nil: standard output) and its bytes; `svg` is the drawing it came from.
    struct Output { var path: String?; var data: Data; var svg: String }

    /// The files for `graph` (one, or a slide series); warnings go to `warn`. `output` is the -o path.
    /// - Parameters:
    ///   - idPrefix: prefix of every id in the SVG (several SVGs inline in one page).
    ///   - rasterise: false leaves PNG/PDF bytes empty (`--check` compares the SVG they come from).
    func render(_ graph: Graph, output: String?, idPrefix: String = "", rasterise: Bool = true,
                warn: (String) -> Void) throws -> [Output] {
        var sel = try select.selection(from: graph)
        if slide != nil && !withReadings && !select.asksForReadings(graph, focus: sel.focus) {
            sel.sub = SubgraphOptions.withoutReadings(sel.sub, in: graph)
            if let f = sel.focus, !sel.sub.nodes.contains(f) { sel.focus = nil }
        }
        let sub = sel.sub
        if sub.nodes.isEmpty {
            eprint("error: nothing selected (no concepts\(slide != nil && !withReadings ? " besides readings" : "") match); nothing written")
            throw ExitCode(1)
        }
        if sub.nodes.count > Self.largeSelection && !force {
            eprint("""
            error: the selection has \(sub.nodes.count) concepts; a diagram of more than \(Self.largeSelection) takes long to lay out and \
            cannot be read. Draw part of it (--focus NAME --depth 1, --query 'MATCH …'), or export GraphML and open it in \
            Gephi (kg export graphml -o graph.graphml); --force draws it anyway.
            """)
            throw ExitCode(1)
        }
        let story = style.slideLayout == .story || (sel.returnedPaths && select.query != nil)
        let diagram = SVGGraph.diagram(graph, sub, edgeLabels: !noEdgeLabels, focus: sel.focus,
                                       nodeOrder: sel.nodeOrder, edgeOrder: sel.edgeOrder, story: story)
        var st = style
        st.idPrefix = idPrefix
        let planning = ProgressReporter("planning slides", unit: "slides")
        defer { planning.finish() }
        st.progress = { planning.update($0) }
        let renderer = SVGRenderer(style: st)
        var svgs: [(String, String?)] = []   // svg, title
        if slide != nil {
            let series: SlideSeriesResult
            do { series = try renderer.renderSlides(diagram) } catch let e as SlideError {
                eprint("error: \(e.description); nothing written")
                throw ExitCode(1)
            }
            for w in series.warnings { warn("note: " + w) }
            svgs = series.slides.map { ($0.svg, $0.title ?? title) }
        } else {
            let progress = ProgressReporter("layout", unit: "nodes")
            progress.update(0, total: diagram.nodes.count)
            let r = try renderer.render(diagram)
            progress.finish()
            for w in r.warnings { warn("warning: " + w) }
            svgs = [(r.svg, title)]
        }
        let fmt = outputFormat
        var raster: Rasterizer? = nil
        if fmt != "svg" && rasterise {
            do { raster = try Rasterizer.load() } catch {
                eprint("error: \(error); nothing written (SVG works without it: --format svg)")
                throw ExitCode(1)
            }
        }
        if svgs.count > 1 && output == nil {
            eprint("error: the selection needs \(svgs.count) slides: give -o FILE to write FILE-1.\(fmt) … FILE-\(svgs.count).\(fmt) (or --max-nodes, --allow-small)")
            throw ExitCode(1)
        }
        let progress = ProgressReporter("drawing", unit: "files")
        defer { progress.finish() }
        var out: [Output] = []
        for (i, (svg, t)) in svgs.enumerated() {
            let data: Data
            switch fmt != "svg" && !rasterise ? "svg-only" : fmt {
            case "svg-only": data = Data()
            case "png": data = try raster!.png(svg, scale: 2)
            case "pdf": data = try raster!.pdf(svg, title: t)
            default: data = Data(svg.utf8)
            }
            let path = svgs.count == 1 ? output : Self.seriesPath(output!, index: i + 1, count: svgs.count)
            out.append(Output(path: path, data: data, svg: svg))
            progress.update(i + 1, total: svgs.count)
        }
        return out
    }

    /// FILE.ext → FILE-k.ext (zero-padded to the width of the count).
    static func seriesPath(_ path: String, index: Int, count: Int) -> String {
        let ext = (path as NSString).pathExtension
        let stem = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
        let width = String(count).count
        let k = String(repeating: "0", count: max(0, width - String(index).count)) + String(index)
        return ext.isEmpty ? "\(stem)-\(k)" : "\(stem)-\(k).\(ext)"
    }

    /// Files kg wrote for `path` earlier that the new outputs do not replace: numbered slides of an
    /// earlier series (FILE-k.ext) not written now, and FILE.ext itself when a series replaces it.
    static func staleSeriesFiles(_ path: String, written: Set<String>) -> [String] {
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        let ext = (path as NSString).pathExtension
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let names = try? fm.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return [] }
        var out: [String] = []
        for name in names.sorted() {
            let full = dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
            if written.contains(full) { continue }
            let numbered: Bool = {
                guard name.hasPrefix(base + "-"), (name as NSString).pathExtension == ext else { return false }
                let middle = (name as NSString).deletingPathExtension.dropFirst(base.count + 1)
                return !middle.isEmpty && middle.allSatisfy { $0.isASCII && $0.isNumber }
            }()
            let itself = full == path || name == (path as NSString).lastPathComponent
            guard numbered || itself else { continue }
            guard let data = fm.contents(atPath: full), Self.isKGOutput(data) else { continue }
            out.append(full)
        }
        return out
    }

    static func isKGOutput(_ data: Data) -> Bool {
        if Rasterizer.sourceDigest(of: data) != nil { return true }
        return String(decoding: data.prefix(2000), as: UTF8.self).contains("drawn by kg")
    }

    /// Writes the files (atomically) and removes an earlier, longer series of the same name.
    static func write(_ outputs: [Output], requested: String?) throws {
        for o in outputs {
            if let p = o.path { try AtomicFile.write(o.data, to: p) } else { FileHandle.standardOutput.write(o.data) }
        }
        if let req = requested {
            for stale in staleSeriesFiles(req, written: Set(outputs.compactMap(\.path))) { try? FileManager.default.removeItem(atPath: stale) }
        }
    }

    func run() throws {
        let graph = try io.loadGraph()
        let outputs = try render(graph, output: io.output, warn: { eprint($0) })
        try Self.write(outputs, requested: io.output)
        if outputs.count > 1 {
            eprint("wrote \(outputs.count) slides: " + outputs.compactMap { $0.path.map { ($0 as NSString).lastPathComponent } }.joined(separator: ", "))
        }
    }
}
