import Testing
import KGCore
import PropertyBased

@Suite("Sentence splitter")
struct SentencesTests {
    private func texts(_ s: String) -> [String] { Sentences.split(s).map(\.text) }

    @Test func simpleSentencesAreNumberedFromOne() {
        let spans = Sentences.split("The cat sat. The dog ran! Did it? Yes.")
        #expect(spans.map(\.text) == ["The cat sat.", "The dog ran!", "Did it?", "Yes."])
        #expect(spans.map(\.number) == [1, 2, 3, 4])
        #expect(spans.allSatisfy { $0.startLine == 1 && $0.endLine == 1 })
    }

    @Test func abbreviationsDoNotEndSentences() {
        let t = "Some methods, e.g. fine-tuning, fail. Others, i.e. the rest, work. Dr. Lee agreed with Prof. Kim vs. the board. Hubinger et al. 2024 is cited. See Fig. 3 for details."
        #expect(texts(t) == [
            "Some methods, e.g. fine-tuning, fail.",
            "Others, i.e. the rest, work.",
            "Dr. Lee agreed with Prof. Kim vs. the board.",
            "Hubinger et al. 2024 is cited.",
            "See Fig. 3 for details.",
        ])
    }

    @Test func etAlAndEtcEndASentenceOnlyBeforeACapital() {
        #expect(texts("We read Smith et al. and agreed. Apples, pears etc. Then we left.") ==
                ["We read Smith et al. and agreed.", "Apples, pears etc.", "Then we left."])
    }

    @Test func decimalsInitialsAndVersions() {
        #expect(texts("The loss fell to 3.14 on v1.2 of the model. J. R. Smith wrote it.") ==
                ["The loss fell to 3.14 on v1.2 of the model.", "J. R. Smith wrote it."])
    }

    @Test func ellipsisEndsOnlyBeforeACapital() {
        #expect(texts("It waited... and then acted. It stopped… Nothing happened.") ==
                ["It waited... and then acted.", "It stopped…", "Nothing happened."])
    }

    @Test func lineBreaksInsideAParagraphAreSpaces() {
        let t = "First line of a sentence\nthat continues here. Second\nsentence.\n\nNew paragraph without a period\n\nLast one."
        let s = Sentences.split(t)
        #expect(s.map(\.text) == ["First line of a sentence\nthat continues here.", "Second\nsentence.",
                                  "New paragraph without a period", "Last one."])
        #expect(s.map(\.startLine) == [1, 2, 5, 7])
        #expect(s.map(\.endLine) == [2, 3, 5, 7])
        #expect(s[0].lineLocator.description == "L1-L2")
        #expect(s[2].sentenceLocator.description == "S3")
    }

    @Test func headingsAndListItemsAreTheirOwnSentences() {
        let t = """
        # A heading without a period
        Intro text here. More text
        - first item
        - second item. With two sentences
        1. numbered item
          continued on the next line
        ## Next heading
        """
        #expect(texts(t) == ["# A heading without a period", "Intro text here.", "More text", "- first item",
                             "- second item.", "With two sentences", "1. numbered item\n  continued on the next line",
                             "## Next heading"])
    }

    @Test func titleLinesAndUnindentedLinesAfterListItems() {
        let t = "Methodology\n- first point without a period\nKey Finding\nThe finding is this. It holds\nacross lines.\n- item\n  continued"
        #expect(texts(t) == ["Methodology", "- first point without a period", "Key Finding", "The finding is this.",
                             "It holds\nacross lines.", "- item\n  continued"])
        // A long wrapped line is not a title, even when the next line starts with a capital.
        let w = "Intro.\n\nThis line is wrapped by an editor at a width that is rather long and\nHubinger et al. wrote it."
        #expect(texts(w).count == 2)
        // The first line of a text may be a longer title.
        #expect(texts("A Title That Runs a Little Longer Than Sixty Bytes, About Sleeper Agents\nBody text.").count == 2)
    }

    @Test func codeFenceLinesAreSeparate() {
        let t = "Before it.\n```\nlet x = 1. y\nlet z\n```\nAfter it."
        #expect(texts(t) == ["Before it.", "let x = 1. y", "let z", "After it."])
    }

    @Test func closingQuotesStayWithTheSentence() {
        #expect(texts("He said \"stop.\" Then (quietly) he left.) Fine.") ==
                ["He said \"stop.\"", "Then (quietly) he left.)", "Fine."])
    }

    @Test func rangesPointAtTheSentenceBytesAndCharacters() {
        let t = "  Café au lait. Über alles!\r\nDone."
        let s = Sentences.split(t)
        #expect(s.map(\.text) == ["Café au lait.", "Über alles!", "Done."])
        let u = Array(t.utf8)
        for span in s {
            #expect(String(decoding: u[span.range], as: UTF8.self) == span.text)
            let chars = Array(t)
            #expect(String(chars[span.characterRange]) == span.text)
        }
        #expect(s[2].startLine == 2)
    }

    @Test func emptyAndBlankTextsHaveNoSentences() {
        #expect(Sentences.split("").isEmpty)
        #expect(Sentences.split(" \n\n\t\n").isEmpty)
    }

    @Test func lineLookupAndSentenceLookup() {
        let t = "One.\nTwo. Three.\n\nFour."
        let starts = Sentences.lineStarts(Array(t.utf8))
        #expect(starts == [0, 5, 17, 18])
        #expect(Sentences.line(ofByte: 0, lineStarts: starts) == 1)
        #expect(Sentences.line(ofByte: 6, lineStarts: starts) == 2)
        #expect(Sentences.line(ofByte: 19, lineStarts: starts) == 4)
        let spans = Sentences.split(t)
        #expect(Sentences.sentence(atByte: 11, in: spans)?.text == "Three.")
    }

    @Test func propertySpansAreOrderedDisjointAndFaithful() async {
        let pieces = ["Word", "e.g.", "Dr.", "3.5", "end.", "Why?", "\n", "\n\n", "# H", "- item", "…", "\"q.\"", " ", "ünï", "x"]
        await propertyCheck(input: Gen.int(in: 0...(pieces.count - 1)).array(of: 0...40)) { picks in
            let t = picks.map { pieces[$0] }.joined(separator: " ")
            let spans = Sentences.split(t)
            let u = Array(t.utf8)
            var last = 0
            for (i, s) in spans.enumerated() {
                #expect(s.number == i + 1)
                #expect(s.range.lowerBound >= last)
                #expect(!s.range.isEmpty)
                #expect(String(decoding: u[s.range], as: UTF8.self) == s.text)
                #expect(s.startLine <= s.endLine)
                last = s.range.upperBound
            }
            // Every non-space byte is inside some sentence.
            var covered = [Bool](repeating: false, count: u.count)
            for s in spans { for k in s.range { covered[k] = true } }
            for (k, b) in u.enumerated() where !(b == 0x20 || b == 0x0A) { #expect(covered[k]) }
        }
    }
}
