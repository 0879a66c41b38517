import Foundation
import KGCore

/// Renders a link result for people (tables) and for tools (JSON).
public enum LinkReport {
    /// Sentence numbers, shortened: "S1, S3-S5, S9 …".
    static func sentenceList(_ s: [Int], limit: Int = 6) -> String {
        let locs = KGEmitter.locators(s)
        let shown = locs.prefix(limit).map(\.description).joined(separator: ", ")
        return locs.count > limit ? shown + ", … (\(locs.count - limit) more)" : shown
    }

    static func pad(_ s: String, _ w: Int) -> String {
        let c = s.count
        return c >= w ? s : s + String(repeating: " ", count: w - c)
    }

    static func lpad(_ s: String, _ w: Int) -> String {
        let c = s.count
        return c >= w ? s : String(repeating: " ", count: w - c) + s
    }

    static func cut(_ s: String, _ w: Int) -> String { s.count <= w ? s : String(s.prefix(w - 1)) + "…" }

    /// A fixed-width table: header row, a rule, rows. Columns listed in `right` are right-aligned.
    static func table(_ header: [String], _ rows: [[String]], right: Set<Int> = []) -> String {
        var w = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { w[i] = max(w[i], c.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in right.contains(i) ? lpad(c, w[i]) : pad(c, w[i]) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = "  " + line(header) + "\n  " + w.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += "  " + line(r) + "\n" }
        return out
    }

    public static func text(_ r: LinkResult, status: String? = nil, color: Bool = false) -> String {
        var out = "Reading \(r.reading.id): \(r.reading.title)\n"
        out += "  path \(r.reading.path), \(r.reading.bytes) bytes, \(r.reading.lines) lines, \(r.reading.sentences) sentences\n"
        out += "  sha256 \(r.reading.sha256)\n"
        if let s = status { out += "  \(s)\n" }
        let occ = r.mentions.reduce(0) { $0 + $1.count }
        out += "\nMentions: \(r.mentions.count) known concepts, \(occ) occurrences\n"
        if r.mentions.isEmpty { out += "  (none)\n" } else {
            out += table(["concept", "id", "kind", "count", "sentences", "first at"],
                         r.mentions.map { m in
                             let f = m.occurrences[0]
                             return [cut(m.name, 34), cut(m.id, 30), m.kind, "\(m.count)" + (m.discarded > 0 ? " (+\(m.discarded)?)" : ""),
                                     sentenceList(m.occurrences.map(\.sentence)), "L\(f.line):\(f.column)"]
                         }, right: [3])
            if r.mentions.contains(where: { $0.discarded > 0 }) {
                out += "  (+N?) = ambiguous uses not counted: a common word with no related concept in the same sentence\n"
            }
        }
        let numbered = r.relations.filter { !$0.known }
        let typedCount = numbered.filter { $0.type != nil }.count
        out += "\nProposed relations: \(typedCount) typed, \(numbered.count - typedCount) untyped"
            + (numbered.isEmpty ? "\n" : " (accept with --accept relations:N,…; give an untyped one a type with relations:N=TYPE)\n")
        if numbered.isEmpty { out += "  (none)\n" } else {
            for p in numbered { out += relationBlock(p, number: "\(p.number)", color: color) }
        }
        let known = r.relations.filter(\.known)
        if !known.isEmpty {
            out += "\nAlready in the graph (the reading states them too): \(known.count)\n"
            for p in known { out += relationBlock(p, number: "-", sentencesShown: 1, color: color) }
        }
        out += "\nNew concept candidates: \(r.candidates.count)" + (r.candidates.isEmpty ? "\n" : " (accept with --accept concepts:N,…)\n")
        if r.candidates.isEmpty { out += "  (none)\n" } else {
            for c in r.candidates {
                let name = c.name + (c.acronym.map { $0 == c.name ? "" : " (\($0))" } ?? "")
                let what = c.aliasOf.map { "alias for \($0)" } ?? c.id
                out += "  " + lpad("\(c.number)", 3) + "  \(name)  [\(what)]  \(c.count)×  \(sentenceList(c.sentences, limit: 4))  \(c.reason.rawValue)\n"
                if !c.sentence.isEmpty { out += "       " + cut(c.sentence, 200) + "\n" }
            }
        }
        return out
    }

    /// One proposal: its line, then its sentences with the two concepts marked.
    static func relationBlock(_ p: RelationProposal, number: String, sentencesShown: Int = 2, color: Bool = false) -> String {
        var out = "  " + lpad(number, 3) + "  \(p.source) -\(p.type ?? "?")-> \(p.target)  \(p.modality.rawValue)"
        out += "  " + sentenceList(p.sentences, limit: 4) + "\n"
        out += "       " + (p.type == nil ? "untyped: " : "") + p.why + "\n"
        for ev in p.evidence.prefix(sentencesShown) {
            out += "       S\(ev.sentence): " + (color ? ev.marked("\u{1B}[1;4m", "\u{1B}[0m") : cut(ev.marked("[", "]"), 400))
            if ev.modality != .asserted { out += "  (\(ev.modality.rawValue)" + (ev.markers.isEmpty ? "" : ": " + ev.markers.joined(separator: ", ")) + ")" }
            out += "\n"
        }
        if p.evidence.count > sentencesShown { out += "       … and \(p.evidence.count - sentencesShown) more sentence\(p.evidence.count - sentencesShown == 1 ? "" : "s")\n" }
        return out
    }

    // MARK: JSON

    struct JOcc: Encodable { var line: Int; var column: Int; var sentence: Int; var text: String; var alias: String }
    struct JMention: Encodable {
        var concept: String; var id: String; var kind: String; var aliases: [String]; var count: Int
        var ambiguous_not_counted: Int; var sentences: [String]; var occurrences: [JOcc]
    }
    struct JEvidence: Encodable { var sentence: Int; var modality: String; var markers: [String]; var cue: String; var text: String }
    struct JRel: Encodable {
        var number: Int; var source: String; var target: String; var type: String?; var cue: String?; var sentences: [Int]; var score: Double
        var modality: String; var known: Bool; var why: String; var evidence: [JEvidence]
    }
    struct JCand: Encodable {
        var number: Int; var name: String; var id: String; var acronym: String?; var alias_of: String?; var count: Int
        var sentences: [Int]; var reason: String; var score: Double; var sentence: String
    }
    struct JReading: Encodable { var id: String; var title: String; var path: String; var sha256: String; var bytes: Int; var lines: Int; var sentences: Int }
    struct JResult: Encodable {
        var reading: JReading; var mentions: [JMention]; var proposed_relations: [JRel]; var new_concepts: [JCand]
        var kg: String?; var file: String?; var status: String?
    }

    static func jsonValue(_ r: LinkResult, kg: String?, file: String?, status: String?) -> JResult {
        JResult(
            reading: JReading(id: r.reading.id, title: r.reading.title, path: r.reading.path, sha256: r.reading.sha256,
                              bytes: r.reading.bytes, lines: r.reading.lines, sentences: r.reading.sentences),
            mentions: r.mentions.map { m in
                JMention(concept: m.name, id: m.id, kind: m.kind, aliases: m.aliases, count: m.count, ambiguous_not_counted: m.discarded,
                         sentences: KGEmitter.locators(m.occurrences.map(\.sentence)).map(\.description),
                         occurrences: m.occurrences.map { JOcc(line: $0.line, column: $0.column, sentence: $0.sentence, text: $0.text, alias: $0.alias) })
            },
            proposed_relations: r.relations.map { p in
                JRel(number: p.number, source: p.source, target: p.target, type: p.type, cue: p.cue, sentences: p.sentences, score: p.score,
                     modality: p.modality.rawValue, known: p.known, why: p.why,
                     evidence: p.evidence.map { JEvidence(sentence: $0.sentence, modality: $0.modality.rawValue, markers: $0.markers, cue: $0.cue, text: $0.text) })
            },
            new_concepts: r.candidates.map { JCand(number: $0.number, name: $0.name, id: $0.id, acronym: $0.acronym, alias_of: $0.aliasOf,
                                                   count: $0.count, sentences: $0.sentences, reason: $0.reason.rawValue, score: $0.score,
                                                   sentence: $0.sentence) },
            kg: kg, file: file, status: status)
    }

    /// JSON for one reading (an object) or several (an array), keys sorted, pretty-printed.
    public static func json(_ results: [(LinkResult, kg: String?, file: String?, status: String?)]) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let values = results.map { jsonValue($0.0, kg: $0.kg, file: $0.file, status: $0.status) }
        let data: Data
        if values.count == 1 { data = (try? enc.encode(values[0])) ?? Data() } else { data = (try? enc.encode(values)) ?? Data() }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
