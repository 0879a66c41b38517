import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every input of the fuzzers' seed corpora and every crash they found (Fuzz/Corpus, Fuzz/Regressions)
/// goes through the command that reads such input, in the real `kg` binary: it may succeed or fail
/// with exit 1 and a message, but never crash, hang or fail without saying why.
@Suite struct FuzzCorpusTests {
    static var fuzzFolder: URL { QueryCLITests.packageRoot.appendingPathComponent("Fuzz") }

    /// Regression inputs of findings still open (Fuzz/Regressions/OPEN): expected to fail.
    static let open: Set<String> = {
        let text = (try? String(contentsOf: fuzzFolder.appendingPathComponent("Regressions/OPEN"), encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { $0.split(separator: " ").first.map(String.init) })
    }()

    static func inputs(_ target: String) -> [URL] {
        var out: [URL] = []
        for sub in ["Corpus", "Regressions"] {
            let dir = fuzzFolder.appendingPathComponent(sub).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            out += names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0) }
        }
        return out
    }

    static func tempFolder() throws -> String {
        let d = NSTemporaryDirectory() + "kg-fuzzcorpus-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// Runs kg and checks the outcome: exit 0, or exit 1 with a message on stderr; no signal.
    static func expectHandled(_ args: [String], _ input: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let key = input.deletingLastPathComponent().lastPathComponent + "/" + input.lastPathComponent
        if open.contains(key) && input.path.contains("/Regressions/") {
            try withKnownIssue("open fuzz finding \(key) (Fuzz/Regressions/OPEN)") {
                try check(args, input, sourceLocation: sourceLocation)
            }
        } else {
            try check(args, input, sourceLocation: sourceLocation)
        }
    }

    static func check(_ args: [String], _ input: URL, sourceLocation: SourceLocation) throws {
        guard let r = try CrashSafetyTests.run(args, env: ["KG_NO_CACHE": "1", "SWIFT_BACKTRACE": "enable=no"]) else { return }
        #expect(!r.killed && (r.status == 0 || r.status == 1), "\(input.lastPathComponent): kg \(args.prefix(2).joined(separator: " ")) ended with status \(r.status)\n\(r.err.prefix(2000))",
                sourceLocation: sourceLocation)
        if r.status == 1 {
            // (`kg fmt --check` lists the files on standard output.)
            #expect(!(r.err + r.out).isEmpty, "\(input.lastPathComponent): exit 1 without a message", sourceLocation: sourceLocation)
        }
    }

    @Test func kgInputsLoadCheckAndFormatWithoutCrashing() throws {
        let files = Self.inputs("kg")
        #expect(files.count >= 5)
        for input in files {
            let dir = try Self.tempFolder()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let bytes = [UInt8](try Data(contentsOf: input))
            for (i, part) in bytes.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false).enumerated() {
                try Data(part).write(to: URL(fileURLWithPath: dir + "/f\(i).kg"))
            }
            try Self.expectHandled(["check", "--graph", dir], input)
            try Self.expectHandled(["fmt", "--check", "--graph", dir], input)
            try Self.expectHandled(["fmt", "--graph", dir], input)
        }
    }

    @Test func cypherInputsRunWithoutCrashing() throws {
        let files = Self.inputs("cypher")
        #expect(files.count >= 30)
        let dir = try Self.tempFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CrashSafetyTests.smallGraph.write(toFile: dir + "/g.kg", atomically: true, encoding: .utf8)
        for input in files {
            let q = String(decoding: try Data(contentsOf: input), as: UTF8.self)
            try Self.expectHandled(["query", "--graph", dir, "--timeout", "5", "--params", "{\"p\": 1, \"s\": \"x\"}", q], input)
        }
    }

    @Test func graphMLInputsImportWithoutCrashing() throws {
        let files = Self.inputs("graphml")
        #expect(files.count >= 5)
        let dir = try Self.tempFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for input in files {
            try Self.expectHandled(["import", "graphml", input.path, "--graph", dir + "/Graph", "--dry-run"], input)
        }
    }

    @Test func readingInputsLinkWithoutCrashing() throws {
        let files = Self.inputs("readings")
        #expect(files.count >= 5)
        let dir = try Self.tempFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: QueryCLITests.packageRoot.appendingPathComponent("Graph").path, toPath: dir + "/Graph")
        for input in files {
            let bytes = [UInt8](try Data(contentsOf: input))
            guard let mode = bytes.first else { continue }
            let path = dir + "/reading-\(input.deletingPathExtension().lastPathComponent)" + (mode & 2 != 0 ? ".md" : ".txt")
            try Data(bytes.dropFirst()).write(to: URL(fileURLWithPath: path))
            try Self.expectHandled(["link", "--graph", dir + "/Graph", "--readings", dir, path], input)
        }
    }
}

extension CrashSafetyTests {
    /// The graph the Cypher fuzz target queries (Fuzz/Sources/FuzzCypher), as a .kg file.
    static let smallGraph = """
        kind Concept
        kind Person : Concept
        kind Reading
        relation KNOWS  Person -> Person  undirected
        relation CAUSES  Concept -> Concept  inverse CAUSED_BY  transitive
        relation SUPPORTS  Concept -> Concept  finding
        relation MENTIONS  Reading -> Concept
        relation RELATED_TO  * -> *

        reading r1 "A reading"
          path "r1.txt"
        concept alice "Alice" : Person
          aka "Al", "A."
          born 1990
          score 2.5
          tags ["x", "y"]
          since date "2024-05-01"
        concept bob "Bob" : Person
          born 1985
        concept carol "Carol" : Person
        concept idea "An idea" : Concept
          summary "Something to think about."
        concept effect "An effect" : Concept
        alice -KNOWS-> bob  @r1 L1
        bob -KNOWS-> carol  @r1 S2 hedged "perhaps"
        idea -CAUSES-> effect  @r1 L3-L4 "it leads there"
          weight 0.5
        effect -SUPPORTS-> idea  @r1 S5 negated
        r1 -MENTIONS-> idea  @r1 S1
        r1 -MENTIONS-> alice  @r1 S2
        carol -RELATED_TO-> idea

        """
}
