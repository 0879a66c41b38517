import Foundation
import KGCore

public typealias Row = [QueryValue]
typealias Eval = (Row, ExecContext) throws -> QueryValue

/// Limits that stop runaway queries.
public struct QueryLimits: Sendable {
    /// Wall-clock limit in seconds (nil: none).
    public var timeout: Double?
    /// Maximum number of intermediate rows one operator may buffer (sorting, aggregation,
    /// the matches of one start node), and the maximum number of result rows.
    public var maxRows: Int
    /// Memory budget of one statement in bytes (nil: none): what it holds at once — buffered rows,
    /// collected lists, strings it builds — estimated, and charged through `ExecContext.charge`.
    public var maxMemory: Int?
    public init(timeout: Double? = nil, maxRows: Int = 10_000_000, maxMemory: Int? = nil) {
        self.timeout = timeout
        self.maxRows = maxRows
        self.maxMemory = maxMemory
    }

    /// `1 GiB`, `64 MiB`, `512 KiB`, `100 bytes`: a memory size as messages show it.
    static func bytes(_ n: Int) -> String {
        for (unit, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where n >= size {
            let v = Double(n) / Double(size)
            return (v == v.rounded() ? "\(Int(v))" : String(format: "%.1f", v)) + " " + unit
        }
        return "\(n) bytes"
    }

    /// `5 s`, `0.5 s`: a time limit as messages show it.
    static func seconds(_ t: Double) -> String {
        t == t.rounded() && abs(t) < 1e15 ? "\(Int(t)) s" : "\(t) s"
    }
}

/// State shared by the operators of one statement.
final class ExecContext {
    let graph: Graph
    let params: [String: QueryValue]
    let deadline: UInt64?
    let limits: QueryLimits
    var ticks = 0
    var deletedNodes = Set<NodeID>()
    var deletedRels = Set<EdgeID>()
    var regexCache: [String: NSRegularExpression] = [:]
    /// Per wanted label: whether a stored label symbol satisfies it (parent kinds included).
    var labelCache: [String: [Symbol: Bool]] = [:]

    /// `Graph.hasLabel` with the schema's kind lineage cached per stored label.
    @inline(__always)
    func hasLabel(_ n: NodeID, _ label: String) -> Bool {
        let own = graph.nodeLabels[n.index]
        if own.isEmpty { return false }
        for s in own {
            if let hit = labelCache[label]?[s] {
                if hit { return true }
                continue
            }
            let name = graph.strings[s]
            let hit = name == label || (!graph.schema.kinds.isEmpty && graph.schema.isKind(name, a: label))
            labelCache[label, default: [:]][s] = hit
            if hit { return true }
        }
        return false
    }

    /// The statement clock: when the statement started (seconds and nanoseconds since the epoch).
    /// `date()`, `datetime.statement()` and `datetime.transaction()` read it, so every call in one
    /// statement sees the same time (a statement is its own transaction).
    let statementTime: (seconds: Int64, nanos: Int64)

    /// The wall clock now (for `datetime.realtime()`).
    static func wallClock() -> (seconds: Int64, nanos: Int64) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int64(ts.tv_sec), Int64(ts.tv_nsec))
    }

    init(graph: Graph, params: [String: QueryValue], limits: QueryLimits) {
        self.graph = graph
        self.params = params
        self.limits = limits
        statementTime = ExecContext.wallClock()
        if let t = limits.timeout { deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, t) * 1e9) } else { deadline = nil }
    }

    @inline(__always)
    func tick() throws {
        ticks &+= 1
        if ticks & 0xFFF == 0, pastDeadline { throw timeoutError() }
    }

    /// Whether the time limit has passed.
    var pastDeadline: Bool {
        guard let d = deadline else { return false }
        return DispatchTime.now().uptimeNanoseconds > d
    }

    func timeoutError() -> CypherError {
        CypherError(.timeout, "", "the query ran longer than the time limit of \(QueryLimits.seconds(limits.timeout ?? 0)) and was stopped (raise it with --timeout, or --timeout 0 for none)")
    }

    /// Bytes charged against `limits.maxMemory` so far (see `charge`).
    private(set) var memoryUsed = 0

    /// Charges `bytes` of memory the statement is about to hold; throws a `ResourceLimit:
    /// MemoryLimitExceeded` error when the budget would be exceeded. Pair with `release` when an
    /// operator lets go of what it held.
    @inline(__always)
    func charge(_ bytes: Int) throws {
        memoryUsed &+= bytes
        if let m = limits.maxMemory, memoryUsed > m { try memoryExceeded(m) }
    }

    @inline(__always)
    func release(_ bytes: Int) { memoryUsed = max(0, memoryUsed &- bytes) }

    @inline(never)
    func memoryExceeded(_ m: Int) throws -> Never {
        throw CypherError(.limit, "MemoryLimitExceeded",
                          "the query needed more than its memory limit of \(QueryLimits.bytes(m)) and was stopped (raise it with --max-memory)")
    }

    func checkRows(_ n: Int) throws {
        if n > limits.maxRows {
            throw CypherError(.limit, "", "the query would hold more than \(limits.maxRows) rows at once and was stopped (raise the limit with --max-rows)")
        }
    }
}

enum VarKind: Equatable { case node, rel, relList, path, value }

/// Variables visible at one point of a query: name → row slot.
struct Scope {
    var slots: [String: Int] = [:]
    var kinds: [String: VarKind] = [:]
    /// User-visible names in the order they were introduced (for `*`).
    var order: [String] = []
    var width = 0
    /// Statically known value types of variables (e.g. `WITH 1 AS x`).
    var types: [String: String] = [:]

    mutating func add(_ name: String, _ kind: VarKind, hidden: Bool = false) -> Int {
        let s = width
        width += 1
        slots[name] = s
        kinds[name] = kind
        types[name] = nil
        if !hidden { order.removeAll { $0 == name }; order.append(name) }
        return s
    }

    mutating func addHidden() -> Int {
        let s = width
        width += 1
        return s
    }

    func has(_ name: String) -> Bool { slots[name] != nil }
}
