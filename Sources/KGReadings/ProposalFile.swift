import Foundation
import KGCore
import KGFormat

/// The proposals of one reading as a file to review in an editor: every proposal on a line of
/// its own with a check box, the sentences under it. Marking `[x]` accepts, `[ ]` skips; the
/// type of a relation line may be changed (an untyped one's `?` replaced by a type), and its two
/// concepts swapped to turn its direction. Nothing else may change: the file names the reading's
/// SHA-256, and each line its proposal's concepts.
///
/// ```
/// reading week9 sha256 d294b85b…
/// [x] mentions  12 concepts
/// [x] R1  adversarial-training -STRENGTHENS-> conditional-backdoor  asserted
///         S9: the [backdoor] was strengthened by [adversarial training] …
/// [ ] R2  interpretability -?-> red-teaming  asserted
/// [x] C1  "Linear probe"  repeated term, 4×
/// ```
public enum ProposalFile {
    /// A hand edit that does not make sense: where, and why.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(file):\(line):\(column): error: \(message)" }
    }

    /// The file for `r`, with the default choice: mentions, typed relations that are not negated,
    /// and nothing else, checked.
    public static func write(_ r: LinkResult, command: String) -> String {
        var out = "# kg link proposals for \(r.reading.path) (reading \(r.reading.id)).\n"
        out += "# Mark [x] to accept, [ ] to skip. A relation's type may be changed (replace ? with a type to\n"
        out += "# accept an untyped one) and its two concepts swapped; change nothing else. Then run:\n"
        out += "#   \(command)\n"
        out += "# Lines starting with # and indented lines are ignored.\n\n"
        out += "reading \(r.reading.id) sha256 \(r.reading.sha256)\n\n"
        out += "[x] mentions  \(r.mentions.count) concept\(r.mentions.count == 1 ? "" : "s"), \(r.mentions.reduce(0) { $0 + $1.count }) occurrences\n"
        for p in r.relations where !p.known {
            let on = p.type != nil && p.modality != .negated
            out += "\n[\(on ? "x" : " ")] R\(p.number)  \(p.source) -\(p.type ?? "?")-> \(p.target)  \(p.modality.rawValue)\n"
            out += "        \(p.type == nil ? "untyped: " : "")\(p.why)\n"
            for ev in p.evidence {
                var l = "        S\(ev.sentence): " + ev.marked("[", "]")
                if ev.modality != .asserted && !ev.markers.isEmpty { l += "  (\(ev.modality.rawValue): \(ev.markers.joined(separator: ", ")))" }
                out += l.replacingOccurrences(of: "\n", with: " ") + "\n"
            }
        }
        if !r.candidates.isEmpty { out += "\n" }
        for c in r.candidates {
            let what = c.aliasOf.map { "alias \"\(c.acronym ?? c.name)\" for \($0)" } ?? "\"\(c.name)\"" + (c.acronym.map { $0 == c.name ? "" : " (\($0))" } ?? "")
            out += "[ ] C\(c.number)  \(what)  \(c.reason.rawValue), \(c.count)×\n"
            if !c.sentence.isEmpty { out += "        \(String(c.sentence.prefix(300)))\n" }
        }
        return out
    }

    /// Reads an edited file back into an acceptance for `r`. Every problem names its line and column.
    public static func read(_ text: String, file: String, for r: LinkResult, schema: Schema) throws -> Acceptance {
        var a = Acceptance(mentions: false)
        var sawReading = false
        var seen = Set<String>()
        let numbered = Dictionary(uniqueKeysWithValues: r.relations.filter { !$0.known }.map { ($0.number, $0) })
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func fail(_ line: Int, _ col: Int, _ m: String) -> Problem { Problem(file: file, line: line, column: col, message: m) }
        for (i, raw) in lines.enumerated() {
            let ln = i + 1
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") || line.first == " " || line.first == "\t" { continue }
            if line.hasPrefix("reading ") {
                let w = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard w.count == 4, w[2] == "sha256" else { throw fail(ln, 1, "expected 'reading ID sha256 HEX'") }
                guard w[3] == r.reading.sha256 else {
                    throw fail(ln, line.count - w[3].count + 1, "these proposals were made for another text (SHA-256 \(w[3].prefix(12))…); this one is \(r.reading.sha256.prefix(12))…: write the proposals again")
                }
                sawReading = true
                continue
            }
            guard line.hasPrefix("[") else { throw fail(ln, 1, "expected a proposal line starting with [x] or [ ], a 'reading' line, or a comment") }
            let chars = Array(line)
            guard chars.count >= 3, chars[2] == "]" else { throw fail(ln, 1, "a check box is '[x]' or '[ ]'") }
            let mark = chars[1]
            guard mark == "x" || mark == "X" || mark == " " else { throw fail(ln, 2, "a check box holds 'x' or a space, not '\(mark)'") }
            let on = mark != " "
            let rest = String(chars[3...])
            let words = rest.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let id = words.first else { throw fail(ln, 4, "the check box is followed by nothing; expected 'mentions', R<n> or C<n>") }
            let idCol = (rest.range(of: id).map { rest.distance(from: rest.startIndex, to: $0.lowerBound) } ?? 0) + 4
            if !seen.insert(id).inserted { throw fail(ln, idCol, "\(id) is listed twice") }
            if id == "mentions" { a.mentions = on; continue }
            if id.hasPrefix("C"), let n = Int(id.dropFirst()), n >= 1 {
                guard n <= r.candidates.count else { throw fail(ln, idCol, "there is no concept candidate \(n) (there are \(r.candidates.count))") }
                if on { a.concepts.insert(n) }
                continue
            }
            guard id.hasPrefix("R"), let n = Int(id.dropFirst()), n >= 1 else {
                throw fail(ln, idCol, "'\(id)' is no proposal: expected 'mentions', R<n> or C<n>")
            }
            guard let p = numbered[n] else { throw fail(ln, idCol, "there is no relation proposal \(n) (there are \(numbered.count))") }
            // SRC -TYPE-> DST
            guard words.count >= 3 else { throw fail(ln, idCol, "expected 'R\(n)  SOURCE -TYPE-> TARGET'") }
            let src = words[1], arrow = words[2], dst = words.count > 3 ? words[3] : ""
            let arrowCol = (rest.range(of: " " + arrow + " ").map { rest.distance(from: rest.startIndex, to: $0.lowerBound) + 1 } ?? 0) + 4
            guard arrow.hasPrefix("-"), arrow.hasSuffix("->"), arrow.count > 3 else {
                throw fail(ln, arrowCol, "expected an arrow -TYPE-> (or -?-> for none) between the two concepts")
            }
            let type = String(arrow.dropFirst().dropLast(2))
            let reversed: Bool
            if src == p.source && dst == p.target { reversed = false }
            else if src == p.target && dst == p.source { reversed = true }
            else {
                throw fail(ln, idCol + id.count + 2, "R\(n) relates \(p.source) and \(p.target), not \(src) and \(dst): only its type and direction may change")
            }
            guard on else { continue }
            a.relations.insert(n)
            if reversed { a.reversed.insert(n) }
            if type == "?" {
                if !(schema.isEmpty || schema.relation("RELATED_TO") != nil) {
                    throw fail(ln, arrowCol + 1, "R\(n) is accepted but untyped: replace ? with a relation type")
                }
                a.relationTypes[n] = "RELATED_TO"
            } else {
                guard type.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw fail(ln, arrowCol + 1, "'\(type)' is not a relation type name") }
                if !schema.isEmpty && schema.relation(type) == nil {
                    let near = Suggest.nearest(type, in: Set(schema.relations.keys), limit: 1).first
                    throw fail(ln, arrowCol + 1, "the schema declares no relation type \(type)" + (near.map { "; did you mean \($0)?" } ?? ""))
                }
                a.relationTypes[n] = type
            }
        }
        guard sawReading else { throw fail(max(1, lines.count), 1, "the file has no 'reading ID sha256 HEX' line: is it a kg link proposal file?") }
        return a
    }
}
