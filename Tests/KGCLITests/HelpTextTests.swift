import Foundation
import Testing

/// Every `--help` reads as prose: ArgumentParser re-wraps the discussion text, so a hard line break
/// in the source shows up as a line that ends early, mid-sentence. A line of a help paragraph may
/// only end where the next word would not have fitted.
@Suite struct HelpTextTests {
    /// The subcommands a help text lists (two-space indented names under SUBCOMMANDS:).
    static func subcommands(_ help: String) -> [String] {
        guard let r = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        var out: [String] = []
        for l in help[r.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            guard l.hasPrefix("  "), !l.hasPrefix("   ") else { continue }
            if let w = l.split(separator: " ").first, w != "See" { out.append(String(w)) }
        }
        return out
    }

    /// Every command path, found by walking `kg help` from the top.
    static func allCommands() throws -> [[String]] {
        var out: [[String]] = [], queue: [[String]] = [[]]
        while let c = queue.first {
            queue.removeFirst()
            out.append(c)
            guard let r = try QueryCLITests.run(["help"] + c) else { return [] }
            queue += subcommands(r.out).map { c + [$0] }
        }
        return out
    }

    /// The discussion paragraphs of a help text (between the OVERVIEW paragraph and USAGE).
    static func paragraphs(_ help: String) -> [[String]] {
        var lines = help.components(separatedBy: "\n")
        if let u = lines.firstIndex(where: { $0.hasPrefix("USAGE:") }) { lines = Array(lines[..<u]) }
        var paras: [[String]] = [], cur: [String] = []
        for l in lines {
            if l.trimmingCharacters(in: .whitespaces).isEmpty {
                if !cur.isEmpty { paras.append(cur); cur = [] }
            } else {
                cur.append(l)
            }
        }
        if !cur.isEmpty { paras.append(cur) }
        return paras
    }

    @Test func everyHelpParagraphBreaksOnlyAtTheWidth() throws {
        let commands = try Self.allCommands()
        #expect(commands.count >= 19 || commands.isEmpty, "found only \(commands)")
        for command in commands { try checkHelp(command) }
    }

    func checkHelp(_ command: [String]) throws {
        guard let r = try QueryCLITests.run(["help"] + command) else { return }
        #expect(r.status == 0, "kg help \(command.joined(separator: " ")) failed: \(r.err)")
        let width = 79  // ArgumentParser wraps at 80 columns, lines hold at most 79 characters
        for para in Self.paragraphs(r.out) {
            for (a, b) in zip(para, para.dropFirst()) {
                let nextWord = b.split(separator: " ").first.map(String.init) ?? ""
                #expect(a.count + 1 + nextWord.count > width,
                        "kg help \(command.joined(separator: " ")): line ends early before '\(nextWord)': \(a)")
            }
        }
    }
}
