import Foundation
import Testing
import KGCore
@testable import KGReadings

/// A one-page PDF whose page shows `lines` (Helvetica), or draws only a line when `lines` is empty
/// (a PDF without text).
func makePDF(_ lines: [String]) -> Data {
    var content = ""
    if lines.isEmpty {
        content = "0 0 m 200 200 l S\n"
    } else {
        content = "BT /F1 12 Tf 72 720 Td 16 TL\n"
        for l in lines {
            let esc = l.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
            content += "(\(esc)) Tj T*\n"
        }
        content += "ET\n"
    }
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length \(content.utf8.count) >>\nstream\n\(content)endstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    var out = "%PDF-1.4\n"
    var offsets: [Int] = []
    for (i, o) in objects.enumerated() {
        offsets.append(out.utf8.count)
        out += "\(i + 1) 0 obj\n\(o)\nendobj\n"
    }
    let xref = out.utf8.count
    out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
    for o in offsets { out += String(format: "%010d 00000 n \n", o) }
    out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
    return Data(out.utf8)
}

/// Hostile and unusual reading inputs, end to end: nothing is read that should not be, nothing
/// is written on bad input, every message names the file.
@Suite("kg link: reading inputs")
struct LinkInputTests {
    /// A small knowledge base (kg init) with a few concepts, and its snapshot.
    func kb() throws -> URL {
        let root = try KGRun.tempDir("inputs")
        let kb = root.appendingPathComponent("kb")
        let r = try KGRun.kg(["init", kb.path], cwd: root)
        #expect(r.status == 0, "\(r.err)")
        try """
        concept backdoor "Conditional backdoor" : Concept
          aka "backdoor"
        concept rlhf "Reinforcement learning from human feedback" : Method
          aka "RLHF"
        concept adversarial-training "Adversarial training" : Method
        concept deception "Deception" : Concept

        """.write(to: kb.appendingPathComponent("concepts.kg"), atomically: true, encoding: .utf8)
        return kb
    }

    @Test func aSymbolicLinkIsNeverFollowed() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let kb = try kb()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        let secret = kb.deletingLastPathComponent().appendingPathComponent("secret.txt")
        try "root:x:0:0:secret first line\nThe backdoor persisted through RLHF.\n".write(to: secret, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: kb.appendingPathComponent("notes.txt").path, withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: kb.appendingPathComponent("local.txt").path, withDestinationPath: secret.path)
        let before = KGRun.snapshot(kb)
        for name in ["notes.txt", "local.txt"] {
            let r = try KGRun.kg(["link", name, "--apply", "--accept", "all"], cwd: kb)
            #expect(r.status == 1)
            #expect(r.err.contains("\(name): error: this is a symbolic link"), "\(r.err)")
            #expect(!r.out.contains("root:") && !r.err.contains("root:x"))
        }
        #expect(KGRun.snapshot(kb) == before)
        // Named itself, a regular file outside the folder is read.
        let ok = try KGRun.kg(["link", secret.path], cwd: kb)
        #expect(ok.status == 0, "\(ok.err)")
    }

    @Test func devicesAndFIFOsAreRefusedWithoutBlocking() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let kb = try kb()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        let fifo = kb.appendingPathComponent("pipe.txt").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let before = KGRun.snapshot(kb)
        let f = try KGRun.kg(["link", "pipe.txt", "--apply"], cwd: kb)
        #expect(f.status == 1)
        #expect(f.err.contains("pipe.txt: error: this is a FIFO (named pipe), not a regular file"), "\(f.err)")
        let d = try KGRun.kg(["link", "/dev/zero", "--apply"], cwd: kb)
        #expect(d.status == 1)
        #expect(d.err.contains("/dev/zero: error: this is a character device"), "\(d.err)")
        #expect(KGRun.snapshot(kb) == before)
    }

    @Test func emptyLookingFilesAreEmpty() throws {
        let cases: [[UInt8]] = [[0xEF, 0xBB, 0xBF], [0xEF, 0xBB, 0xBF, 0x0A, 0x20], Array(" \t\n\r\n".utf8),
                                Array("\u{00A0}\u{2003}\u{200B}\u{3000}\n\u{FEFF}".utf8), []]
        for c in cases {
            #expect(throws: ReadingInputError.empty(path: "e.txt")) { try ReadingSource(path: "e.txt", bytes: c) }
        }
        #expect(ReadingSource.isBlank(Array("\u{FEFF}x".utf8)) == false)
        guard KGRun.binary != nil else { return }
        let kb = try kb()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        try Data([0xEF, 0xBB, 0xBF]).write(to: kb.appendingPathComponent("bom.txt"))
        let r = try KGRun.kg(["link", "bom.txt", "--apply"], cwd: kb)
        #expect(r.status == 1)
        #expect(r.err.contains("bom.txt: error: the file is empty"))
    }

    @Test func binaryFilesAndPagesWithoutTextAreRefused() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let kb = try kb()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        try Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00]).write(to: kb.appendingPathComponent("tool.txt"))
        try """
        <!DOCTYPE html><html><head><title>Only scripts</title><script>var backdoor = "persisted through RLHF";</script>
        <style>p { color: red }</style></head><body><script>document.write("The backdoor persisted through RLHF.")</script>
        <noscript>Enable scripts</noscript><nav><a href="/">Home</a></nav></body></html>
        """.write(to: kb.appendingPathComponent("scripts.html"), atomically: true, encoding: .utf8)
        let before = KGRun.snapshot(kb)
        let bin = try KGRun.kg(["link", "tool.txt", "--apply"], cwd: kb)
        #expect(bin.status == 1)
        #expect(bin.err.contains("tool.txt: error: this looks like a binary file (NUL byte at offset 6)"))
        let html = try KGRun.kg(["link", "scripts.html", "--apply"], cwd: kb)
        #expect(html.status == 1)
        #expect(html.err.contains("scripts.html: error: the HTML page has no main text"), "\(html.err)")
        #expect(KGRun.snapshot(kb) == before)
    }

    @Test func htmlReadingsKeepTheirMainText() throws {
        let page = """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>Week 9 | Site</title>
        <script>var x = "adversarial training strengthens deception";</script></head>
        <body><header><nav><a href="/">Adversarial training</a></nav></header>
        <main><h1>Backdoors &amp; training</h1>
        <p>The backdoor persisted through <b>RLHF</b>, and adversarial training
        strengthened the backdoor.</p><ul><li>First item</li><li>Second <em>item</em></li></ul>
        <table><tr><td>a</td><td>b</td></tr></table><pre>code line</pre></main>
        <aside>Deception sidebar</aside><footer>Deception footer</footer></body></html>
        """
        let r = HTMLText.convert(Array(page.utf8))
        #expect(r.title == "Week 9 | Site")
        #expect(r.markdown == """
        # Backdoors & training

        The backdoor persisted through **RLHF**, and adversarial training strengthened the backdoor.

        - First item
        - Second item

        | a | b |

        ```
        code line
        ```

        """)
        guard KGRun.binary != nil else { return }
        let kb = try kb()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        try page.write(to: kb.appendingPathComponent("week9.html"), atomically: true, encoding: .utf8)
        let l = try KGRun.kg(["link", "week9.html", "--apply", "--accept", "all"], cwd: kb)
        #expect(l.status == 0, "\(l.err)")
        let text = Data(r.markdown.utf8)
        let stored = "week9-\(SHA256.hex(of: [UInt8](text)).prefix(12)).md"
        #expect(FileManager.default.contents(atPath: kb.appendingPathComponent("readings/\(stored)").path) == text)
        let kg = try String(contentsOf: kb.appendingPathComponent("readings/week9.kg"), encoding: .utf8)
        #expect(kg.contains("reading week9 \"Backdoors & training\"\n  path \"\(stored)\"\n"))
        #expect(kg.contains("  original \"week9.html\"\n"))
        #expect(!kg.contains("week9 -MENTIONS-> deception"))  // scripts, sidebar and footer are not text
        #expect(kg.contains("adversarial-training -STRENGTHENS-> backdoor  @week9 S2 \"kg link: “strengthened”\"\n  origin link \"2026-01-01\" \""), "\(kg)")
        // Locators and the stored text agree; the one warning is the concept named only in the page's furniture.
        let check = try KGRun.kg(["check"], cwd: kb)
        #expect(check.status == 0, "\(check.out)\(check.err)")
        #expect(check.out.contains("1 warning") || check.err.contains("1 warning"), "\(check.out)\(check.err)")
        #expect(check.err.contains("concept 'deception' has no relations"))
    }

    @Test func pdfReadingsThroughPdftotext() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let kb = try kb()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        try makePDF(["The backdoor persisted through RLHF.", "Adversarial training causes deception."]).write(to: kb.appendingPathComponent("paper.pdf"))
        try makePDF([]).write(to: kb.appendingPathComponent("scan.pdf"))
        let before = KGRun.snapshot(kb)
        guard PDFText.tool != nil else {
            // Without poppler-utils: a clear message, nothing written.
            let r = try KGRun.kg(["link", "paper.pdf", "--apply"], cwd: kb)
            #expect(r.status == 1)
            #expect(r.err.contains("paper.pdf: error: reading a PDF needs pdftotext"))
            #expect(KGRun.snapshot(kb) == before)
            print("SKIPPED: pdftotext (poppler-utils) not installed; checked the message instead")
            return
        }
        let scan = try KGRun.kg(["link", "scan.pdf", "--apply"], cwd: kb)
        #expect(scan.status == 1)
        #expect(scan.err.contains("scan.pdf: error: the PDF has no text layer"), "\(scan.err)")
        #expect(KGRun.snapshot(kb) == before)
        let ok = try KGRun.kg(["link", "paper.pdf", "--apply", "--accept", "all"], cwd: kb)
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.out.contains("backdoor -CAUSES-> deception") == false)
        #expect(ok.out.contains("adversarial-training -CAUSES-> deception"), "\(ok.out)")
        let kg = try String(contentsOf: kb.appendingPathComponent("readings/paper.kg"), encoding: .utf8)
        #expect(kg.contains("  original \"paper.pdf\"\n"))
        #expect(try KGRun.kg(["check", "--strict"], cwd: kb).status == 0)
    }

    @Test func longSentencesAndManySentences() throws {
        guard KGRun.binary != nil else { print("SKIPPED: kg binary not built"); return }
        let kb = try kb()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        // One sentence of 10,000 words; one line of 200,000 words; 20,000 sentences.
        let words = ["the", "backdoor", "persisted", "through", "RLHF", "and", "adversarial", "training", "of", "deception"]
        var long = ""
        for i in 0..<10_000 { long += words[i % words.count] + " " }
        try (long + ".\n").write(to: kb.appendingPathComponent("long.txt"), atomically: true, encoding: .utf8)
        var line = ""
        line.reserveCapacity(1_500_000)
        for i in 0..<200_000 { line += words[(i * 7) % words.count] + " " }
        try line.write(to: kb.appendingPathComponent("line.txt"), atomically: true, encoding: .utf8)
        var many = ""
        for i in 0..<20_000 { many += "Adversarial training strengthens the backdoor in run \(i). " + (i % 10 == 9 ? "\n\n" : "") }
        try many.write(to: kb.appendingPathComponent("many.txt"), atomically: true, encoding: .utf8)
        for f in ["long.txt", "line.txt", "many.txt"] {
            let r = try KGRun.kg(["link", f, "--format", "json"], cwd: kb)
            #expect(r.status == 0, "\(f): \(r.err)")
            let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
            #expect((obj?["mentions"] as? [Any])?.isEmpty == false, "\(f)")
        }
        // The time limit stops a run with a clear message and writes nothing.
        let before = KGRun.snapshot(kb)
        let slow = try KGRun.kg(["link", "many.txt", "--apply", "--timeout", "0.05"], cwd: kb)
        #expect(slow.status == 1)
        #expect(slow.err.contains("many.txt: error: linking took longer than the time limit of 0.05 s"), "\(slow.err)")
        #expect(KGRun.snapshot(kb) == before)
    }

    @Test func progressIsShownOnATerminalOnly() throws {
        guard let kgPath = KGRun.binary?.path, FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            print("SKIPPED: kg binary or /usr/bin/script missing")
            return
        }
        let kb = try kb()
        defer { try? FileManager.default.removeItem(at: kb.deletingLastPathComponent()) }
        var many = ""
        for i in 0..<30_000 { many += "The backdoor persisted through RLHF in run \(i). " + (i % 10 == 9 ? "\n\n" : "") }
        try many.write(to: kb.appendingPathComponent("many.txt"), atomically: true, encoding: .utf8)
        let log = kb.appendingPathComponent("tty.log")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qfec", "'\(kgPath)' link many.txt > /dev/null", log.path]
        p.currentDirectoryURL = kb
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil; env["CI"] = nil; env["KG_PROGRESS"] = nil
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let tty = String(decoding: FileManager.default.contents(atPath: log.path) ?? Data(), as: UTF8.self)
        #expect(tty.contains("kg link many.txt: "), "progress line on the terminal")
        // Not on a pipe.
        let r = try KGRun.kg(["link", "many.txt"], cwd: kb, env: ["NO_COLOR": nil])
        #expect(!r.err.contains("\u{1B}[K"))
    }
}
