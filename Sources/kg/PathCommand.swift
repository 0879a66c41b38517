import ArgumentParser
import Foundation
import KGCore
import KGFormat
import KGQuery

/// `kg path A B`: how two concepts are connected.
struct PathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path",
        abstract: "Show how two concepts are connected.",
        discussion: """
        Concepts are found by name, alias or id, case-insensitively. Prints the shortest paths over \
        any relation types, walked in either direction: each step shows its relation (the inverse \
        name when walked backwards) and its evidence (reading, locator, note).
        """)

    @Argument(help: "First concept (name, alias or id).")
    var from: String

    @Argument(help: "Second concept (name, alias or id).")
    var to: String

    @Option(help: "Longest path to look for, in steps.")
    var max: Int = 6

    @Option(help: "Show at most this many shortest paths.")
    var limit: Int = 10

    @OptionGroup var graphOptions: GraphOptions

    func run() throws {
        guard max >= 1 else { throw ValidationError("--max must be at least 1") }
        let g = try graphOptions.loadForReading().graph
        let a = try ConceptLookup.find(from, in: g), b = try ConceptLookup.find(to, in: g)
        let paths = Connections.shortestPaths(in: g, from: a, to: b, maxLength: max, limit: limit)
        if paths.isEmpty {
            print("No connection of at most \(max) step\(max == 1 ? "" : "s") between \(g.displayName(of: a)) and \(g.displayName(of: b)).")
            throw ExitCode(1)
        }
        let n = paths[0].count
        print("\(g.displayName(of: a)) → \(g.displayName(of: b)): \(paths.count) shortest path\(paths.count == 1 ? "" : "s") of \(n) step\(n == 1 ? "" : "s")")
        for (i, p) in paths.enumerated() {
            print("")
            print("Path \(i + 1):")
            for (j, s) in p.enumerated() {
                print("  \(j + 1). \(g.displayName(of: s.from)) —\(s.relationName(in: g))→ \(g.displayName(of: s.to))")
                if let m = Provenance.marker(of: s.edge, in: g) { print("       (\(m))") }
                for ev in g.evidence(of: s.edge) {
                    var line = "       evidence: \(ev.reading)"
                    if let l = ev.locator { line += " \(l)" }
                    if ev.modality != .asserted { line += " \(ev.modality.rawValue)" }
                    if let note = ev.note { line += " — \(note)" }
                    print(line)
                }
            }
        }
    }
}
