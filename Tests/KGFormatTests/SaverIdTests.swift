import Foundation
import KGCore
import Testing

@testable import KGFormat

/// The id of a node is its key in the .kg files: a save keeps the id a query gave a new node, and
/// refuses to change or drop the id of a stored one (found by the two-writer test of
/// CrashSafetyTests: `CREATE (:Concept {id: 'w0-e1', name: 'Writer 0 edit 1'})` was saved as
/// `writer-0-edit-1`, and the id was gone).
@Suite struct SaverIdTests {
    func setUp() throws -> (String, LoadedGraph) {
        let dir = tempDir()
        try "kind Concept\nrelation REL  * -> *\n".write(toFile: dir + "/schema.kg", atomically: true, encoding: .utf8)
        try "concept a \"A\" : Concept\n".write(toFile: dir + "/facts.kg", atomically: true, encoding: .utf8)
        let l = GraphLoader.load(directory: dir)
        #expect(!l.hasErrors)
        return (dir, l)
    }

    @Test func aNewNodeKeepsTheIdItWasGiven() throws {
        let (dir, l) = try setUp()
        _ = try l.graph.addNode(labels: ["Concept"], properties: [("id", .string("w0-e1")), ("name", .string("Writer 0 edit 1"))])
        _ = try GraphSaver.save(original: l, current: l.graph, newFactsFile: dir + "/new-facts.kg")
        #expect(read(dir + "/new-facts.kg") == "concept w0-e1 \"Writer 0 edit 1\" : Concept\n")
        let again = GraphLoader.load(directory: dir)
        #expect(again.graph.node(key: "w0-e1") != nil)
    }

    @Test func aNewNodeWithoutIdGetsOneFromItsName() throws {
        let (dir, l) = try setUp()
        _ = try l.graph.addNode(labels: ["Concept"], properties: [("name", .string("Writer 0 edit 1"))])
        _ = try GraphSaver.save(original: l, current: l.graph, newFactsFile: dir + "/new-facts.kg")
        #expect(read(dir + "/new-facts.kg") == "concept writer-0-edit-1 \"Writer 0 edit 1\" : Concept\n")
    }

    @Test func takenOrInvalidIdsAreRefusedWithNothingWritten() throws {
        for id: Value in [.string("a"), .string("has space"), .int(7)] {
            let (dir, l) = try setUp()
            _ = try l.graph.addNode(labels: ["Concept"], properties: [("id", id), ("name", .string("X"))])
            #expect(throws: SaveError.self) { try GraphSaver.save(original: l, current: l.graph, newFactsFile: dir + "/new-facts.kg") }
            #expect(!FileManager.default.fileExists(atPath: dir + "/new-facts.kg"))
        }
        let (dir, l) = try setUp()
        _ = try l.graph.addNode(labels: ["Concept"], properties: [("id", .string("twin")), ("name", .string("X"))])
        _ = try l.graph.addNode(labels: ["Concept"], properties: [("id", .string("twin")), ("name", .string("Y"))])
        #expect(throws: SaveError.self) { try GraphSaver.save(original: l, current: l.graph, newFactsFile: dir + "/new-facts.kg") }
    }

    @Test func theIdOfAStoredNodeCannotChangeOrGo() throws {
        for id: Value in [.string("b"), .null] {
            let (dir, l) = try setUp()
            l.graph.setProperty(l.graph.node(key: "a")!, "id", id)
            do {
                _ = try GraphSaver.save(original: l, current: l.graph, newFactsFile: dir + "/new-facts.kg")
                Issue.record("saved a changed id")
            } catch let e as SaveError {
                #expect(e.message.contains("its id cannot change"))
            }
            #expect(read(dir + "/facts.kg") == "concept a \"A\" : Concept\n")
        }
    }
}
