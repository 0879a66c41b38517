import Foundation
import KGCore
import Testing

@testable import KGFormat

/// Findings of the fuzz targets (Fuzz/, docs/RELIABILITY.md "Fuzz findings") in the .kg format
/// module.
@Suite struct FuzzFindingsTests {
    /// F1 (fixed in Sources/KGFormat/Printer.swift): a comment that ends in CR kept all but one of
    /// its CRs, the last one being read as part of a CRLF line end, so every `kg fmt` removed one
    /// more. The printer now drops a comment's trailing CRs. Fuzz/Regressions/kg/fmt-comment-ending-in-cr.kg.
    @Test func fmtIsIdempotentOnACommentEndingInCR() {
        let input = "#D\r\r\r\n"
        let (doc, diags) = KGParser.parse(path: "f.kg", text: input)
        #expect(!diags.contains { $0.isError })
        let once = KGPrinter.print(doc)
        let twice = KGPrinter.print(KGParser.parse(path: "f.kg", text: once).0)
        #expect(once == twice)
        #expect(once == "#D\n")
        for text in ["a -R-> b  #x\r\r\n", "a -R-> b\n  #lead\r\r\n  weight 1\n", "\r\n#only\r\r\r\r\n"] {
            let first = KGPrinter.print(KGParser.parse(path: "f.kg", text: text).0)
            #expect(KGPrinter.print(KGParser.parse(path: "f.kg", text: first).0) == first, "\(text.debugDescription)")
        }
    }
}
