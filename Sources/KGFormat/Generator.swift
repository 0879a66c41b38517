import Foundation
import KGCore

/// Deterministic synthetic concept graphs written as .kg files, for benchmarks and scale tests.
///
/// The schema has 6 concept kinds and 12 relation types with domains and ranges; concepts get
/// unique pronounceable names, an alias, typed properties (integer, float, boolean, list); edges
/// follow preferential attachment (half the targets are drawn in proportion to degree), their type
/// is one the schema allows between the two kinds, and each carries evidence from one of the
/// synthetic readings. The same (nodes, edges, seed) always gives byte-identical files.
public struct SyntheticGraph {
    public var nodes: Int
    public var edges: Int
    public var seed: UInt64
    public var readings = 20
    public var nodesPerFile = 10_000
    public var edgesPerFile = 100_000

    public init(nodes: Int, edges: Int, seed: UInt64) {
        self.nodes = nodes
        self.edges = edges
        self.seed = seed
    }

    static let kinds: [(name: String, parent: String?, doc: String, weight: Int)] = [
        ("Topic", "Concept", "A subject of study", 20),
        ("Method", "Concept", "A way of doing research or engineering", 15),
        ("Finding", "Concept", "A result a study reports", 25),
        ("Person", "Agent", "A researcher or author", 15),
        ("Organisation", "Agent", "A lab, company or funder", 10),
        ("Idea", "Concept", "Any other notion", 15),
    ]

    static let relations: [(name: String, domain: String, range: String, flags: String)] = [
        ("RELATED_TO", "Concept", "Concept", "symmetric"),
        ("IS_A", "Concept", "Concept", "inverse HAS_SUBTYPE  transitive"),
        ("PART_OF", "Concept", "Concept", "inverse HAS_PART  transitive"),
        ("CITES", "Concept", "Concept", "inverse CITED_BY"),
        ("USES", "Concept", "Method", "inverse USED_BY"),
        ("STUDIES", "Concept", "Topic", "inverse STUDIED_BY"),
        ("SUPPORTS", "Finding", "Concept", "inverse SUPPORTED_BY"),
        ("CONTRADICTS", "Finding", "Finding", "symmetric"),
        ("AUTHORED_BY", "Concept", "Person", "inverse AUTHORED"),
        ("MEMBER_OF", "Person", "Organisation", "inverse HAS_MEMBER"),
        ("FUNDS", "Organisation", "Concept", "inverse FUNDED_BY"),
        ("MENTIONS", "Reading", "Concept", "inverse MENTIONED_IN"),
    ]

    static let syllables = ["ba", "ko", "ri", "ve", "lu", "ta", "ne", "so", "di", "ma", "pe", "zu", "ga", "fi", "ho", "wa"]

    /// A unique lower-case word for `i` (syllables are two letters, so the encoding is unambiguous).
    static func word(_ i: Int) -> String {
        var digits: [Int] = []
        var v = i
        repeat { digits.append(v % 16); v /= 16 } while v > 0
        while digits.count < 3 { digits.append(0) }
        return digits.reversed().map { syllables[$0] }.joined()
    }

    static func kindParent(_ k: String) -> [String] {
        var out = [k]
        if let p = kinds.first(where: { $0.name == k })?.parent { out.append(p) }
        if out.last == "Agent" { out.append("Concept") }
        return out
    }

    /// The files as (relative path, text), in the order they should be written.
    public func files() -> [(path: String, text: String)] {
        var rng = SplitMix(seed: seed)
        var out: [(String, String)] = []

        var schema = "# Synthetic schema (kg generate --nodes \(nodes) --edges \(edges) --seed \(seed))\n\n"
        schema += "kind Reading \"A synthetic source text\"\nkind Concept \"Anything\"\nkind Agent : Concept \"Someone who acts\"\n"
        for k in Self.kinds { schema += "kind \(k.name) : \(k.parent!) \(KGPrinter.quote(k.doc))\n" }
        schema += "\n"
        for r in Self.relations { schema += "relation \(r.name)  \(r.domain) -> \(r.range)  \(r.flags)\n" }
        out.append(("schema.kg", schema))

        var rd = ""
        for i in 1...readings {
            rd += "reading r\(i) \"Synthetic reading \(i)\"\n  author \"Author \(Self.word(i + 7))\"\n  date \"2025-\(String(format: "%02d", i % 12 + 1))-01\"\n"
        }
        out.append(("readings.kg", rd))

        // Concepts.
        let totalWeight = Self.kinds.reduce(0) { $0 + $1.weight }
        var kindOf = [Int](repeating: 0, count: nodes)
        var buf = ""
        var fileNo = 1
        let tags = ["alpha", "beta", "gamma", "delta", "core", "open", "applied", "theory"]
        for i in 0..<nodes {
            var r = rng.int(totalWeight)
            var k = 0
            while r >= Self.kinds[k].weight { r -= Self.kinds[k].weight; k += 1 }
            kindOf[i] = k
            let w = Self.word(i)
            let name = w.prefix(1).uppercased() + w.dropFirst()
            buf += "concept \(w) \"\(name)\" : \(Self.kinds[k].name)\n"
            if i % 3 == 0 { buf += "  aka \"\(name) \(Self.kinds[k].name.lowercased())\"\n" }
            if i % 5 == 0 { buf += "  summary \"Synthetic \(Self.kinds[k].name.lowercased()) number \(i).\"\n" }
            buf += "  year \(1990 + rng.int(36))\n"
            if i % 2 == 0 { buf += "  score \(KGPrinter.value(.float(Double(rng.int(1000)) / 100)))\n" }
            if i % 4 == 1 { buf += "  tags [\"\(tags[rng.int(tags.count)])\", \"\(tags[rng.int(tags.count)])\"]\n" }
            if i % 7 == 3 { buf += "  open \(rng.int(2) == 0)\n" }
            if (i + 1) % nodesPerFile == 0 || i == nodes - 1 {
                out.append((String(format: "concepts/%04d.kg", fileNo), buf))
                buf = ""
                fileNo += 1
            }
        }

        // Types allowed between kinds (kind indices; -1 = Reading).
        func allowed(_ a: Int, _ b: Int) -> [Int] {
            let la = Self.kindParent(Self.kinds[a].name), lb = Self.kindParent(Self.kinds[b].name)
            return Self.relations.indices.filter { lb.contains(Self.relations[$0].range) && la.contains(Self.relations[$0].domain) }
        }
        var table: [[[Int]]] = []
        for a in Self.kinds.indices { table.append(Self.kinds.indices.map { allowed(a, $0) }) }

        var endpoints: [Int32] = []
        endpoints.reserveCapacity(2 * edges)
        fileNo = 1
        let notes = ["defined here", "shown in the results", "argued in the discussion", "an example", "stated in passing"]
        let mentionCount = nodes > 0 ? min(3 * readings, edges) : 0
        for i in 0..<max(edges - mentionCount, 0) {
            guard nodes >= 2 else { break }
            let src = rng.int(nodes)
            var dst: Int
            if !endpoints.isEmpty && rng.int(2) == 0 { dst = Int(endpoints[rng.int(endpoints.count)]) } else { dst = rng.int(nodes) }
            if dst == src { dst = (dst + 1) % nodes }
            endpoints.append(Int32(src))
            endpoints.append(Int32(dst))
            let types = table[kindOf[src]][kindOf[dst]]
            let t = Self.relations[types[rng.int(types.count)]].name
            let line = 1 + rng.int(400)
            buf += "\(Self.word(src)) -\(t)-> \(Self.word(dst))  @r\(1 + rng.int(readings)) L\(line)"
            if rng.int(4) == 0 { buf += "-L\(line + 1 + rng.int(3))" }
            if i % 4 == 0 { buf += " \"\(notes[rng.int(notes.count)])\"" }
            buf += "\n"
            if i % 3 == 0 { buf += "  weight \(KGPrinter.value(.float(Double(1 + rng.int(100)) / 100)))\n" }
            if (i + 1) % edgesPerFile == 0 || i == edges - mentionCount - 1 {
                out.append((String(format: "relations/%04d.kg", fileNo), buf))
                buf = ""
                fileNo += 1
            }
        }
        // Readings mention a few concepts each.
        var mentions = ""
        for m in 0..<mentionCount {
            mentions += "r\(m % readings + 1) -MENTIONS-> \(Self.word(rng.int(nodes)))  @r\(m % readings + 1) L1\n"
        }
        if !mentions.isEmpty { out.append(("relations/mentions.kg", mentions)) }
        return out
    }

    /// Writes the files under `directory` (which must be missing or empty).
    public func write(to directory: String) throws -> [String] {
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            throw EditError(path: directory, message: "folder is not empty; choose a new folder")
        }
        let files = self.files()
        try AtomicWrite.writeAll(files.map { (directory + "/" + $0.path, Array($0.text.utf8)) })
        return files.map(\.path)
    }
}
