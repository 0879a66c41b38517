import Foundation
import KGCore
import KGFormat
import Testing

/// Every read-only command starts from the binary cache when it is valid (issue 12): stats, show,
/// check, query, path, shell, export, link. The test proves it from outside: folder B gets a cache
/// that holds the graph of another folder A (one more concept, gamma) under B's own key, so a
/// command that answers with gamma read the cache, and one that does not parsed B's text.
@Suite(.serialized) struct CacheCLITests {
    static let schema = """
        kind Reading
        kind Concept
        relation MENTIONS  Reading -> Concept
        relation RELATED_TO  * -> *  undirected
        relation CAUSES  Concept -> Concept
        reading r1 "R1"

        """
    static let textB = """
        concept alpha "Alpha" : Concept
        concept beta "Beta" : Concept
        alpha -CAUSES-> beta  @r1

        """
    static let textA = """
        concept alpha "Alpha" : Concept
        concept beta "Beta" : Concept
        concept gamma "Gamma" : Concept
          aka "the third"
        alpha -CAUSES-> beta  @r1
        gamma -RELATED_TO-> beta  @r1

        """

    /// Folders A and B, with B's cache holding A's graph. Returns (root, B).
    static func plantedCache() throws -> (URL, String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kg-cachecli-\(UUID().uuidString)")
        let a = root.appendingPathComponent("A"), b = root.appendingPathComponent("B")
        for (dir, text) in [(a, textA), (b, textB)] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try schema.write(to: dir.appendingPathComponent("schema.kg"), atomically: true, encoding: .utf8)
            try text.write(to: dir.appendingPathComponent("concepts.kg"), atomically: true, encoding: .utf8)
        }
        let keyB = try GraphCache.fingerprint(directory: b)
        let loadedA = GraphLoader.load(directory: a.path)
        #expect(!loadedA.hasErrors)
        #expect(try GraphCache.store(loadedA, fingerprint: keyB))
        let from = GraphCache.cacheFile(for: a), to = GraphCache.cacheFile(for: b)
        try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: to)
        try FileManager.default.copyItem(at: from, to: to)
        return (root, b.path)
    }

    @Test func everyReadOnlyCommandStartsFromTheCache() throws {
        guard QueryCLITests.kg != nil else { print("SKIPPED: kg binary not found next to the test bundle"); return }
        let (root, b) = try Self.plantedCache()
        defer { try? FileManager.default.removeItem(at: root) }
        func kg(_ args: [String], stdin: String? = nil) throws -> QueryCLITests.Run {
            try #require(try QueryCLITests.run(args + ["--graph", b], stdin: stdin))
        }
        if GraphCache.isDisabled { print("SKIPPED: KG_NO_CACHE is set"); return }
        let stats = try kg(["stats"])
        #expect(stats.status == 0 && stats.out.contains("nodes 4") && stats.out.contains("RELATED_TO"), "\(stats.out)\(stats.err)")
        let show = try kg(["show", "gamma"])
        #expect(show.status == 0 && show.out.contains("Gamma"), "\(show.out)\(show.err)")
        let check = try kg(["check"])
        #expect(check.status == 0 && check.out.hasPrefix("ok: 4 nodes, 2 relations"), "\(check.out)\(check.err)")
        let query = try kg(["query", "--format", "csv", "MATCH (n:Concept) RETURN count(n) AS n"])
        #expect(query.status == 0 && query.out == "n\r\n3\r\n", "\(query.out)\(query.err)")
        let path = try kg(["path", "alpha", "gamma"])
        #expect(path.status == 0 && path.out.contains("Gamma"), "\(path.out)\(path.err)")
        let shell = try kg(["shell"], stdin: "MATCH (n {name: 'Gamma'}) RETURN n.name;\n")
        #expect(shell.status == 0 && shell.out.contains("Gamma"), "\(shell.out)\(shell.err)")
        for format in ["json", "graphml", "dot", "mermaid", "cypher"] {
            let export = try kg(["export", format])
            #expect(export.status == 0 && export.out.contains("Gamma"), "export \(format): \(export.err)")
        }
        let note = root.appendingPathComponent("note.md")
        try "Alpha is discussed here, and so is the third one.\n".write(to: note, atomically: true, encoding: .utf8)
        // kg link finds gamma (by its alias) in the cached graph; its final re-check of the
        // generated text against B's files then refuses it, as it must with a planted cache.
        let link = try kg(["link", note.path, "--format", "json"])
        #expect(link.err.contains("unknown id 'gamma'"), "\(link.out)\(link.err)")
    }

    @Test func withoutTheCacheTheTextIsRead() throws {
        // The control: the same commands with KG_NO_CACHE=1 see B's own text (no gamma).
        guard QueryCLITests.kg != nil else { print("SKIPPED: kg binary not found next to the test bundle"); return }
        let (root, b) = try Self.plantedCache()
        defer { try? FileManager.default.removeItem(at: root) }
        let stats = try #require(try CrashSafetyTests.run(["stats", "--graph", b], env: ["KG_NO_CACHE": "1"]))
        #expect(stats.status == 0 && stats.out.contains("nodes 3"), "\(stats.out)")
        let show = try #require(try CrashSafetyTests.run(["show", "gamma", "--graph", b], env: ["KG_NO_CACHE": "1"]))
        #expect(show.status == 1 && show.err.contains("gamma"))
    }

    @Test func anEditedSourceIsNeverServedFromAStaleCache() throws {
        guard QueryCLITests.kg != nil else { print("SKIPPED: kg binary not found next to the test bundle"); return }
        if GraphCache.isDisabled { print("SKIPPED: KG_NO_CACHE is set"); return }
        let (root, b) = try Self.plantedCache()
        defer { try? FileManager.default.removeItem(at: root) }
        try (Self.textB + "concept delta \"Delta\" : Concept\n")
            .write(toFile: b + "/concepts.kg", atomically: true, encoding: .utf8)
        let stats = try #require(try QueryCLITests.run(["stats", "--graph", b]))
        #expect(stats.status == 0 && stats.out.contains("Concept  3") && !stats.out.contains("RELATED_TO"), "\(stats.out)")
        // The next start is served from the cache the text load stored.
        let show = try #require(try QueryCLITests.run(["show", "delta", "--graph", b]))
        #expect(show.status == 0 && show.out.contains("Delta"))
    }
}
