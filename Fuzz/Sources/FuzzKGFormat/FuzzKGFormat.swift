// libFuzzer target: the .kg parser, printer and loader (docs/RELIABILITY.md, "Fuzzing").
//
// The input is up to four .kg files separated by NUL bytes. Each file is parsed; a file without
// syntax errors must print (`kg fmt`) to text that parses without errors and prints the same
// again. The files are then loaded together as one graph; a graph without errors is checked
// (`kg check` rules), rendered as one .kg text (as `kg import` writes it), and that text must load
// without errors into the same graph.
import Foundation
import KGCore
import KGFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKGFormat(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parts = bytes.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false)
    var files: [(path: String, text: String)] = []
    for (i, part) in parts.enumerated() {
        let path = "Graph/f\(i).kg"
        let (doc, diags) = KGParser.parse(path: path, bytes: Array(part))
        if !diags.contains(where: \.isError) {
            let printed = KGPrinter.print(doc)
            let (doc2, diags2) = KGParser.parse(path: path, text: printed)
            if let d = diags2.first(where: \.isError) {
                fatalError("kg fmt output does not parse: \(d.description)\n--- printed:\n\(printed)")
            }
            let again = KGPrinter.print(doc2)
            // Open (docs/RELIABILITY.md, F1): a comment ending in CR loses one CR per `kg fmt`.
            // Skipped here so that fuzzing goes past it; FuzzFindingsTests tracks it.
            let knownOpen = printed.contains("\r\n")
            if again != printed && !knownOpen {
                fatalError("kg fmt is not idempotent\n--- first:\n\(printed)\n--- second:\n\(again)")
            }
        }
        files.append((path, String(decoding: part, as: UTF8.self)))
    }
    let loaded = GraphLoader.load(files: files)
    guard !loaded.hasErrors else { return 0 }
    _ = GraphChecker.check(loaded)
    let rendered = KGPrinter.render(graph: loaded.graph)
    let back = GraphLoader.load(files: [("Graph/rendered.kg", rendered)])
    if let d = back.diagnostics.first(where: \.isError) {
        fatalError("the rendered graph does not load: \(d.description)\n--- rendered:\n\(rendered)")
    }
    let diff = GraphEquivalence.differences(loaded.graph, back.graph, limit: 3)
    if !diff.isEmpty {
        fatalError("the rendered graph differs from the loaded one: \(diff)\n--- rendered:\n\(rendered)")
    }
    return 0
}
