import ArgumentParser
import Foundation
import KGCore
import KGExport

/// `kg export deck`: the manifest's slides as one HTML slide deck and as Marp Markdown.
struct ExportDeckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deck", abstract: "Write the manifest's slides as one HTML slide deck and as Marp Markdown.",
        discussion: """
        Every entry of the exports manifest that draws slides (an svg entry with --slide) becomes one slide, \
        or several when it is a series, in manifest order, with the entry's description as speaker notes. \
        -o DIR writes DIR/index.html (self-contained: every slide an inline SVG, no network, no other file; \
        arrow keys, Page Up/Down, space or a click move, Home/End jump, F is full screen, N shows the notes, \
        printing gives one slide a page), DIR/slides.md (Marp) and the SVGs it shows in DIR/slides/. \
        -o FILE.html writes only the HTML deck; -o FILE.md the Marp deck with its SVGs in FILE-slides/.
        """)

    @Option(help: ArgumentHelp("The exports manifest to take the slides from.", valueName: "file"))
    var manifest: String = "Exports/manifest.json"

    @Option(name: .shortAndLong, help: ArgumentHelp("A folder (HTML + Marp), or a .html or .md file.", valueName: "dir|file"))
    var output: String

    @Option(help: ArgumentHelp("Title of the deck.", valueName: "text"))
    var title: String = "Concept maps"

    @OptionGroup var graphOptions: GraphOptions

    func run() throws {
        let m: ExportCommand.Manifest
        do { m = try ExportCommand.readManifest(file: manifest) } catch let e as ExportCommand.ManifestError {
            eprint("error: \(e)")
            throw ExitCode(1)
        }
        let graph = try graphOptions.load(showWarnings: false).graph
        var slides: [DeckWriter.Slide] = []
        var wide = 0, standard = 0
        let progress = ProgressReporter("deck", unit: "entries")
        for (k, entry) in m.exports.enumerated() where entry.command == "svg" && entry.args.contains("--slide") {
            var args = entry.args.filter { $0 != "--force" }
            if let i = args.firstIndex(of: "--format"), i + 1 < args.count { args.removeSubrange(i...(i + 1)) }
            let base = ((entry.output as NSString).deletingPathExtension as NSString).lastPathComponent
            let cmd = try ExportSVGCommand.parse(args + ["--format", "svg", "-o", base + ".svg"])
            let outputs = try cmd.render(graph, output: base + ".svg", idPrefix: "s\(k)-", warn: { eprint("\(entry.file): \($0)") })
            for o in outputs {
                let name = String(format: "%02d-", slides.count + 1) + ((o.path ?? base + ".svg") as NSString).lastPathComponent
                let t = Self.title(of: o.svg) ?? base
                slides.append(DeckWriter.Slide(title: t, svg: o.svg, notes: entry.description, fileName: name))
                if o.svg.contains("width=\"960\"") { standard += 1 } else { wide += 1 }
            }
            progress.update(k + 1, total: m.exports.count)
        }
        progress.finish()
        if slides.isEmpty {
            eprint("error: \(manifest) has no slide entries (an svg entry with --slide); nothing written")
            throw ExitCode(1)
        }
        let size = standard > wide ? "4:3" : "16:9"
        let ext = (output as NSString).pathExtension.lowercased()
        let fm = FileManager.default
        var written: [String] = []
        func write(_ text: String, _ path: String) throws {
            try AtomicFile.write(Data(text.utf8), to: path); written.append(path)
        }
        if ext == "html" || ext == "htm" {
            try write(DeckWriter.html(title: title, slides: slides), output)
        } else if ext == "md" {
            let folder = ((output as NSString).lastPathComponent as NSString).deletingPathExtension + "-slides"
            let dir = ((output as NSString).deletingLastPathComponent as NSString).appendingPathComponent(folder)
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for s in slides { try write(s.svg, (dir as NSString).appendingPathComponent(s.fileName)) }
            try write(DeckWriter.marp(title: title, slides: slides, imageFolder: folder, size: size), output)
        } else {
            let dir = output
            let images = (dir as NSString).appendingPathComponent("slides")
            try fm.createDirectory(atPath: images, withIntermediateDirectories: true)
            try write(DeckWriter.html(title: title, slides: slides), (dir as NSString).appendingPathComponent("index.html"))
            for s in slides { try write(s.svg, (images as NSString).appendingPathComponent(s.fileName)) }
            try write(DeckWriter.marp(title: title, slides: slides, imageFolder: "slides", size: size), (dir as NSString).appendingPathComponent("slides.md"))
        }
        print("wrote \(slides.count) slides: " + written.filter { !$0.hasSuffix(".svg") }.joined(separator: ", ")
              + (written.contains { $0.hasSuffix(".svg") } ? " (+ \(slides.count) SVG files)" : ""))
    }

    /// The text of the SVG's <title> element.
    static func title(of svg: String) -> String? {
        guard let a = svg.range(of: "<title>"), let b = svg.range(of: "</title>", range: a.upperBound..<svg.endIndex) else { return nil }
        return String(svg[a.upperBound..<b.lowerBound]).replacingOccurrences(of: "&amp;", with: "&")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
    }
}
