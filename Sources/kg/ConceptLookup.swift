import ArgumentParser
import KGCore
import KGFormat

/// Finding the concept a command-line argument names, the same way for every command
/// (`kg show`, `kg path`, `--focus`, …): by name, alias or id, case-insensitively, through the
/// graph's name index. A miss prints the nearest names (typo-tolerant) and exits 1; it is an
/// input error, not a usage error.
enum ConceptLookup {
    /// The concepts `name` denotes, best first (exact names before aliases), or an id match.
    static func matches(_ name: String, in g: Graph) -> [NodeID] {
        let hits = g.resolve(name: name)
        if hits.isEmpty, let n = g.node(key: name) { return [n] }
        return hits
    }

    /// The message for a name that denotes nothing, with the nearest names when there are any.
    static func missMessage(_ name: String, in g: Graph, what: String) -> String {
        var msg = "error: \(what)no concept named '\(name)'"
        let near = ConceptCard.nearestNames(name, in: g)
        if !near.isEmpty { msg += "\nnote: did you mean " + near.map { "'\($0)'" }.joined(separator: ", ") + "?" }
        return msg
    }

    /// The one concept `name` denotes. With `ambiguous: .first` a name shared by several concepts
    /// takes the best match and says which; with `.fail` it lists them and exits 1.
    enum Ambiguity { case first, fail }
    static func find(_ name: String, in g: Graph, option: String? = nil, ambiguous: Ambiguity = .first) throws -> NodeID {
        let what = option.map { "\($0): " } ?? ""
        let hits = matches(name, in: g)
        guard let first = hits.first else {
            eprint(missMessage(name, in: g, what: what))
            throw ExitCode(1)
        }
        if hits.count > 1 {
            let exact = hits.filter { g.displayName(of: $0).lowercased() == name.lowercased() }
            if exact.count == 1 { return exact[0] }
            if ambiguous == .fail {
                let list = hits.prefix(6).map { "\(g.key(of: $0)) (\(g.displayName(of: $0)))" }.joined(separator: ", ")
                eprint("error: \(what)'\(name)' names \(hits.count) concepts: \(list); give the id instead")
                throw ExitCode(1)
            }
            eprint("note: '\(name)' names \(hits.count) concepts; using \(g.displayName(of: first)) (\(g.key(of: first)))")
        }
        return first
    }
}
