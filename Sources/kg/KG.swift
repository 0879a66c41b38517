import ArgumentParser

@main
struct KG: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kg",
        abstract: "A concept-graph knowledge base: keep readings as concepts and relations, query them in Cypher, draw them for slides.",
        subcommands: [
            ShowCommand.self, StatsCommand.self, CheckCommand.self, FmtCommand.self,
            QueryCommand.self, ShellCommand.self, PathCommand.self,
            ExportCommand.self, ImportCommand.self,
            InitCommand.self, LinkCommand.self, GenerateCommand.self, ServeCommand.self,
        ]
    )
}
