import ArgumentParser

// Placeholder until the subcommand lands; replaced by its owner.
struct ExportSVGCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "svg", abstract: "Export an SVG diagram.")
    func run() throws { throw ValidationError("kg svg is not built yet") }
}
