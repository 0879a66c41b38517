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

            Writing takes the graph folder's writer lock (the folder holding FILES when they lie \
            outside it) and replaces every changed file in one transaction: after a crash the files \
            are all formatted or all as they were (docs/RELIABILITY.md).

            \(KGExit.help)
            """)

    @OptionGroup var graphOptions: GraphOptions

    @OptionGroup var writeOptions: WriteOptions

    @Flag(name: .long, help: "Write nothing; list files that are not canonical and exit 1 if any.")
    var check = false

    @Argument(help: ArgumentHelp("Files to format (default: every *.kg file in the graph folder).", valueName: "file"))
    var files: [String] = []

    func run() throws {
        if !check { try lockFolder() }
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

    /// Locks the graph folder, or, for files outside it, the deepest folder holding them all.
    func lockFolder() throws {
        if files.isEmpty { return try graphOptions.lockForWriting(writeOptions) }
        func abs(_ p: String) -> String {
            URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                .standardizedFileURL.resolvingSymlinksInPath().path
        }
        let graph = abs(graphOptions.graphDirectory)
        let folders = files.map { (abs($0) as NSString).deletingLastPathComponent }
        if folders.allSatisfy({ $0 == graph || $0.hasPrefix(graph + "/") }) {
            return try graphOptions.lockForWriting(writeOptions)
        }
        var common = folders[0].split(separator: "/")
        for f in folders.dropFirst() {
            let parts = f.split(separator: "/")
            var i = 0
            while i < common.count && i < parts.count && common[i] == parts[i] { i += 1 }
            common.removeSubrange(i...)
        }
        let dir = "/" + common.joined(separator: "/")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else { return }
        try HeldWriteLocks.lock(dir, writeOptions)
    }
}
