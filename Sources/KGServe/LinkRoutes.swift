import Foundation
import KGCore
import KGFormat

/// A text under review: where it was saved for `kg link`, and the proposals the page showed.
struct Review {
    var id: String
    var folder: String
    var file: String
    var fileName: String
    var title: String?
    var created: Date
    /// number → "source -TYPE-> target", to check before applying that the numbers mean the same.
    var relations: [Int: String]
    var concepts: [Int: String]
}

/// Runs a program and collects what it writes, with a time limit.
enum Subprocess {
    struct Result { var status: Int32; var out: Data; var err: Data; var timedOut: Bool }

    static func run(_ exe: String, _ args: [String], timeout: Double) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        p.environment = env
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let errData = Locked(Data())
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            let d = e.fileHandleForReading.readDataToEndOfFile()
            errData.with { $0 = d }
            group.leave()
        }
        let timedOut = Locked(false)
        let killer = DispatchWorkItem {
            if p.isRunning { timedOut.with { $0 = true }; p.terminate() }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let out = o.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        killer.cancel()
        return Result(status: p.terminationStatus, out: out, err: errData.current, timedOut: timedOut.current)
    }
}

extension KGApp {
    static let linkTimeout = 120.0
    static let reviewLifetime = 6 * 3600.0

    /// The `kg` program that reviews and applies readings: the configured one, else `kg` next to this
    /// program (kg-serve is built beside it), else on the PATH.
    func kgExecutable() throws -> String {
        if let k = config.kgExecutable { return k }
        var looked: [String] = []
        if let exe = ReadingStore.realPath("/proc/self/exe") {
            if (exe as NSString).lastPathComponent == "kg" { return exe }
            looked.append(((exe as NSString).deletingLastPathComponent as NSString).appendingPathComponent("kg"))
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") { looked.append(String(dir) + "/kg") }
        if let k = looked.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return k }
        throw APIError(.unavailable, "reviewing a reading runs kg link, but no kg program was found (looked at \(looked.first ?? "the PATH")); start the server with kg serve")
    }

    /// A file name for the text: the user's (folders dropped, made safe), with a reading extension;
    /// else one made from the first words of the text. `kg link` names the reading after it.
    public static func readingFileName(_ given: String?, text: String) -> String {
        let base = (given ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var ext = (base as NSString).pathExtension.lowercased()
        var stem = base
        if ["txt", "text", "md", "markdown", "mdown"].contains(ext) { stem = (base as NSString).deletingPathExtension } else { ext = "" }
        if fileName(stem) == "graph" || stem.isEmpty {
            let first = text.split(whereSeparator: { $0.isNewline }).first.map(String.init) ?? ""
            stem = first.trimmingCharacters(in: CharacterSet(charactersIn: "# \t")).split(separator: " ").prefix(6).joined(separator: "-")
        }
        var safe = fileName(stem).lowercased()
        if safe == "graph" || safe.isEmpty { safe = "reading" }
        if ext.isEmpty { ext = text.hasPrefix("#") || text.contains("\n#") ? "md" : "txt" }
        return String(safe.prefix(60)) + "." + ext
    }

    /// Paths of the server's private folder, replaced by the file name in messages to the page.
    func scrub(_ s: String, _ review: Review) -> String {
        s.replacingOccurrences(of: review.file, with: review.fileName).replacingOccurrences(of: review.folder + "/", with: "")
    }

    func linkArguments(_ review: Review) -> [String] {
        var args = ["link", review.file, "--graph", state.graphDirectory, "--format", "json"]
        if let r = config.readings { args += ["--readings", r] }
        if let t = review.title, !t.isEmpty { args += ["--title", t] }
        return args
    }

    /// Runs `kg link` (this very program) on the review's file: the page reviews and applies
    /// exactly what the command line would.
    func runLink(_ review: Review, extra: [String]) throws -> [String: Any] {
        let r = try Subprocess.run(try kgExecutable(), linkArguments(review) + extra, timeout: Self.linkTimeout)
        if r.timedOut { throw APIError(.unprocessable, "kg link ran longer than \(Int(Self.linkTimeout)) s and was stopped") }
        let err = scrub(String(decoding: r.err, as: UTF8.self), review).trimmingCharacters(in: .whitespacesAndNewlines)
        guard r.status == 0 else {
            throw APIError(.unprocessable, err.isEmpty ? "kg link failed (exit \(r.status))" : err,
                           details: [("exitStatus", .int(Int(r.status)))])
        }
        guard let v = try? JSONSerialization.jsonObject(with: r.out), let o = (v as? [String: Any]) ?? (v as? [[String: Any]])?.first else {
            throw APIError(.internalError, "kg link gave no JSON answer: \(err)")
        }
        return o
    }

    static func proposalKeys(_ result: [String: Any]) -> (relations: [Int: String], concepts: [Int: String]) {
        var rel: [Int: String] = [:], con: [Int: String] = [:]
        for p in result["proposed_relations"] as? [[String: Any]] ?? [] {
            if let n = (p["number"] as? NSNumber)?.intValue {
                rel[n] = "\(p["source"] ?? "") -\(p["type"] as? String ?? "RELATED_TO")-> \(p["target"] ?? "")"
            }
        }
        for c in result["new_concepts"] as? [[String: Any]] ?? [] {
            if let n = (c["number"] as? NSNumber)?.intValue { con[n] = "\(c["id"] ?? "") \(c["name"] ?? "")" }
        }
        return (rel, con)
    }

    func expireReviews() {
        let now = Date()
        let old = reviews.with { rs -> [Review] in
            let gone = rs.values.filter { now.timeIntervalSince($0.created) > Self.reviewLifetime }
            for r in gone { rs[r.id] = nil }
            return gone
        }
        for r in old { try? FileManager.default.removeItem(atPath: r.folder) }
    }

    /// `POST /api/link/review` `{"text", "fileName"?, "title"?}`: what `kg link FILE` finds in the
    /// text (a dry run, nothing written): mentions marked in the text, relation proposals with their
    /// sentences, new concept candidates, and the .kg text applying all of them would write.
    func linkReview(_ r: Request) async throws -> Reply {
        _ = try state.snapshot.usable()
        let body = try JSONBody(r.body)
        guard let text = try body.string("text", required: true) else { throw APIError(.badRequest, "no text") }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw APIError(.badRequest, "the text is empty: paste or upload a reading") }
        if text.utf8.contains(0) { throw APIError(.badRequest, "the text has a NUL character: this looks like a binary file, not a reading") }
        let title = try body.string("title").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let t = title, t.utf8.count > 300 { throw APIError(.badRequest, "the title is longer than 300 bytes") }
        expireReviews()
        let id = String(Self.randomToken().prefix(20))
        let folder = workDirectory + "/" + id
        let name = Self.readingFileName(try body.string("fileName"), text: text)
        var review = Review(id: id, folder: folder, file: folder + "/" + name, fileName: name, title: title,
                            created: Date(), relations: [:], concepts: [:])
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: review.file))
        let result: [String: Any]
        do {
            result = try await Worker.run { [self] in try runLink(review, extra: []) }
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        (review.relations, review.concepts) = Self.proposalKeys(result)
        reviews.with { $0[id] = review }

        // The text as kg link reads it, with the mentions marked.
        let bytes = Array(text.utf8)
        let sentences = Sentences.split(text)
        let starts = Sentences.lineStarts(bytes)
        var marks: [Segments.Mark] = []
        for m in result["mentions"] as? [[String: Any]] ?? [] {
            let cid = m["id"] as? String ?? ""
            for o in m["occurrences"] as? [[String: Any]] ?? [] {
                guard let line = (o["line"] as? NSNumber)?.intValue, let col = (o["column"] as? NSNumber)?.intValue,
                      let t = o["text"] as? String, line >= 1, line <= starts.count else { continue }
                // Column counts characters from 1 on the line.
                var off = starts[line - 1]
                let lineEnd = line < starts.count ? starts[line] : bytes.count
                let lineText = String(decoding: bytes[off..<lineEnd], as: UTF8.self)
                off += lineText.prefix(max(0, col - 1)).utf8.count
                marks.append(Segments.Mark(range: off..<min(bytes.count, off + t.utf8.count), id: cid))
            }
        }
        marks.sort { $0.range.lowerBound < $1.range.lowerBound }
        let kgResult = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        return .json(.object([
            ("review", .string(id)), ("fileName", .string(name)),
            ("result", .raw(scrub(String(decoding: kgResult, as: UTF8.self), review))),
            ("sentences", .array(sentences.map { s in .object([("n", .int(s.number)), ("line", .int(s.startLine)), ("text", .string(s.text))]) })),
            ("lines", Segments.lines(bytes: bytes, sentences: sentences, marks: marks)),
            ("writes", .bool(config.allowWrites)),
            ("command", .string(commandLine(review, accept: nil))),
        ]))
    }

    func acceptArguments(mentions: Bool, relations: [Int], concepts: [Int]) -> [String] {
        var a = ["--accept", "none"]
        if mentions { a += ["--accept", "mentions"] }
        if !relations.isEmpty { a += ["--accept", "relations:" + relations.sorted().map(String.init).joined(separator: ",")] }
        if !concepts.isEmpty { a += ["--accept", "concepts:" + concepts.sorted().map(String.init).joined(separator: ",")] }
        return a
    }

    /// The `kg link` command that does what the page does (shown on the page).
    func commandLine(_ review: Review, accept: [String]?) -> String {
        func q(_ s: String) -> String {
            s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:,".contains($0) }) ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        var parts = ["kg", "link", review.fileName, "--graph", state.graphDirectory]
        if let r = config.readings { parts += ["--readings", r] }
        if let t = review.title, !t.isEmpty { parts += ["--title", t] }
        if let a = accept { parts += ["--apply"] + a }
        return parts.map(q).joined(separator: " ")
    }

    func review(_ body: JSONBody) throws -> Review {
        guard let id = try body.string("review", required: true), let rv = reviews.with({ $0[id] }) else {
            throw APIError(.notFound, "this review is unknown or has expired; paste the text again")
        }
        return rv
    }

    /// `POST /api/link/apply` `{"review", "mentions": bool, "relations": [n…], "concepts": [n…]}`:
    /// writes what `kg link FILE --apply --accept none --accept mentions --accept relations:n,…
    /// --accept concepts:n,…` writes, then reloads the graph.
    func linkApply(_ r: Request) async throws -> Reply {
        let body = try JSONBody(r.body)
        let rv = try review(body)
        let mentions = try body.bool("mentions") ?? true
        let rels = try body.ints("relations"), cons = try body.ints("concepts")
        for n in rels where rv.relations[n] == nil { throw APIError(.badRequest, "there is no relation proposal \(n)") }
        for n in cons where rv.concepts[n] == nil { throw APIError(.badRequest, "there is no concept candidate \(n)") }
        let accept = acceptArguments(mentions: mentions, relations: rels, concepts: cons)
        guard config.allowWrites else {
            throw APIError(.forbidden, "this server is read-only; start kg serve with --allow-writes to apply, or run: \(commandLine(rv, accept: accept))",
                           details: [("class", .string("ReadOnly")), ("command", .string(commandLine(rv, accept: accept)))])
        }
        let written: [String: Any] = try await Worker.run { [self] in
            try state.write {
                // The numbers must still mean what the page showed (the graph may have changed since).
                let check = try runLink(rv, extra: accept)
                let now = Self.proposalKeys(check)
                for n in rels where now.relations[n] != rv.relations[n] {
                    throw APIError(.conflict, "the graph changed since this review: proposal \(n) is now \(now.relations[n] ?? "gone"); review the text again")
                }
                for n in cons where now.concepts[n] != rv.concepts[n] {
                    throw APIError(.conflict, "the graph changed since this review: candidate \(n) is now \(now.concepts[n] ?? "gone"); review the text again")
                }
                return try runLink(rv, extra: ["--apply"] + accept)
            }
        }
        reviews.with { $0[rv.id] = nil }
        try? FileManager.default.removeItem(atPath: rv.folder)
        let snap = state.snapshot
        return .json(.object([
            ("status", .string(written["status"] as? String ?? "written")),
            ("file", .str(written["file"] as? String)),
            ("kg", .str(written["kg"] as? String)),
            ("reading", .str((written["reading"] as? [String: Any])?["id"] as? String)),
            ("generation", .int(snap.generation)), ("ok", .bool(snap.ok)),
            ("command", .string(commandLine(rv, accept: accept))),
        ]))
    }

    /// `POST /api/link/discard` `{"review"}`: forgets a review and its text.
    func linkDiscard(_ r: Request) throws -> Reply {
        let rv = try review(try JSONBody(r.body))
        reviews.with { $0[rv.id] = nil }
        try? FileManager.default.removeItem(atPath: rv.folder)
        return .json(.object([("discarded", .string(rv.id))]))
    }
}
