import Foundation

/// Line editing for `kg shell`, loaded at run time.
///
/// libedit (Debian's `libedit2`, present on most systems) is opened with `dlopen` when the shell
/// starts, so building kg needs no line-editor headers. When the library is missing the shell
/// falls back to a plain prompt and says so once.
final class LineEditor {
    private typealias ReadlineFn = @convention(c) (UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>?
    private typealias AddHistoryFn = @convention(c) (UnsafePointer<CChar>?) -> CInt
    private typealias HistoryFileFn = @convention(c) (UnsafePointer<CChar>?) -> CInt
    private typealias VoidFn = @convention(c) () -> Void

    private let readlineFn: ReadlineFn?
    private let addHistoryFn: AddHistoryFn?
    private let readHistoryFn: HistoryFileFn?
    private let writeHistoryFn: HistoryFileFn?

    /// The library candidates, most specific first.
    static let libraryNames = ["libedit.so.2", "libedit.so", "libedit.3.dylib", "libedit.dylib"]

    /// Why line editing is unavailable, or nil when libedit was loaded.
    let unavailableReason: String?

    init() {
        var handle: UnsafeMutableRawPointer?
        for name in Self.libraryNames {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { break }
        }
        func symbol<T>(_ name: String, _ type: T.Type) -> T? {
            guard let h = handle, let p = dlsym(h, name) else { return nil }
            return unsafeBitCast(p, to: type)
        }
        readlineFn = symbol("readline", ReadlineFn.self)
        addHistoryFn = symbol("add_history", AddHistoryFn.self)
        readHistoryFn = symbol("read_history", HistoryFileFn.self)
        writeHistoryFn = symbol("write_history", HistoryFileFn.self)
        if handle == nil {
            unavailableReason = "line editing is off: libedit was not found (Debian: apt-get install libedit2)"
        } else if readlineFn == nil {
            unavailableReason = "line editing is off: the libedit found has no readline()"
        } else {
            unavailableReason = nil
            symbol("using_history", VoidFn.self)?()
        }
    }

    var isAvailable: Bool { readlineFn != nil }

    /// Reads one line with the prompt; nil at end of input.
    func readLine(prompt: String) -> String? {
        guard let rl = readlineFn else {
            FileHandle.standardOutput.write(Data(prompt.utf8))
            return Swift.readLine(strippingNewline: true)
        }
        guard let p = prompt.withCString({ rl($0) }) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    func addHistory(_ line: String) { _ = line.withCString { addHistoryFn?($0) } }
    func readHistory(_ path: String) { _ = path.withCString { readHistoryFn?($0) } }
    func writeHistory(_ path: String) { _ = path.withCString { writeHistoryFn?($0) } }
}
