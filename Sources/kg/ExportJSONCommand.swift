import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct ExportJSONCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "json", abstract: "Export JSON Graph Format.")
    func run() throws { throw ValidationError("kg json is not built yet") }
}
