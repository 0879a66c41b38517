import Foundation
import Testing

/// `kg export cypher` against a real Cypher server: FalkorDB embedded (falkordblite), in the
/// Python virtual environment `.ci/falkordb-venv.sh` sets up. Skipped, with a printed reason,
/// when that environment is missing.
@Suite(.serialized) struct FalkorDBTests {
    static var python: String? {
        let env = ProcessInfo.processInfo.environment
        let path = env["KG_FALKORDB_PYTHON"] ?? Support.packageRoot.appendingPathComponent(".venv-falkordb/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
        return path
    }

    static let script = Support.packageRoot.appendingPathComponent("Benchmarks/falkordb_bench.py").path

    func prerequisites() -> (python: String, kg: String)? {
        guard let py = Self.python else {
            print("SKIPPED: FalkorDB test: no virtual environment at .venv-falkordb (run bash .ci/falkordb-venv.sh, or set KG_FALKORDB_PYTHON)")
            return nil
        }
        guard let kg = Support.kgBinary else {
            print("SKIPPED: FalkorDB test: no kg binary")
            return nil
        }
        return (py, kg)
    }

    /// A generated graph of 10k concepts / 50k relations: the script loads without an error,
    /// counts, label sets and relationship types match kg's, and q1–q6 return kg's answers.
    @Test func generatedGraphLoadsAndAnswersAsKG() throws {
        guard let (py, kg) = prerequisites() else { return }
        let dir = Support.tempDir()
        let graph = dir.appendingPathComponent("graph").path
        let (grc, _, gerr) = try Support.run(kg, ["generate", "--nodes", "10000", "--edges", "50000", "--seed", "7", "--out", graph])
        #expect(grc == 0, "\(gerr)")
        let out = dir.appendingPathComponent("result.json").path
        let (rc, stdout, err) = try Support.run(py, [Self.script, "compare", "--graph", graph, "--kg", kg, "--repeats", "1",
                                                     "--out", out])
        #expect(rc == 0, "\(stdout)\n\(err)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        #expect((result["mismatches"] as? [String]) == [], "\(result["mismatches"] ?? "")")
        let falkor = try #require(result["falkordb"] as? [String: Any])
        #expect(falkor["nodes"] as? Int == 10_020, "10,000 concepts and 20 readings")
        #expect(falkor["relationships"] as? Int == 50_000)
        let labelSets = (falkor["label_sets"] as? [[Any]] ?? []).compactMap { $0.first as? String }
        #expect(labelSets.contains("Concept|Finding"), "kinds carry their parent kinds as labels: \(labelSets)")
        let queries = try #require(result["queries"] as? [[String: Any]])
        #expect(queries.map { $0["name"] as? String } == ["q1_lookup", "q2_1hop_typed", "q3_2hop", "q4_varlen_median",
                                                         "q4_varlen_hub", "q5_agg", "q6_shortest"])
        for q in queries {
            #expect(q["same"] as? Bool == true, "\(q)")
            // Every query has an answer to compare (not an empty result on both sides).
            #expect(!((q["kg_rows"] as? [Any]) ?? []).isEmpty, "\(q["name"] ?? "")")
        }
    }

    /// A script FalkorDB refuses: the message names the statement, its line and FalkorDB's reason.
    @Test func rejectedStatementIsNamed() throws {
        guard let (py, _) = prerequisites() else { return }
        let dir = Support.tempDir()
        let f = dir.appendingPathComponent("bad.cypher")
        try """
            // two good statements, then one FalkorDB cannot parse
            CREATE (n:Concept {id: "a", name: "A"});
            UNWIND [{id: "b"}] AS p
              CREATE (n:Concept) SET n = p;
            MATCH (n:Concept {id: "a"}) CREATE (n)-[:KNOWS]->(m;
            CREATE (z:Never);
            """.write(to: f, atomically: true, encoding: .utf8)
        let (rc, _, err) = try Support.run(py, [Self.script, "load", "--script", f.path])
        #expect(rc == 1)
        #expect(err.contains("bad.cypher:5: error: FalkorDB rejected statement 3 (MATCH (n:Concept {id: \"a\"}) CREATE (n)-[:KNOWS]->(m)"),
                "\(err)")
        #expect(err.contains("Invalid input"), "FalkorDB's reason: \(err)")
        #expect(!err.contains("Traceback"))
    }
}
