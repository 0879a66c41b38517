import Foundation
import KGCore
import Testing

@testable import KGFormat

@Suite struct CheckTests {
    let readingText = "Line one. Second sentence.\nLine two.\nLine three.\n"

    func graph(_ facts: String, sha: String? = nil, path: String = "text.txt") throws -> LoadedGraph {
        let dir = tempDir()
        try FileManager.default.createDirectory(atPath: dir + "/g", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/readings", withIntermediateDirectories: true)
        try readingText.write(toFile: dir + "/readings/text.txt", atomically: true, encoding: .utf8)
        try "readings = ../readings\n".write(toFile: dir + "/g/kg.conf", atomically: true, encoding: .utf8)
        let digest = sha ?? SHA256.hex(of: Array(readingText.utf8))
        let text = "kind Concept\nkind Reading\nrelation REL  * -> *\nreading r \"R\"\n  path \"\(path)\"\n  sha256 \"\(digest)\"\n" + facts
        try text.write(toFile: dir + "/g/all.kg", atomically: true, encoding: .utf8)
        return GraphLoader.load(directory: dir + "/g")
    }

    func warnings(_ l: LoadedGraph) -> [String] {
        GraphChecker.check(l).map { "\($0.line):\($0.column): \($0.code): \($0.message)" }
    }

    @Test func cleanGraphHasNoWarnings() throws {
        let l = try graph("concept a \"A\" : Concept\na -REL-> a  @r L3\n  @r S3")
        #expect(!l.hasErrors)
        #expect(warnings(l) == [])
    }

    @Test func evidenceAndOrphans() throws {
        let l = try graph("concept a \"A\" : Concept\nconcept lonely \"L\" : Concept\na -REL-> a\na -REL-> a  @r L4\n  @r S5")
        #expect(warnings(l) == [
            "8:9: orphan-concept: concept 'lonely' has no relations",
            "9:1: no-evidence: relation a -REL-> a has no evidence",
            "10:16: locator-out-of-range: locator L4 is outside reading 'r', which has 3 lines",
            "11:6: locator-out-of-range: locator S5 is outside reading 'r', which has 4 sentences",
        ])
    }

    @Test func staleAndMissingReadings() throws {
        let stale = try graph("concept a \"A\" : Concept\na -REL-> a  @r L1", sha: String(repeating: "0", count: 64))
        #expect(warnings(stale) == ["6:10: stale-reading: reading 'r' changed since its evidence was recorded: its text hashes to \(SHA256.hex(of: Array(readingText.utf8)))"])
        let missing = try graph("concept a \"A\" : Concept\na -REL-> a  @r L1", path: "gone.txt")
        #expect(warnings(missing).count == 1)
        #expect(warnings(missing).first?.hasPrefix("5:8: missing-reading: reading file '") == true)
    }

    @Test func realGraphIsClean() {
        let l = GraphLoader.load(directory: repoRoot + "/Graph")
        guard let dir = l.readingsDirectory, FileManager.default.fileExists(atPath: dir) else {
            print("skipped: readings folder of Graph/ not found (set KG_READINGS)")
            return
        }
        #expect(!l.hasErrors)
        #expect(GraphChecker.check(l).map(\.description) == [])
    }

    @Test func readingTextPassages() {
        let t = ReadingText(id: "r", path: "p", bytes: Array(readingText.utf8))
        #expect(t.lineCount == 3)
        #expect(t.passage(Locator("L2-L3")!) == ["Line two.", "Line three."])
        #expect(t.passage(Locator("S2")!) == ["Second sentence."])
        #expect(t.passage(Locator("L4")!) == nil)
    }
}
