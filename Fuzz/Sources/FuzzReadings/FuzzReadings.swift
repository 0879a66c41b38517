// libFuzzer target: reading input, the normaliser and tokenizer, the alias matcher and the linker
// (docs/RELIABILITY.md, "Fuzzing").
//
// The first byte picks the mode. Even: the rest is a reading (Markdown when bit 1 is set), linked
// against the graph (the repository's Graph/ when the fuzzer runs from the package root, else a
// small built-in one) with every proposal accepted; the .kg text `kg link` would write must load
// together with the graph without errors. Odd: the rest is alias lines, a NUL, and a text: the
// aliases go into a fresh matcher, which tokenizes and matches the text.
import Foundation
import KGCore
import KGFormat
import KGReadings

let builtInGraph = """
    kind Concept
    kind Reading
    relation MENTIONS  Reading -> Concept
    relation RELATED_TO  * -> *
    relation CAUSES  Concept -> Concept
      cue "leads to", "causes"
    concept sleeper-agent "Sleeper agent" : Concept
      aka "sleeper agents", "SA"
    concept backdoor "Backdoor" : Concept
      aka "back door", "trigger behaviour"
    concept safety-training "Safety training" : Concept
      aka "RLHF", "adversarial training"
    concept chain-of-thought "Chain-of-thought" : Concept
      aka "CoT", "chain of thought"
    """

struct Setup {
    var files: [(path: String, text: String)]
    var graph: Graph
    var linker: Linker
}

let setup: Setup = {
    var files: [(path: String, text: String)] = []
    if FileManager.default.fileExists(atPath: "Graph/schema.kg") {
        for rel in GraphLoader.kgFiles(in: "Graph") {
            files.append(("Graph/" + rel, (try? String(contentsOfFile: "Graph/" + rel, encoding: .utf8)) ?? ""))
        }
        // Accepted untyped relations need RELATED_TO; declare it when the graph does not.
        files.append(("Graph/zz-fuzz-schema.kg", "relation RELATED_TO  * -> *\n"))
    }
    var loaded = GraphLoader.load(files: files)
    if files.isEmpty || loaded.hasErrors {
        files = [("Graph/schema.kg", builtInGraph)]
        loaded = GraphLoader.load(files: files)
    }
    precondition(!loaded.hasErrors, "the fuzz graph does not load: \(loaded.diagnostics.prefix(3))")
    return Setup(files: files, graph: loaded.graph, linker: Linker(graph: loaded.graph))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReadings(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let mode = data[0]
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if mode & 1 == 1 {
        let parts = rest.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        let matcher = AliasMatcher()
        let aliases = String(decoding: parts[0], as: UTF8.self).split(separator: "\n")
        for (i, a) in aliases.prefix(64).enumerated() { _ = matcher.add(alias: String(a), target: i) }
        let text = parts.count > 1 ? Array(parts[1]) : []
        text.withUnsafeBufferPointer { buf in
            let tokens = matcher.tokenize(buf)
            for m in matcher.match(tokens: tokens, text: buf) {
                precondition(m.start >= 0 && m.start <= m.end && m.end <= buf.count, "match \(m) outside the text")
            }
        }
        return 0
    }
    guard let source = try? ReadingSource(path: "fuzz.md", bytes: rest, markdown: mode & 2 != 0) else { return 0 }
    let sha = SHA256.hex(of: rest)
    var options = LinkOptions(path: "fuzz.md", sha256: sha, readingID: "fuzz-reading")
    options.maxRelations = 30
    // kg link's own time limit (below libFuzzer's per-input timeout): running out of time is an
    // answer, not a finding.
    options.deadline = Deadline(seconds: 5)
    guard let result = try? setup.linker.link(source, options: options) else { return 0 }
    let text = KGEmitter.emit(result, accept: Acceptance(mentions: true, allRelations: true, allConcepts: true),
                              graph: setup.graph)
    let after = GraphLoader.load(files: setup.files + [("Graph/readings/fuzz-reading.kg", text)])
    if let d = after.diagnostics.first(where: \.isError) {
        fatalError("the .kg text kg link would write does not load: \(d.description)\n--- text:\n\(text)")
    }
    return 0
}
