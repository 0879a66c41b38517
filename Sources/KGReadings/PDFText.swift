import Foundation

/// The text of a PDF, through poppler's `pdftotext` (package poppler-utils), run as a separate
/// process with a time limit. Words hyphenated across a line end are joined again.
public enum PDFText {
    public enum Failure: Error, Equatable {
        case missingTool
        case failed(String)
        case timedOut(Double)
        case tooLarge(Int)
    }

    /// The `pdftotext` on PATH (or `KG_PDFTOTEXT`), if any.
    public static var tool: String? {
        let env = ProcessInfo.processInfo.environment
        if let t = env["KG_PDFTOTEXT"], !t.isEmpty { return FileManager.default.isExecutableFile(atPath: t) ? t : nil }
        for dir in (env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let p = String(dir) + "/pdftotext"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Extracts the text of the PDF at `path` (a regular file already checked by the caller).
    public static func extract(path: String, timeout: Double, maxBytes: Int) throws -> String {
        guard let tool else { throw Failure.missingTool }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-q", "-enc", "UTF-8", "-nopgbrk", "--", path, "-"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C.UTF-8"
        p.environment = env
        try p.run()
        // Read both pipes while the process runs (a full pipe would block it).
        let box = Collected(limit: maxBytes)
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            let h = out.fileHandleForReading
            while true {
                let chunk = h.availableData
                if chunk.isEmpty { break }
                box.add(chunk)
            }
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            box.setError(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let deadline = timeout > 0 ? Date().addingTimeInterval(timeout) : Date.distantFuture
        while p.isRunning {
            if box.overflow || Date() > deadline {
                p.terminate()
                p.waitUntilExit()
                _ = group.wait(timeout: .now() + 2)
                if box.overflow { throw Failure.tooLarge(maxBytes) }
                throw Failure.timedOut(timeout)
            }
            usleep(10_000)
        }
        p.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        if box.overflow { throw Failure.tooLarge(maxBytes) }
        guard p.terminationStatus == 0 else {
            let msg = String(decoding: box.error, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "exit status \(p.terminationStatus)"
            throw Failure.failed(msg)
        }
        let data = box.data
        return dehyphenate(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\u{0C}", with: "\n"))
    }

    /// Output of the converter, filled from two reading threads.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var _data = Data(), _error = Data(), _overflow = false
        let limit: Int
        init(limit: Int) { self.limit = limit }
        func add(_ d: Data) { lock.lock(); if _data.count + d.count > limit { _overflow = true } else { _data.append(d) }; lock.unlock() }
        func setError(_ d: Data) { lock.lock(); _error = d; lock.unlock() }
        var data: Data { lock.lock(); defer { lock.unlock() }; return _data }
        var error: Data { lock.lock(); defer { lock.unlock() }; return _error }
        var overflow: Bool { lock.lock(); defer { lock.unlock() }; return _overflow }
    }

    /// Joins a word split by a hyphen at a line end ("deploy-\nment" → "deployment\n"), keeping
    /// the line count: the rest of the word moves up, the line break stays after it.
    static func dehyphenate(_ s: String) -> String {
        var lines = s.components(separatedBy: "\n")
        var i = 0
        while i + 1 < lines.count {
            let l = lines[i]
            if l.count >= 3, l.hasSuffix("-"), let before = l.dropLast().last, before.isLowercase,
               let next = lines[i + 1].first, next.isLowercase {
                let rest = lines[i + 1]
                let wordEnd = rest.firstIndex(where: { $0 == " " }) ?? rest.endIndex
                lines[i] = String(l.dropLast()) + rest[..<wordEnd]
                lines[i + 1] = String(rest[wordEnd...]).trimmingCharacters(in: .whitespaces)
            }
            i += 1
        }
        return lines.joined(separator: "\n")
    }
}
