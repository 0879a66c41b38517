import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A test hook in the commit and recovery paths of `GraphTransaction` (and nowhere else): it lets
/// tests kill the process, or fail one system call, at an exact step of a save, as SQLite's crash
/// and I/O-error tests do through a test VFS.
///
/// Armed by the environment variable `KG_FAILPOINT=[recover.]OP:K[:ACTION][,…]`:
/// - `OP` is `write` (a whole file written: the journal or a new file), `fsync` (of a file or a
///   folder), `rename`, `unlink`, `mkdir`, or `step` (any of them);
/// - `K` counts the steps of that kind from 1 in one process;
/// - `ACTION` is `kill` (default: the step is done, then the process gets SIGKILL), `error` (the
///   step is not done and fails with EIO), or `torn` (for `write`: half the bytes are written and
///   flushed, then SIGKILL);
/// - the `recover.` prefix arms the hook in the recovery of an interrupted save instead of the commit.
///
/// `KG_FAILPOINT_TRACE=1` prints every step (`failpoint: commit rename 2 …`) to stderr, so a test
/// can count them. Unset, the hook costs one comparison per step.
enum Failpoint {
    enum Scope: String { case commit, recover }
    enum Op: String, CaseIterable { case write, fsync, rename, unlink, mkdir, step }
    enum Action: String { case kill, error, torn }

    struct Spec: Equatable {
        var scope: Scope
        var op: Op
        var k: Int
        var action: Action
    }

    static func parse(_ text: String) -> Spec? {
        var t = Substring(text)
        var scope = Scope.commit
        if t.hasPrefix("recover.") { scope = .recover; t = t.dropFirst("recover.".count) }
        let parts = t.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let op = Op(rawValue: String(parts[0])),
              let k = Int(parts[1]), k >= 1 else { return nil }
        let action = parts.count == 3 ? Action(rawValue: String(parts[2])) : .kill
        guard let action else { return nil }
        if action == .torn && op != .write && op != .step { return nil }
        return Spec(scope: scope, op: op, k: k, action: action)
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var specs: [Spec] = {
        let env = ProcessInfo.processInfo.environment
        guard let s = env["KG_FAILPOINT"], !s.isEmpty else { return [] }
        let parsed = s.split(separator: ",").map { parse(String($0)) }
        guard !parsed.contains(where: { $0 == nil }) else {
            let msg = "kg: warning: KG_FAILPOINT='\(s)' is not [recover.]OP:K[:ACTION][,…]; ignored\n"
            _ = msg.withCString { Foundation.write(2, $0, strlen($0)) }
            return []
        }
        return parsed.compactMap { $0 }
    }()
    nonisolated(unsafe) private static var trace: Bool = {
        let v = ProcessInfo.processInfo.environment["KG_FAILPOINT_TRACE"] ?? ""
        return !v.isEmpty && v != "0"
    }()
    nonisolated(unsafe) private static var counts: [String: Int] = [:]
    /// Set by `arm`: only this thread's steps are counted (tests run in parallel in one process).
    nonisolated(unsafe) private static var armedThread: pthread_t? = nil

    /// For in-process tests: arms the hook for the calling thread only (nil disarms it) and resets
    /// the counters.
    static func arm(_ s: Spec?...) {
        lock.lock(); defer { lock.unlock() }
        specs = s.compactMap { $0 }
        armedThread = specs.isEmpty ? nil : pthread_self()
        counts = [:]
        fired = false
    }

    /// Counts one step of `op` in `scope` and returns the action to take if this is the armed step.
    /// Called just before the step; the caller does the step, then calls `after(_:)` with the action.
    static func reach(_ op: Op, _ scope: Scope, _ detail: @autoclosure () -> String) -> Action? {
        lock.lock(); defer { lock.unlock() }
        guard !specs.isEmpty || trace else { return nil }
        if let t = armedThread, pthread_equal(t, pthread_self()) == 0 { return nil }
        let key = scope.rawValue + "." + op.rawValue
        let n = (counts[key] ?? 0) + 1
        counts[key] = n
        let stepKey = scope.rawValue + ".step"
        let sn = (counts[stepKey] ?? 0) + 1
        counts[stepKey] = sn
        if trace {
            let msg = "failpoint: \(scope.rawValue) \(op.rawValue) \(n) (step \(sn)): \(detail())\n"
            _ = msg.withCString { Foundation.write(2, $0, strlen($0)) }
        }
        var action: Action? = nil
        for s in specs where s.scope == scope {
            if s.op == op && s.k == n { action = s.action }
            if s.op == .step && s.k == sn { action = s.action == .torn && op != .write ? .kill : s.action }
        }
        if let a = action {
            fired = true
            let msg = "failpoint: \(a.rawValue) at \(scope.rawValue) \(op.rawValue) \(n) (step \(sn)): \(detail())\n"
            _ = msg.withCString { Foundation.write(2, $0, strlen($0)) }
        }
        return action
    }

    /// Whether the armed step was reached since `arm` (for in-process tests).
    nonisolated(unsafe) static var fired = false

    /// Ends the process the way a power cut or `kill -9` would: no cleanup, no buffered output.
    static func crash() -> Never {
        kill(getpid(), SIGKILL)
        _exit(137)
    }
}
