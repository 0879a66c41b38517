import Foundation
import Testing

/// End-to-end tests of the query language's command-line behaviour through the built `kg`:
/// input errors, notifications, limits, temporal values saved to .kg files.
@Suite struct CypherCLITests {
    typealias Run = QueryCLITests.Run
    static func kg(_ args: [String], stdin: String? = nil) throws -> Run? { try QueryCLITests.run(args, stdin: stdin, cwd: QueryCLITests.packageRoot) }

    @Test func missingOrUnreadableScriptIsAnInputError() throws {
        guard let r = try Self.kg(["query", "--empty", "--file", "/nonexistent/dir/q.cypher"]) else { return }
        #expect(r.status == 1)
        #expect(r.err.contains("'/nonexistent/dir/q.cypher'") && r.err.contains("no such file"))
        #expect(!r.err.contains("Usage"))
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("kg-bad-\(UUID().uuidString).cypher")
        try Data([0x52, 0x45, 0x54, 0x55, 0x52, 0x4E, 0x20, 0x31, 0x0A, 0xC3, 0x28]).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        guard let u = try Self.kg(["query", "--empty", "--file", bad.path]) else { return }
        #expect(u.status == 1)
        #expect(u.err.contains(bad.path) && u.err.contains("not valid UTF-8") && u.err.contains("line 2"))
        guard let both = try Self.kg(["query", "--empty", "--file", bad.path, "RETURN 1"]) else { return }
        #expect(both.status == 64)
    }

    @Test func typosWarnWithNearNamesAndStrictMakesThemErrors() throws {
        let q = "MATCH (a:Studdy)-[:PERSIST_THROUGH]->(b) WHERE a.nmae = 'x' RETURN a.name"
        guard let r = try Self.kg(["query", q]) else { return }
        #expect(r.status == 0)
        #expect(r.err.contains("warning: UnknownLabelWarning: the label `Studdy` does not exist in the graph; did you mean `Study`?"))
        #expect(r.err.contains("UnknownRelationshipTypeWarning") && r.err.contains("`PERSISTS_THROUGH`"))
        #expect(r.err.contains("UnknownPropertyKeyWarning") && r.err.contains("`name`"))
        #expect(r.out.contains("0 rows"))
        guard let s = try Self.kg(["query", "--strict", q]) else { return }
        #expect(s.status == 1)
        #expect(s.err.hasPrefix("SemanticError: UnknownLabel:"))
        #expect(s.out.isEmpty)
        guard let ok = try Self.kg(["query", "--strict", "MATCH (a:Study) RETURN count(a) AS n"]) else { return }
        #expect(ok.status == 0 && ok.err.isEmpty)
        guard let sh = try Self.kg(["shell"], stdin: "MATCH (x:Behavour) RETURN count(x) AS n;\n") else { return }
        #expect(sh.status == 0)
        #expect(sh.err.contains("did you mean `Behaviour`?"))
    }

    @Test func runawayExpressionsStopWithClearErrors() throws {
        // 10^8 steps of reduce over small lists: only the time limit can stop it.
        guard let t = try Self.kg(["query", "--empty", "--timeout", "2",
                                   "RETURN reduce(s = 0, x IN range(1, 100000) | s + reduce(t = 0, y IN range(1, 1000) | t + y)) AS s"]) else { return }
        #expect(t.status == 1)
        #expect(t.err.hasPrefix("Timeout: the query ran longer than the time limit of 2 s"))
        // The default budget (1 GiB) stops string doubling with a query error, not an abort.
        guard let m = try Self.kg(["query", "--empty", "RETURN size(reduce(s = 'x', i IN range(1, 64) | s + s)) AS n"]) else { return }
        #expect(m.status == 1)
        #expect(m.err.hasPrefix("ResourceLimit: MemoryLimitExceeded: the query needed more than its memory limit of 1 GiB"))
        guard let small = try Self.kg(["query", "--empty", "--max-memory", "8M", "RETURN size(range(1, 10000000)) AS n"]) else { return }
        #expect(small.status == 1 && small.err.contains("8 MiB"))
        guard let none = try Self.kg(["query", "--empty", "--max-memory", "0", "--timeout", "0", "RETURN size(range(1, 1000)) AS n"]) else { return }
        #expect(none.status == 0)
        guard let bad = try Self.kg(["query", "--empty", "--max-memory", "lots", "RETURN 1"]) else { return }
        #expect(bad.status == 64)
    }

    @Test func deepExpressionsAreSyntaxErrorsNotCrashes() throws {
        let sum = "RETURN " + Array(repeating: "1", count: 8000).joined(separator: "+") + " AS x"
        let concat = "RETURN " + Array(repeating: "'ab'", count: 20_000).joined(separator: " + ") + " AS x"
        for q in [sum, concat] {
            let f = try QueryCLITests.script(q)
            defer { try? FileManager.default.removeItem(at: f) }
            guard let r = try Self.kg(["query", "--empty", "--file", f.path]) else { return }
            #expect(r.status == 1)
            #expect(r.err.hasPrefix("SyntaxError: ExpressionTooDeep:"))
        }
    }

    @Test func badLiteralsAreSyntaxErrorsWithTheColumn() throws {
        guard let e = try Self.kg(["query", "--empty", "RETURN 'a\\qb' AS s"]) else { return }
        #expect(e.status == 1)
        #expect(e.err.contains("SyntaxError") && e.err.contains("at line 1, column 10"))
        guard let q = try Self.kg(["query", "--empty", "MATCH ()-[*9223372036854775808]->() RETURN 1"]) else { return }
        #expect(q.status == 1)
        #expect(q.err.hasPrefix("SyntaxError: IntegerOverflow:") && q.err.contains("column 12"))
    }

    @Test func temporalPropertiesAreSavedAsKgLiteralsAndReadBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kg-temporal-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: QueryCLITests.packageRoot.appendingPathComponent("Graph"), to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let set = "MATCH (c {name: 'Deception'}) SET c.reviewed = date('2024-05-01'), c.spans = [duration('P1D'), duration('PT2H')], c.at = datetime('2024-05-01T09:30[Europe/Stockholm]')"
        guard let s = try Self.kg(["query", "--graph", dir.path, "--save", set]) else { return }
        #expect(s.status == 0)
        #expect(!s.err.contains("warning"))
        let files = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".kg") }
        let text = try files.map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }.joined()
        #expect(text.contains("reviewed date \"2024-05-01\""))
        #expect(text.contains("spans [duration \"P1D\", duration \"PT2H\"]"))
        #expect(text.contains("at datetime \"2024-05-01T09:30+02:00[Europe/Stockholm]\""))
        guard let r = try Self.kg(["query", "--graph", dir.path, "--format", "cypher",
                                   "MATCH (c {name: 'Deception'}) RETURN c.reviewed.month AS m, c.spans[1] + c.spans[0] AS d, c.at.offset AS o"]) else { return }
        #expect(r.status == 0)
        #expect(r.out == "m | d | o\n5 | 'P1DT2H' | '+02:00'\n")
        guard let check = try Self.kg(["check", "--graph", dir.path]) else { return }
        #expect(check.status == 0)
    }

    @Test func helpDocumentsTheLimitsAndStrictMode() throws {
        guard let h = try Self.kg(["query", "--help"]) else { return }
        #expect(h.out.contains("60 seconds") && h.out.contains("1 GiB") && h.out.contains("--strict") && h.out.contains("--max-memory"))
        guard let s = try Self.kg(["shell", "--help"]) else { return }
        #expect(s.out.contains(":strict") && s.out.contains("--timeout"))
    }
}
