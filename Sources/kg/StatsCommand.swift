import ArgumentParser
import Foundation
import KGCore
import KGFormat

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count nodes by kind and edges by relation type.",
        discussion: KGExit.help)

    @OptionGroup var graphOptions: GraphOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let loaded = try graphOptions.load()
        let stats = GraphStats(loaded.graph)
        writeStdout(format == .json ? stats.json() : stats.text())
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
