import ArgumentParser
import Foundation
import KGCore
import KGFormat

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a concept card: kind, aliases, summary, properties, relations with their evidence.",
        discussion: """
            NAME is a concept's name, one of its aliases or its id, matched case-insensitively \
            (hyphens and underscores read as spaces). Evidence is shown with the lines or sentences \
            it points at when the reading text is available.

            \(KGExit.help)
            """)

    @OptionGroup var graphOptions: GraphOptions

    @Argument(help: "Name, alias or id of the concept.")
    var name: String

    func run() throws {
        let loaded = try graphOptions.load(showWarnings: false)
        let g = loaded.graph
        let hits = ConceptLookup.matches(name, in: g)
        guard let n = hits.first else {
            eprint(ConceptLookup.missMessage(name, in: g, what: ""))
            throw ExitCode(1)
        }
        var card = ConceptCard(loaded)
        var out = card.render(n, color: Terminal.stdoutColor)
        if hits.count > 1 {
            out += "\nalso named '\(name)': " + hits.dropFirst().map { "\(g.displayName(of: $0)) (\(g.key(of: $0)))" }.joined(separator: ", ") + "\n"
        }
        writeStdout(out)
    }
}
