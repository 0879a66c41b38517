import Foundation
import Testing
import KGCore
import KGFormat
@testable import KGReadings

/// Review and provenance end to end: `--accept all`, proposal files, accepted relations marked by
/// `kg show` and `kg path` until edited, claim-strength warnings of `kg check`, `kg init`.
@Suite("kg link: review and provenance")
struct LinkReviewTests {
    /// A knowledge base with the course schema (no RELATED_TO) and a few concepts.
    func courseKB() throws -> URL {
        let root = try KGRun.tempDir("review")
        let kb = root.appendingPathComponent("kb")
        let r = try KGRun.kg(["init", kb.path, "--schema", "course"], cwd: root)
        #expect(r.status == 0, "\(r.err)")
        try """
        concept backdoor "Conditional backdoor" : Threat
          aka "backdoor"
        concept rlhf "Reinforcement learning from human feedback" : Technique
          aka "RLHF"
        concept adversarial-training "Adversarial training" : Technique
        concept concealment "Concealment" : Behaviour
        concept interpretability "Interpretability" : Field
        concept red-teaming "Red-teaming" : Method
        concept safety-training "Safety training" : Technique
        concept deception "Deception" : Behaviour

        """.write(to: kb.appendingPathComponent("concepts.kg"), atomically: true, encoding: .utf8)
        try """
        # Week nine

        The backdoor persisted through RLHF in every run.
        Adversarial training can strengthen concealment, according to the lecturer.
        Safety training does not prevent deception.
        Interpretability and red-teaming were both discussed.
        Red-teaming hid the backdoor from view.

        """.write(to: kb.appendingPathComponent("week9.md"), atomically: true, encoding: .utf8)
        return kb
    }

    @Test func acceptAllTakesTheTypedOnesAndSaysWhatItSkipped() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let kb = try courseKB()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        let dry = try KGRun.kg(["link", "week9.md"], cwd: kb)
        #expect(dry.status == 0, "\(dry.err)")
        // Each proposal shows its sentence with both concepts marked, and its modality.
        #expect(dry.out.contains("adversarial-training -STRENGTHENS-> concealment  reported"))
        #expect(dry.out.contains("S3: [Adversarial training] can strengthen [concealment], according to the lecturer."))
        #expect(dry.out.contains("safety-training -MITIGATES-> deception  negated"))
        #expect(dry.out.contains("red-teaming -?-> backdoor"))
        // No proposal for the pair that only shares a sentence.
        #expect(!dry.out.contains("interpretability -"))
        let all = try KGRun.kg(["link", "week9.md", "--apply", "--accept", "all"], cwd: kb)
        #expect(all.status == 0, "\(all.err)")
        #expect(all.err.contains("skipped 1 untyped"), "\(all.err)")
        #expect(all.err.contains("1 negated"))
        let kg = try String(contentsOf: kb.appendingPathComponent("readings/week9.kg"), encoding: .utf8)
        #expect(kg.contains("backdoor -PERSISTS_THROUGH-> rlhf  @week9 S2 \"kg link: “persisted through”\"\n  origin link \"2026-01-01\" \""))
        #expect(kg.contains("adversarial-training -STRENGTHENS-> concealment  @week9 S3 reported \"kg link: “can strengthen”; reported: according to the lecturer, can\"\n"), "\(kg)")
        #expect(!kg.contains("-MITIGATES->"))
        #expect(!kg.contains("red-teaming -"))
        // The fingerprint on the origin line is the relation's, as loaded.
        let loaded = GraphLoader.load(directory: kb.path)
        #expect(!loaded.hasErrors)
        let g = loaded.graph
        var checked = 0
        for e in g.edges where g.origin(of: e) != nil {
            #expect(g.origin(of: e)!.fingerprint == RelationFingerprint.of(edge: e, in: g))
            #expect(Provenance.status(of: e, in: g) == .proposed(tool: "link", date: "2026-01-01"))
            checked += 1
        }
        #expect(checked == 2)
        #expect(try KGRun.kg(["check", "--strict"], cwd: kb).status == 0)
    }

    @Test func acceptedRelationsAreMarkedUntilEditedByHand() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let kb = try courseKB()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        let r = try KGRun.kg(["link", "week9.md", "--apply", "--accept", "relations:1", "--accept", "mentions"], cwd: kb)
        #expect(r.status == 0, "\(r.err)")
        let show = try KGRun.kg(["show", "backdoor"], cwd: kb)
        #expect(show.out.contains("Reinforcement learning from human feedback (rlhf)\n    (proposed by kg link, accepted 2026-01-01)\n"), "\(show.out)")
        let path = try KGRun.kg(["path", "backdoor", "rlhf"], cwd: kb)
        #expect(path.out.contains("(proposed by kg link, accepted 2026-01-01)"), "\(path.out)")
        // An edit by hand (here, of the note) makes it curated: no mark any more.
        let file = kb.appendingPathComponent("readings/week9.kg")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"kg link: “persisted through”\"", with: "\"survives RLHF, checked by hand\"")
            .write(to: file, atomically: true, encoding: .utf8)
        let show2 = try KGRun.kg(["show", "backdoor"], cwd: kb)
        #expect(show2.status == 0)
        #expect(!show2.out.contains("proposed by kg link"))
        #expect(!(try KGRun.kg(["path", "backdoor", "rlhf"], cwd: kb).out.contains("proposed by kg link")))
    }

    @Test func untypedProposalsNeedATypeAndGetOne() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let kb = try courseKB()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        let dry = try KGRun.kg(["link", "week9.md", "--format", "json"], cwd: kb)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(dry.out.utf8)) as? [String: Any])
        let rels = try #require(obj["proposed_relations"] as? [[String: Any]])
        let untyped = try #require(rels.first { $0["type"] == nil })
        let n = try #require(untyped["number"] as? Int)
        #expect((untyped["evidence"] as? [[String: Any]])?.first?["modality"] as? String == "asserted")
        let before = KGRun.snapshot(kb)
        let bare = try KGRun.kg(["link", "week9.md", "--apply", "--accept", "relations:\(n)"], cwd: kb)
        #expect(bare.status == 64)
        #expect(bare.err.contains("is untyped; give it a type, e.g. --accept relations:\(n)=CAUSES"), "\(bare.err)")
        let wrong = try KGRun.kg(["link", "week9.md", "--apply", "--accept", "relations:\(n)=CAUSE"], cwd: kb)
        #expect(wrong.status == 64)
        #expect(wrong.err.contains("no relation type CAUSE; did you mean CAUSES?"), "\(wrong.err)")
        let misfit = try KGRun.kg(["link", "week9.md", "--apply", "--accept", "relations:\(n)=TRIGGERED_BY"], cwd: kb)
        #expect(misfit.status == 64)
        #expect(misfit.err.contains("does not fit the schema"))
        #expect(KGRun.snapshot(kb) == before)
        let typed = try KGRun.kg(["link", "week9.md", "--apply", "--accept", "relations:\(n)=STRENGTHENS"], cwd: kb)
        #expect(typed.status == 0, "\(typed.err)")
        let kg = try String(contentsOf: kb.appendingPathComponent("readings/week9.kg"), encoding: .utf8)
        #expect(kg.contains("red-teaming -STRENGTHENS-> backdoor  @week9 S6 \"the sentence links them; typed STRENGTHENS on review\"\n  origin link \"2026-01-01\""), "\(kg)")
    }

    @Test func proposalFilesRoundTripAndRefuseNonsense() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let kb = try courseKB()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        let pf = kb.deletingLastPathComponent().appendingPathComponent("week9.proposals")
        let w = try KGRun.kg(["link", "week9.md", "--write-proposals", pf.path], cwd: kb)
        #expect(w.status == 0, "\(w.err)")
        let text = try String(contentsOf: pf, encoding: .utf8)
        #expect(text.contains("[x] mentions"))
        #expect(text.contains("  S2: The [backdoor] persisted through [RLHF] in every run."))
        #expect(text.contains("[ ] R"))  // untyped and negated ones start unticked
        // Tick the untyped one with a type and turn its direction; untick the first.
        var lines = text.components(separatedBy: "\n")
        for i in lines.indices {
            if lines[i].hasPrefix("[x] R1 ") { lines[i] = "[ ]" + lines[i].dropFirst(3) }
            if lines[i].contains("red-teaming -?-> backdoor") {
                lines[i] = lines[i].replacingOccurrences(of: "[ ]", with: "[x]").replacingOccurrences(of: "red-teaming -?-> backdoor", with: "backdoor -VULNERABLE_TO-> red-teaming")
            }
        }
        try lines.joined(separator: "\n").write(to: pf, atomically: true, encoding: .utf8)
        let before = KGRun.snapshot(kb)
        // Nonsense, each refused with its line and column, nothing written.
        let broken: [(String, String)] = [
            (lines.joined(separator: "\n").replacingOccurrences(of: "[x] mentions", with: "[y] mentions"), ":2: error: a check box holds 'x' or a space"),
            (lines.joined(separator: "\n").replacingOccurrences(of: "backdoor -VULNERABLE_TO-> red-teaming", with: "backdoor -VULNERABLE_TO-> deception"), "only its type and direction may change"),
            (lines.joined(separator: "\n").replacingOccurrences(of: "-VULNERABLE_TO->", with: "-VULNERABLE->"), "no relation type VULNERABLE; did you mean VULNERABLE_TO?"),
            (lines.joined(separator: "\n").replacingOccurrences(of: "sha256 ", with: "sha256 00"), "these proposals were made for another text"),
            ("[x] R99  a -B-> c\nreading week9 sha256 0\n", "there is no relation proposal 99"),
            ("hello world\n", ":1:1: error: expected a proposal line"),
            ("# only comments\n", "no 'reading ID sha256 HEX' line"),
        ]
        let bad = kb.deletingLastPathComponent().appendingPathComponent("bad.proposals")
        for (content, message) in broken {
            let fixed = content.contains("reading week9 sha256") || !content.contains("[") ? content : content
            try fixed.write(to: bad, atomically: true, encoding: .utf8)
            let r = try KGRun.kg(["link", "week9.md", "--apply", "--accept-from", bad.path], cwd: kb)
            #expect(r.status == 1, "\(message)")
            #expect(r.err.contains(message), "\(r.err)")
            #expect(r.err.contains(bad.path + ":"), "\(r.err)")
        }
        try Data([0x5B, 0x78, 0x00, 0xFF]).write(to: bad)
        let binary = try KGRun.kg(["link", "week9.md", "--apply", "--accept-from", bad.path], cwd: kb)
        #expect(binary.status == 1)
        #expect(KGRun.snapshot(kb) == before)
        // The edited file applies.
        let ok = try KGRun.kg(["link", "week9.md", "--apply", "--accept-from", pf.path], cwd: kb)
        #expect(ok.status == 0, "\(ok.err)")
        let kg = try String(contentsOf: kb.appendingPathComponent("readings/week9.kg"), encoding: .utf8)
        #expect(kg.contains("backdoor -VULNERABLE_TO-> red-teaming  @week9 S6 \"the sentence links them; typed VULNERABLE_TO on review, direction turned on review\""), "\(kg)")
        #expect(!kg.contains("-PERSISTS_THROUGH->"))
        #expect(kg.contains("week9 -MENTIONS-> backdoor"))
        #expect(try KGRun.kg(["check", "--strict"], cwd: kb).status == 0)
    }

    @Test func checkWarnsAboutClaimStrength() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let kb = try courseKB()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        try "The study found the backdoor. A summary says more.\n".write(to: kb.appendingPathComponent("readings/s.txt"), atomically: true, encoding: .utf8)
        try "The primary study.\n".write(to: kb.appendingPathComponent("readings/p.txt"), atomically: true, encoding: .utf8)
        // A relation type flagged as a finding (the bundled schema's SHOWS gets the flag from the
        // knowledge-base work; this test does not depend on it).
        let facts = """
        relation FOUND  Study -> Finding  finding
        reading summary "A summary"
          source "secondary"
          path "s.txt"
        reading paper "The paper"
          source "primary"
          path "p.txt"
        reading odd "Odd"
          source "secondry"
          path "s.txt"
        concept study "A study" : Study
        concept found "The backdoor persists" : Finding
        concept found2 "Another finding" : Finding
        concept found3 "Third finding" : Finding
        study -FOUND-> found  @summary S1 "the summary claims it"
        study -FOUND-> found2  @summary S1 reported "the summary's claim"
        study -FOUND-> found3  @summary S1 "claimed"
          @paper S1 "and the paper"
        adversarial-training -STRENGTHENS-> concealment  @summary S2 hedged "sometimes"
        safety-training -STRENGTHENS-> deception  @summary S2 hedged "the summary hedges"
        red-teaming -STRENGTHENS-> backdoor  @summary S2 hedged "hedged"
          hedge "in some runs"
        backdoor -PERSISTS_THROUGH-> rlhf  @paper S1
        interpretability -MITIGATES-> deception  @paper S1
        odd -MENTIONS-> deception  @odd S1

        """
        try facts.write(to: kb.appendingPathComponent("facts.kg"), atomically: true, encoding: .utf8)
        let r = try KGRun.kg(["check"], cwd: kb)
        #expect(r.status == 0, "\(r.err)")
        let all = r.out + r.err
        #expect(all.contains("warning: study -FOUND-> found records a finding, but only secondary sources state it (summary)"), "\(all)")
        #expect(!all.contains("study -FOUND-> found2 records"))
        #expect(!all.contains("study -FOUND-> found3 records"))
        #expect(all.contains("warning: safety-training -STRENGTHENS-> deception is stated without hedge, but its evidence only hedges it (@summary S2)"))
        #expect(!all.contains("adversarial-training -STRENGTHENS-> concealment is stated"))  // its note says "sometimes"
        #expect(!all.contains("red-teaming -STRENGTHENS-> backdoor is stated"))  // it has a hedge
        #expect(all.contains("warning: reading 'odd' has source \"secondry\", which is not a kind of source"))
        #expect(all.contains("did you mean 'secondary'?"))
        let strict = try KGRun.kg(["check", "--strict"], cwd: kb)
        #expect(strict.status == 1)
        // kg show shows the hedge of hedged evidence.
        let show = try KGRun.kg(["show", "safety training"], cwd: kb)
        #expect(show.out.contains("@summary S2 hedged — the summary hedges"), "\(show.out)")
        #expect(show.out.contains("hedged by:"))
    }

    @Test func initMakesAKnowledgeBaseEveryCommandFinds() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let root = try KGRun.tempDir("init")
        defer { try? FileManager.default.removeItem(at: root) }
        let course = try KGRun.kg(["init", "course", "--schema", "course"], cwd: root)
        #expect(course.status == 0, "\(course.err)")
        // The course schema is the bundled Graph/schema.kg, byte for byte.
        let bundled = FileManager.default.contents(atPath: KGRun.root.appendingPathComponent("Graph/schema.kg").path)
        #expect(FileManager.default.contents(atPath: root.appendingPathComponent("course/schema.kg").path) == bundled)
        let mini = try KGRun.kg(["init", "mini"], cwd: root)
        #expect(mini.status == 0, "\(mini.err)")
        for f in ["kg.conf", "schema.kg", "README.md", "readings/.keep", ".gitignore"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("mini/\(f)").path), "\(f)")
        }
        #expect(String(decoding: FileManager.default.contents(atPath: root.appendingPathComponent("mini/kg.conf").path) ?? Data(), as: UTF8.self).contains("readings = readings"))
        // Not over an existing, non-empty folder.
        let again = try KGRun.kg(["init", "mini"], cwd: root)
        #expect(again.status == 1)
        #expect(again.err.contains("not empty"))
        // Every command works inside it, or below it, without --graph.
        let mk = root.appendingPathComponent("mini")
        try "concept sae \"Sparse autoencoder\" : Method\n".write(to: mk.appendingPathComponent("concepts.kg"), atomically: true, encoding: .utf8)
        try "# Dictionaries\n\nA sparse autoencoder reads activations. Sparse autoencoders find features.\n".write(to: root.appendingPathComponent("note.md"), atomically: true, encoding: .utf8)
        let link = try KGRun.kg(["link", "../note.md", "--apply"], cwd: mk)
        #expect(link.status == 0, "\(link.err)")
        let stored = KGRun.snapshot(mk).keys.filter { $0.hasPrefix("readings/note-") }
        #expect(stored.count == 1)
        #expect(try KGRun.kg(["check", "--strict"], cwd: mk.appendingPathComponent("readings")).status == 0)
        let show = try KGRun.kg(["show", "sparse autoencoder"], cwd: mk.appendingPathComponent("readings"))
        #expect(show.out.contains("mentioned in"), "\(show.out)\(show.err)")
        let q = try KGRun.kg(["query", "MATCH (r:Reading) RETURN r.id"], cwd: mk)
        #expect(q.out.contains("note"), "\(q.out)\(q.err)")
        let outside = try KGRun.kg(["show", "sae", "--graph", mk.path], cwd: root)
        #expect(outside.status == 0)
    }

    @Test func fingerprintsAreOfTheCanonicalContent() throws {
        let ev = [Evidence(reading: "r", locator: Locator(unit: .sentence, start: 3), note: "n", modality: .hedged)]
        let a = RelationFingerprint.of(source: "a", type: "T", target: "b", evidence: ev, properties: [("hedge", .string("can")), ("w", .int(1))])
        let b = RelationFingerprint.of(source: "a", type: "T", target: "b", evidence: ev, properties: [("w", .int(1)), ("hedge", .string("can"))])
        #expect(a == b)  // property order does not matter
        #expect(a.count == 16)
        var ev2 = ev
        ev2[0].modality = .asserted
        #expect(RelationFingerprint.of(source: "a", type: "T", target: "b", evidence: ev2, properties: [("hedge", .string("can")), ("w", .int(1))]) != a)
        #expect(RelationFingerprint.of(source: "a", type: "U", target: "b", evidence: ev, properties: [("hedge", .string("can")), ("w", .int(1))]) != a)
        // The statement as parsed and the edge as loaded give the same fingerprint.
        let text = "kind Reading\nkind C\nrelation T  C -> C\nreading r \"R\"\nconcept a \"A\" : C\nconcept b \"B\" : C\na -T-> b  @r S3 hedged \"n\"\n  hedge \"can\"\n  w 1\n  origin link \"2026-01-01\" \"\(a)\"\n"
        let loaded = GraphLoader.load(files: [("x.kg", text)])
        #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
        let e = try #require(loaded.graph.edges.first { loaded.graph.typeName(of: $0) == "T" })
        #expect(RelationFingerprint.of(edge: e, in: loaded.graph) == a)
        #expect(Provenance.marker(of: e, in: loaded.graph) == "proposed by kg link, accepted 2026-01-01")
        let st = try #require(loaded.statement(of: e))
        #expect(RelationFingerprint.of(statement: st) == a)
    }
}
