import Foundation
import Testing

/// Runs the built `kg` binary for end-to-end tests.
enum KGRun {
    struct Result { var status: Int32; var out: String; var err: String }

    static var binary: URL? { LinkCommandTests.kgBinary }

    /// Runs `kg args` in `cwd`; `env` adds to (or, with nil values, removes from) the environment.
    static func kg(_ args: [String], cwd: URL, env: [String: String?] = [:], stdin: Data? = nil) throws -> Result {
        let p = Process()
        p.executableURL = try #require(binary)
        p.arguments = args
        p.currentDirectoryURL = cwd
        var e = ProcessInfo.processInfo.environment
        e["KG_READINGS"] = nil
        e["KG_GRAPH"] = nil
        e["NO_COLOR"] = "1"
        e["SOURCE_DATE_EPOCH"] = "1767225600"  // 2026-01-01, so accepted relations carry a known date
        for (k, v) in env { e[k] = v }
        p.environment = e
        let o = Pipe(), er = Pipe()
        p.standardOutput = o
        p.standardError = er
        if let stdin {
            let i = Pipe()
            p.standardInput = i
            try p.run()
            try? i.fileHandleForWriting.write(contentsOf: stdin)
            try? i.fileHandleForWriting.close()
        } else {
            p.standardInput = FileHandle.nullDevice
            try p.run()
        }
        // Read both pipes at once so that neither fills up.
        var od = Data(), ed = Data()
        let g = DispatchGroup()
        g.enter()
        DispatchQueue.global().async { ed = er.fileHandleForReading.readDataToEndOfFile(); g.leave() }
        od = o.fileHandleForReading.readDataToEndOfFile()
        g.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, out: String(decoding: od, as: UTF8.self), err: String(decoding: ed, as: UTF8.self))
    }

    /// A fresh temporary folder.
    static func tempDir(_ name: String) throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("kg-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// Every file under `dir` (relative paths, sorted), with its bytes.
    static func snapshot(_ dir: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        for case let rel as String in fm.enumerator(atPath: dir.path) ?? FileManager.DirectoryEnumerator() {
            let full = dir.appendingPathComponent(rel).path
            var st = stat()
            guard lstat(full, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            out[rel] = fm.contents(atPath: full) ?? Data()
        }
        return out
    }

    /// The repository root (for Graph/ and the shared readings).
    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
}
