import Foundation
import KGCore

// Limits checked inside expression evaluation (the operators check their own): the time limit in
// every loop an expression runs (reduce, list and pattern comprehensions, quantifiers, range(),
// regular expressions), the memory budget before a value is built that would not fit (string and
// list concatenation, comprehension results, range(), split(), replace(), collected lists), and
// the nesting of values reduce() builds (a value nested tens of thousands deep would overflow the
// stack when it is printed, compared or freed).

extension ExecContext {
    /// Throws `ResourceLimit: MemoryLimitExceeded` when a value of `bytes` more would not fit in the
    /// budget next to what the statement holds. Nothing stays charged: the value is a temporary.
    @inline(__always)
    func checkAllocation(_ bytes: Int) throws {
        let m = limits.maxMemory ?? ExecContext.singleValueCap
        if memoryUsed &+ bytes > m { try memoryExceeded(m) }
    }

    /// Without a budget, no single value may grow past this (an allocation that large would abort
    /// the process instead of failing the query).
    static let singleValueCap = 16 << 30

    /// Bytes a value of `count` list elements takes, roughly (the element slots only).
    @inline(__always)
    static func listBytes(_ count: Int) -> Int { count &* MemoryLayout<QueryValue>.stride }

    /// Checks the size of `a + b` before it is built.
    @inline(__always)
    func checkConcatenation(_ a: QueryValue, _ b: QueryValue) throws {
        switch (a, b) {
        case (.string(let x), .string(let y)): try checkAllocation(x.utf8.count &+ y.utf8.count)
        case (.list(let x), .list(let y)): try checkAllocation(ExecContext.listBytes(x.count &+ y.count))
        case (.list(let x), _), (_, .list(let x)): try checkAllocation(ExecContext.listBytes(x.count &+ 1))
        case (.string(let x), _), (_, .string(let x)): try checkAllocation(x.utf8.count &+ 32)
        default: break
        }
    }
}

/// The deepest nesting of lists and maps a reduce() may build.
let maxValueNesting = 1000

/// Keeps the nesting depth of a reduce() accumulator known from one step to the next: the new
/// accumulator usually holds the old one, whose depth is remembered, so each step scans only what
/// it added.
struct NestingTracker {
    private var previous: QueryValue = .null
    private var previousDepth = 0

    /// The identity of a list's or map's storage (nil for other values and empty containers).
    private static func identity(_ v: QueryValue) -> UnsafeRawPointer? {
        switch v {
        case .list(let l): return l.isEmpty ? nil : l.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        case .map(let m): return m.entries.isEmpty ? nil : m.entries.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        default: return nil
        }
    }

    /// Records the new accumulator; throws when it nests deeper than `maxValueNesting`.
    mutating func update(_ v: QueryValue) throws {
        let prevID = NestingTracker.identity(previous)
        func depth(_ x: QueryValue, _ level: Int) throws -> Int {
            if level > maxValueNesting {
                throw CypherError(.limit, "NestingTooDeep", "reduce() built a value nested more than \(maxValueNesting) levels deep and was stopped")
            }
            if let p = prevID, NestingTracker.identity(x) == p { return previousDepth }
            switch x {
            case .list(let l):
                var d = 1
                for e in l {
                    switch e {
                    case .list, .map: d = max(d, 1 + (try depth(e, level + 1)))
                    default: continue
                    }
                }
                return d
            case .map(let m):
                var d = 1
                for e in m.entries {
                    switch e.value {
                    case .list, .map: d = max(d, 1 + (try depth(e.value, level + 1)))
                    default: continue
                    }
                }
                return d
            default: return 0
            }
        }
        let d = try depth(v, 1)
        if d > maxValueNesting {
            throw CypherError(.limit, "NestingTooDeep", "reduce() built a value nested more than \(maxValueNesting) levels deep and was stopped")
        }
        previous = v
        previousDepth = d
    }
}
