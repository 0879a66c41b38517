import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "link", abstract: "Link a new reading to the graph.")
    func run() throws { throw ValidationError("kg link is not built yet") }
}
