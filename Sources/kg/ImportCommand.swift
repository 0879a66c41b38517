import ArgumentParser

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Read a graph from another format into .kg statements.",
        subcommands: [ImportGraphMLCommand.self])
}
