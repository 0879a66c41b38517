import ArgumentParser
import Foundation
import KGCore
import KGFormat

struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Rewrite .kg files in canonical form (comments kept).",
        discussion: """
            Without FILES, formats every *.kg file of the graph folder. A file with syntax errors is \
            reported and never written. With --check nothing is written: the files that are not \
            canonical are listed and the exit code is 1.

            \(KGExit.help)
            """)

    @OptionGroup var graphOptions: GraphOptions

    @Flag(name: .long, help: "Write nothing; list files that are not canonical and exit 1 if any.")
    var check = false

    @Argument(help: ArgumentHelp("Files to format (default: every *.kg file in the graph folder).", valueName: "file"))
    var files: [String] = []

    func run() throws {
        var paths = files
        if paths.isEmpty {
            let dir = graphOptions.graphDirectory
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                eprint("error: graph folder '\(dir)' not found")
                throw ExitCode(1)
            }
            paths = GraphLoader.kgFiles(in: dir).map { dir + "/" + $0 }
        }
        var failed = false
        var notCanonical: [String] = []
        var writes: [(path: String, bytes: [UInt8])] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                eprint("error: cannot read '\(path)'")
                failed = true
                continue
            }
            let bytes = [UInt8](data)
            let (doc, diags) = KGParser.parse(path: path, bytes: bytes)
            if diags.contains(where: \.isError) {
                printDiagnostics(diags)
                failed = true
                continue
            }
            let out = Array(KGPrinter.print(doc).utf8)
            if out != bytes {
                notCanonical.append(path)
                writes.append((path, out))
            }
        }
        if check {
            for p in notCanonical { writeStdout("not canonical: \(p)\n") }
            if failed || !notCanonical.isEmpty { throw ExitCode(1) }
            return
        }
        do {
            try AtomicWrite.writeAll(writes)
        } catch {
            eprint("error: \(error)")
            throw ExitCode(1)
        }
        for p in notCanonical { writeStdout("formatted \(p)\n") }
        if failed { throw ExitCode(1) }
    }
}
