import Foundation
import KGCore
import Testing
@testable import KGQuery

private func failure(_ q: String, limits: QueryLimits = QueryLimits(), _ g: Graph = Graph()) -> CypherError? {
    let e = CypherEngine(graph: g)
    e.limits = limits
    do { _ = try e.run(q); return nil } catch let err as CypherError { return err } catch { return nil }
}

@Suite struct ParserConformanceTests {
    @Test func quantifierNamesAreOrdinaryVariables() throws {
        #expect(try rows("MATCH (any) RETURN any") == [])
        #expect(try rows("WITH 1 AS all, 2 AS none, 3 AS single, 4 AS any RETURN all + none + single + any AS s") == ["10"])
        #expect(try rows("WITH [1, 2] AS any RETURN any(x IN any WHERE x = 2) AS q, single(y IN any WHERE y > 0) AS s") == ["true | false"])
    }

    @Test func invalidEscapeIsASyntaxErrorAtTheBackslash() throws {
        let e = try #require(failure("RETURN 'a\\qb' AS s"))
        #expect(e.errorClass == .syntax)
        #expect(e.line == 1 && e.column == 10)
        #expect(e.message.contains("\\q"))
        #expect(try rows("RETURN 'tab\\tquote\\'back\\\\slash\\u00e9' AS s") == ["'tab\\tquote\\'back\\\\slashé'"])
    }

    @Test func overflowingQuantifierBoundIsASyntaxError() throws {
        for q in ["MATCH ()-[*9223372036854775808]->() RETURN 1", "MATCH ()-[*1..99999999999999999999]->() RETURN 1"] {
            let e = try #require(failure(q))
            #expect(e.errorClass == .syntax && e.detail == "IntegerOverflow")
            #expect(e.column > 10)
        }
    }

    @Test func unionAndUnionAllDoNotMix() throws {
        for q in ["RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a", "RETURN 1 AS a UNION ALL RETURN 2 AS a UNION RETURN 3 AS a"] {
            let e = try #require(failure(q))
            #expect(e.errorClass == .syntax && e.detail == "InvalidClauseComposition")
            #expect(e.column == 35 || e.column == 39)
        }
        #expect(try rows("RETURN 1 AS a UNION ALL RETURN 1 AS a UNION ALL RETURN 2 AS a").count == 3)
    }

    @Test func rangeArgumentTypesAreArgumentErrors() throws {
        for args in ["true, 1", "0, 1.5", "0, 1, 'x'", "[0], 1", "0, {end: 1}"] {
            let e = try #require(failure("RETURN range(\(args)) AS r"))
            #expect(e.errorClass == .argument && e.detail == "InvalidArgumentType", "range(\(args))")
        }
        #expect(failure("RETURN range(0, 1, 0) AS r")?.detail == "NumberOutOfRange")
        #expect(try rows("RETURN range(null, 1) AS r") == ["null"])
    }

    @Test func deepExpressionsAreASyntaxErrorNotACrash() throws {
        let sum = "RETURN " + Array(repeating: "1", count: 8000).joined(separator: "+") + " AS x"
        let e = try #require(failure(sum))
        #expect(e.errorClass == .syntax && e.detail == "ExpressionTooDeep")
        #expect(e.message.contains("8000 levels"))
        let concat = "RETURN " + Array(repeating: "'ab'", count: 20_000).joined(separator: " + ") + " AS x"
        #expect(failure(concat)?.detail == "ExpressionTooDeep")
        #expect(failure("MATCH (n) WHERE " + Array(repeating: "n.x = 1", count: 3000).joined(separator: " OR ") + " RETURN n")?.detail == "ExpressionTooDeep")
        // Up to the limit they run.
        #expect(try rows("RETURN " + Array(repeating: "1", count: 400).joined(separator: "+") + " AS x") == ["400"])
    }
}

@Suite struct ExpressionLimitTests {
    @Test func reduceStopsAtTheTimeLimit() throws {
        let e = try #require(failure("RETURN reduce(s = 0, x IN range(1, 50000000) | s + x) AS s", limits: QueryLimits(timeout: 0.5)))
        #expect(e.errorClass == .timeout)
        #expect(e.message.contains("0.5 s"))
    }

    @Test func comprehensionsAndQuantifiersStopAtTheTimeLimit() throws {
        let lim = QueryLimits(timeout: 0.3)
        #expect(failure("RETURN size([x IN range(1, 30000000) WHERE x % 7 = 0]) AS n", limits: lim)?.errorClass == .timeout)
        #expect(failure("RETURN any(x IN range(1, 30000000) WHERE x < 0) AS b", limits: lim)?.errorClass == .timeout)
    }

    @Test func stringDoublingHitsTheMemoryBudget() throws {
        let e = try #require(failure("RETURN size(reduce(s = 'x', i IN range(1, 64) | s + s)) AS n", limits: QueryLimits(maxMemory: 32 << 20)))
        #expect(e.errorClass == .limit && e.detail == "MemoryLimitExceeded")
        #expect(e.message.contains("32 MiB"))
    }

    @Test func builtListsHitTheMemoryBudget() throws {
        let lim = QueryLimits(maxMemory: 16 << 20)
        #expect(failure("RETURN size(range(1, 100000000)) AS n", limits: lim)?.detail == "MemoryLimitExceeded")
        #expect(failure("RETURN size([x IN range(1, 300000) | [x, x, x, x, x, x, x, x, x, x]]) AS n", limits: lim)?.detail == "MemoryLimitExceeded")
        #expect(failure("UNWIND range(1, 300000) AS x RETURN size(collect([x, x, x, x, x, x, x, x, x])) AS n", limits: lim)?.detail == "MemoryLimitExceeded")
        #expect(failure("WITH reduce(s = '', i IN range(1, 4096) | s + 'abcdefgh') AS s RETURN size(replace(s, 'a', s)) AS n", limits: lim)?.detail == "MemoryLimitExceeded")
        // Within the budget the same shapes work.
        #expect(try rows("RETURN size([x IN range(1, 1000) | [x, x]]) AS n") == ["1000"])
    }

    @Test func reduceCannotNestValuesWithoutBound() throws {
        let e = try #require(failure("RETURN size(reduce(l = [], x IN range(1, 100000) | [l])) AS s"))
        #expect(e.errorClass == .limit && e.detail == "NestingTooDeep")
        // Accumulating a flat list or a map stays fine.
        #expect(try rows("RETURN size(reduce(l = [], x IN range(1, 2000) | l + [x])) AS s") == ["2000"])
        #expect(try rows("RETURN reduce(m = {n: 0}, x IN range(1, 10) | {n: m.n + x}).n AS s") == ["55"])
    }
}

@Suite struct NotificationTests {
    func kb() throws -> Graph {
        var s = Schema()
        s.declare(KindDecl(name: "Concept"))
        s.declare(KindDecl(name: "Study", parent: "Concept"))
        s.declare(RelationDecl(name: "SUPPORTS", inverse: "SUPPORTED_BY"))
        s.declare(RelationDecl(name: "PERSISTS_THROUGH"))
        let g = Graph(schema: s)
        let a = try g.addNode(key: "a", labels: ["Study"], properties: [("name", "A"), ("summary", "s")])
        let b = try g.addNode(key: "b", labels: ["Concept"], properties: [("name", "B")])
        g.addEdge(from: a, to: b, type: "SUPPORTS")
        return g
    }

    @Test func unknownNamesAreReportedWithNearNamesAndPlaces() throws {
        let g = try kb()
        let q = "MATCH (a:Studdy)-[:PERSIST_THROUGH]->(b)\nWHERE a.nmae = 'x' RETURN a.name"
        let ns = try CypherEngine(graph: g).notifications(for: q)
        #expect(ns.map(\.code) == [.unknownLabel, .unknownRelationshipType, .unknownPropertyKey])
        #expect(ns[0].suggestions.first == "Study" && ns[0].pos.line == 1 && ns[0].pos.column == 10)
        #expect(ns[1].suggestions.first == "PERSISTS_THROUGH")
        #expect(ns[2].suggestions.first == "name" && ns[2].pos.line == 2 && ns[2].pos.column == 9)
        #expect(ns[0].rendered(query: q).hasPrefix("warning: UnknownLabelWarning: the label `Studdy` does not exist"))
        #expect(ns[0].asError.errorClass == .semantic && ns[0].asError.detail == "UnknownLabel")
    }

    @Test func knownNamesWritesAndPlainValuesAreQuiet() throws {
        let g = try kb()
        let e = CypherEngine(graph: g)
        for q in ["MATCH (a:Concept)-[r:SUPPORTED_BY]-(b) RETURN a.name, r.reading, b.summary",
                  "MATCH (a:Study) SET a.reviewed = date('2024-01-01') RETURN a.reviewed",
                  "CREATE (n:NewKind {fresh: 1})-[:NEW_TYPE]->(m) RETURN n.fresh",
                  "WITH {nmae: 1} AS m RETURN m.nmae",
                  "MATCH (a) WITH a.name AS name RETURN name",
                  "MATCH (a) RETURN [(a)-[:SUPPORTS]->(x) | x.name] AS xs"] {
            #expect(try e.notifications(for: q).isEmpty, "\(q)")
        }
        #expect(try e.notifications(for: "MATCH (a) RETURN [(a)-[:SUPORTS]->(x) | x.nam] AS xs").map(\.name) == ["SUPORTS", "nam"])
        #expect(try e.notifications(for: "MATCH (a) WHERE a:Stuy RETURN a {.summry}").map(\.name) == ["Stuy", "summry"])
        let named = try e.notifications(for: "MATCH (s) WHERE kg.named(s, 'a study') OR s IN kg.resolve('Bee') RETURN s")
        #expect(named.map(\.name) == ["a study", "Bee"] && named[0].code == .unknownConceptName)
        #expect(try e.notifications(for: "MATCH (s) WHERE kg.named(s, 'b') RETURN s").isEmpty)
        // A graph without a schema is plain openCypher: nothing to warn about.
        #expect(try CypherEngine(graph: Graph()).notifications(for: "MATCH (a:Anything) RETURN a.whatever").isEmpty)
    }
}
