import Foundation

/// Progress of long work, drawn on standard error as one line that redraws itself:
/// `loading  [########------------]  41%  412,000/1,000,000 edges  380k/s`.
///
/// One reporter serves every command (load, cache build, export, import, link, layout). It draws
/// only on a terminal: nothing when standard error is not a TTY, when `NO_COLOR` or `CI` is set,
/// or when `KG_PROGRESS=0`. Nothing is drawn for work that ends within `delay` seconds, so quick
/// commands stay quiet. It is safe to advance from several threads.
public final class ProgressReporter: @unchecked Sendable {
    /// Whether progress lines may be drawn in this process (a TTY, no NO_COLOR, no CI).
    public static let isEnabled: Bool = {
        let env = ProcessInfo.processInfo.environment
        if let v = env["KG_PROGRESS"] { return v != "0" && isatty(STDERR_FILENO) != 0 }
        if let v = env["NO_COLOR"], !v.isEmpty { return false }
        if env["CI"] != nil { return false }
        return isatty(STDERR_FILENO) != 0
    }()

    public let label: String
    public let unit: String
    private var total: Int?
    private var done = 0
    private let start: UInt64
    private var lastDraw: UInt64 = 0
    private var drawn = false
    private var finished = false
    private let lock = NSLock()
    private let enabled: Bool
    private let delayNanos: UInt64
    private let write: (String) -> Void

    /// - Parameters:
    ///   - label: what is being done ("loading", "layout").
    ///   - total: the count when done, if known (a bar and a percentage are drawn then).
    ///   - unit: what is counted ("edges", "bytes", "nodes"); `bytes` are shown as MB.
    ///   - delay: seconds of silence before the first line (default 0.5).
    ///   - enabled: overrides `isEnabled` (tests pass true with their own `write`).
    ///   - write: where the lines go (default: standard error).
    public init(_ label: String, total: Int? = nil, unit: String = "", delay: Double = 0.5,
                enabled: Bool? = nil, write: ((String) -> Void)? = nil) {
        self.label = label
        self.total = total
        self.unit = unit
        self.enabled = enabled ?? Self.isEnabled
        self.delayNanos = UInt64(max(0, delay) * 1e9)
        self.start = DispatchTime.now().uptimeNanoseconds
        self.write = write ?? { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// Adds `n` to the count done.
    public func advance(_ n: Int = 1) {
        guard enabled else { return }
        lock.lock()
        done += n
        drawIfDue()
        lock.unlock()
    }

    /// Sets the count done.
    public func update(_ value: Int, total newTotal: Int? = nil) {
        guard enabled else { return }
        lock.lock()
        done = value
        if let t = newTotal { total = t }
        drawIfDue()
        lock.unlock()
    }

    /// Clears the line (if one was drawn). Further calls do nothing.
    public func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        if drawn { write("\r\u{1B}[K") }
    }

    deinit { finish() }

    private func drawIfDue() {
        guard !finished else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start >= delayNanos, now - lastDraw >= 100_000_000 else { return }
        lastDraw = now
        drawn = true
        write("\r\u{1B}[K" + Self.line(label: label, done: done, total: total, unit: unit,
                                         seconds: Double(now - start) / 1e9))
    }

    /// The text of one progress line (without the carriage return).
    public static func line(label: String, done: Int, total: Int?, unit: String, seconds: Double) -> String {
        var s = label
        if let t = total, t > 0 {
            let frac = min(1, max(0, Double(done) / Double(t)))
            let width = 20
            let full = Int(frac * Double(width))
            s += "  [" + String(repeating: "#", count: full) + String(repeating: "-", count: width - full) + "]"
            s += "  " + String(format: "%3d%%", Int(frac * 100))
            s += "  " + count(done, unit) + "/" + count(t, unit)
        } else {
            s += "  " + count(done, unit)
        }
        if !unit.isEmpty || total == nil { s += unit == "bytes" ? "" : (unit.isEmpty ? "" : " " + unit) }
        if seconds > 0 {
            let rate = Double(done) / seconds
            s += "  " + (unit == "bytes" ? String(format: "%.1f MB/s", rate / 1e6) : short(rate) + "/s")
        }
        return s
    }

    static func count(_ n: Int, _ unit: String) -> String {
        if unit == "bytes" { return String(format: "%.1f MB", Double(n) / 1e6) }
        return grouped(n)
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func short(_ v: Double) -> String {
        if v >= 1e6 { return String(format: "%.1fM", v / 1e6) }
        if v >= 1e3 { return String(format: "%.0fk", v / 1e3) }
        return String(format: "%.0f", v)
    }
}
