import Foundation
import PackagePlugin

/// Embeds the bundled course schema (`Graph/schema.kg`) into the `kg` binary at build time, for
/// `kg init --schema course`: the generated `CourseSchema.swift` holds the file's text, and is
/// generated again whenever the file changes, so the two never drift apart.
@main
struct EmbedCourseSchema: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let input = context.package.directoryURL.appending(path: "Graph").appending(path: "schema.kg")
        let output = context.pluginWorkDirectoryURL.appending(path: "CourseSchema.swift")
        return [
            .buildCommand(displayName: "Embedding Graph/schema.kg for kg init",
                          executable: try context.tool(named: "kg-embed-schema").url,
                          arguments: [input.path, output.path],
                          inputFiles: [input], outputFiles: [output]),
        ]
    }
}
