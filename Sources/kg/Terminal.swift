import Foundation

/// Terminal facts for the CLI: whether to colour output, and printing to stderr.
enum Terminal {
    /// Colour only when the stream is a terminal and `NO_COLOR` is unset (https://no-color.org).
    static func colorEnabled(fd: Int32) -> Bool {
        if let v = ProcessInfo.processInfo.environment["NO_COLOR"], !v.isEmpty { return false }
        return isatty(fd) != 0
    }
    static var stdoutColor: Bool { colorEnabled(fd: STDOUT_FILENO) }
    static var stderrColor: Bool { colorEnabled(fd: STDERR_FILENO) }

    /// ANSI styling when `on`.
    static func style(_ s: String, _ code: String, on: Bool) -> String { on ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
}

/// Prints to standard error.
func eprint(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let s = items.map { "\($0)" }.joined(separator: separator) + terminator
    FileHandle.standardError.write(Data(s.utf8))
}

/// Writes to standard output without going through `print`'s buffering per call (fast for large outputs).
func writeStdout(_ s: String) {
    FileHandle.standardOutput.write(Data(s.utf8))
}
