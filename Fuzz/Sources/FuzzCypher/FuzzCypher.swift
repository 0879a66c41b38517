// libFuzzer target: the Cypher parser, compiler and executor (docs/RELIABILITY.md, "Fuzzing").
//
// The input is one Cypher statement, run against a fresh copy of a small graph with a time limit
// of one second, at most 10,000 buffered rows and a 64 MiB memory budget per statement; a
// statement that runs is also explained, and its result rendered in every output format. Errors
// are expected; crashes, hangs past libFuzzer's -timeout and runaway memory are not.
import Foundation
import KGCore
import KGFormat
import KGQuery

let smallGraph = """
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

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCypher(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let query = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let loaded = GraphLoader.load(files: [("g.kg", smallGraph)])
    precondition(!loaded.hasErrors, "the fuzz graph does not load: \(loaded.diagnostics)")
    let engine = CypherEngine(graph: loaded.graph)
    engine.limits = QueryLimits(timeout: 1, maxRows: 10_000, maxMemory: 64 << 20)
    guard let result = try? engine.run(query, parameters: ["p": .int(1), "s": .string("x")]) else { return 0 }
    _ = try? engine.explain(query)
    for f in ResultFormat.allCases { _ = f.render(result, graph: loaded.graph, width: 80) }
    return 0
}
