import KGCore

/// A place in a .kg file: 1-based line and column (column counted in Unicode scalars).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

/// An error or warning about the input, with the place it points at.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable {
        case warning, error
        public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
    }
    public var severity: Severity
    public var message: String
    public var file: String
    /// 1-based; 0 when the diagnostic is about a whole file or folder.
    public var line: Int
    public var column: Int
    /// The text of the line the diagnostic points at (without its line break), or "".
    public var sourceLine: String
    /// Replacement the user probably meant, shown as `note: did you mean '…'?`.
    public var suggestion: String?
    /// Further explanation, shown as `note: …`.
    public var notes: [String]
    /// Short machine-readable rule name (`unknown-kind`, `orphan-concept`, …).
    public var code: String

    public init(_ severity: Severity, _ message: String, file: String, line: Int = 0, column: Int = 0,
                sourceLine: String = "", suggestion: String? = nil, notes: [String] = [], code: String = "syntax") {
        self.severity = severity
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.sourceLine = sourceLine
        self.suggestion = suggestion
        self.notes = notes
        self.code = code
    }

    public var isError: Bool { severity == .error }
    public var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    /// `file:line:col: error: message`.
    public var description: String { rendered(color: false) }

    /// The diagnostic as a compiler prints it: a header line, the source line and a caret under the
    /// column, then notes. With `color`, ANSI bold/red/yellow/green highlight the parts.
    public func rendered(color: Bool) -> String {
        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        var place = file
        if line > 0 { place += ":\(line):\(column)" }
        let sev = severity == .error ? paint("error:", "1;31") : paint("warning:", "1;35")
        var out = paint(place + ":", "1") + " " + sev + " " + paint(message, "1")
        if line > 0, !sourceLine.isEmpty {
            let shown = sourceLine.replacingTabs()
            out += "\n" + shown
            var caret = ""
            var col = 1
            for ch in sourceLine.unicodeScalars {
                if col >= column { break }
                caret += ch == "\t" ? " " : " "
                col += 1
            }
            out += "\n" + caret + paint("^", "1;32")
        }
        for n in notes { out += "\n" + paint("note:", "1;36") + " " + n }
        if let s = suggestion { out += "\n" + paint("note:", "1;36") + " did you mean '\(s)'?" }
        return out
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        var s = ""
        for u in unicodeScalars { s.unicodeScalars.append(u == "\t" ? " " : u) }
        return s
    }
}

