import Foundation
import KGReadings

/// Alias matching as `kg link` does it: the KGReadings `AliasMatcher` built over every alias,
/// then one scan (tokenize + leftmost-longest match) over the text.
public struct AliasWorkload {
    public let aliases: [String]
    public let text: [UInt8]

    /// Reads the corpus of ../shared/bench/bench_aho.py --write-corpus (aliases.txt, text.txt).
    public init(corpus: URL) throws {
        let a = try String(contentsOf: corpus.appendingPathComponent("aliases.txt"), encoding: .utf8)
        aliases = a.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        text = Array(try Data(contentsOf: corpus.appendingPathComponent("text.txt")))
    }

    public init(aliases: [String], text: [UInt8]) {
        self.aliases = aliases
        self.text = text
    }

    public var megabytes: Double { Double(text.count) / 1e6 }

    public func build() -> AliasMatcher {
        let m = AliasMatcher()
        for (i, a) in aliases.enumerated() { m.add(alias: a, target: i) }
        return m
    }

    /// Tokenizes and matches the whole text; returns the number of matches.
    public func scan(_ m: AliasMatcher) -> Int {
        text.withUnsafeBufferPointer { b in
            let toks = m.tokenize(b)
            return m.match(tokens: toks).count
        }
    }
}
