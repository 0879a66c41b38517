import Foundation
import Testing

/// Runs the openCypher TCK selection in ../shared/tck through its runner (with
/// `--strict-errors --check-side-effects`) against the built `kg` binary and compares the failures
/// with the committed list of known failures, which is empty: every scenario of the selection
/// must pass. Skips (with a message) when the TCK or the binary is not there.
@Suite struct TCKTests {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var tckDir: URL {
        if let d = ProcessInfo.processInfo.environment["KG_TCK_DIR"] { return URL(fileURLWithPath: d) }
        if let s = ProcessInfo.processInfo.environment["KG_SHARED"] { return URL(fileURLWithPath: s).appendingPathComponent("tck") }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/tck")
    }

    /// The `kg` binary next to the running test bundle (works with any --scratch-path).
    static var kgBinary: URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<6 {
            let cand = dir.appendingPathComponent("kg")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: cand.path, isDirectory: &isDir), !isDir.boolValue { return cand }
            dir = dir.deletingLastPathComponent()
        }
        let b = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("kg")
        return FileManager.default.fileExists(atPath: b.path) ? b : nil
    }

    static func knownFailures() throws -> Set<String> {
        let url = packageRoot.appendingPathComponent("Tests/KGQueryTests/tck-known-failures.txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        return Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    @Test func tckConformanceOnlyRatchetsUp() throws {
        let runner = Self.tckDir.appendingPathComponent("tck_run.py")
        guard FileManager.default.fileExists(atPath: runner.path) else {
            print("SKIPPED TCKTests: no TCK at \(Self.tckDir.path) (set KG_TCK_DIR)")
            return
        }
        guard let kg = Self.kgBinary else {
            print("SKIPPED TCKTests: the kg binary was not found next to the test bundle; run `swift build` first")
            return
        }
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("kg-tck-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: json) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", runner.path, "--features", Self.tckDir.appendingPathComponent("features").path,
                       "--kg", kg.path, "--strict-errors", "--check-side-effects", "--jobs", "2", "--json", json.path, "-q"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let data = try Data(contentsOf: json)
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let scenarios = try #require(obj["scenarios"] as? [[String: Any]])
        var failed = Set<String>()
        var passed = 0
        for s in scenarios {
            guard let id = s["id"] as? String, let status = s["status"] as? String else { continue }
            if status == "failed" { failed.insert(id) } else if status == "passed" { passed += 1 }
        }
        let known = try Self.knownFailures()
        let newFailures = failed.subtracting(known).sorted()
        print("TCK: \(passed) passed, \(failed.count) failed (\(known.count) known failures)")
        #expect(passed >= 2319, "the TCK run passed only \(passed) scenarios")
        #expect(newFailures.isEmpty, "scenarios failing that are not in tck-known-failures.txt: \(newFailures.joined(separator: ", "))")
        let fixed = known.subtracting(failed).sorted()
        if !fixed.isEmpty { print("TCK: now passing, remove from tck-known-failures.txt: \(fixed.joined(separator: ", "))") }
    }
}
