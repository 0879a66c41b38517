import Foundation
import KGCore

/// A pull-based operator: each call to `next` produces one row or nil at the end.
class Op {
    var describe: String { "Op" }
    var input: Op?
    init(_ input: Op?) { self.input = input }
    func next(_ ctx: ExecContext) throws -> Row? { nil }
    func explain(_ depth: Int = 0) -> [String] {
        [String(repeating: "  ", count: depth) + describe] + (input?.explain(depth + 1) ?? [])
    }
}

/// Yields a single empty row.
final class UnitOp: Op {
    var done = false
    override var describe: String { "Start" }
    init() { super.init(nil) }
    override func next(_ ctx: ExecContext) throws -> Row? {
        if done { return nil }
        done = true
        return []
    }
}

final class MatchOp: Op {
    let matcher: Matcher
    let optional: Bool
    let newSlots: [Int]
    var buffer: [Row] = []
    var bufPos = 0
    var current: Row? = nil
    var candidates: [Int32]? = nil
    var candPos = 0
    var matchedCurrent = false
    /// Bytes of the buffered matches charged to the statement's memory budget.
    var bufferedBytes = 0

    init(_ input: Op, _ m: Matcher, optional: Bool, newSlots: [Int]) {
        matcher = m
        self.optional = optional
        self.newSlots = newSlots
        super.init(input)
    }
    override var describe: String {
        var s = optional ? "OptionalMatch " : "Match "
        if let p = matcher.parts.first {
            if p.shortest != nil { s += "(shortest path) " }
            else if let n = p.nodes.first {
                if !n.isNew { s += "(expand from bound node) " }
                else if n.exactNameHint != nil || n.nameHint != nil { s += "(name index lookup) " }
                else if !n.labels.isEmpty { s += "(label scan :\(n.labels.joined(separator: ":"))) " }
                else { s += "(all nodes scan) " }
            }
        }
        return s + matcher.description
    }

    override func next(_ ctx: ExecContext) throws -> Row? {
        while true {
            if bufPos < buffer.count {
                let r = buffer[bufPos]
                bufPos += 1
                return r
            }
            buffer.removeAll(keepingCapacity: true)
            ctx.release(bufferedBytes)
            bufferedBytes = 0
            bufPos = 0
            if let cur = current, let cands = candidates, candPos < cands.count {
                let c = cands[candPos]
                candPos += 1
                try ctx.tick()
                try matcher.forEach(start: c, cur, ctx) { row in
                    let b = rowBytes(row)
                    try ctx.charge(b)
                    bufferedBytes += b
                    buffer.append(row)
                    if buffer.count > ctx.limits.maxRows { try ctx.checkRows(buffer.count) }
                    return true
                }
                if !buffer.isEmpty { matchedCurrent = true }
                continue
            }
            if let cur = current {
                current = nil
                if optional && !matchedCurrent {
                    var r = matcher.padded(cur)
                    for s in newSlots { r[s] = .null }
                    return r
                }
            }
            guard let row = try input!.next(ctx) else { return nil }
            let r = matcher.padded(row)
            matchedCurrent = false
            if let cands = try matcher.firstCandidates(r, ctx) {
                current = r
                candidates = cands
                candPos = 0
            } else {
                current = r
                candidates = []
                candPos = 0
                try matcher.forEach(r, ctx) { row in
                    let b = rowBytes(row)
                    try ctx.charge(b)
                    bufferedBytes += b
                    buffer.append(row)
                    if buffer.count > ctx.limits.maxRows { try ctx.checkRows(buffer.count) }
                    return true
                }
                if !buffer.isEmpty { matchedCurrent = true }
            }
        }
    }
}

/// Drops rows in which one relationship is bound twice (openCypher's relationship uniqueness
/// within one MATCH, checked across pattern parts that were matched separately).
final class DistinctRelationshipsOp: Op {
    let slots: [Int]
    init(_ input: Op, _ slots: [Int]) { self.slots = slots; super.init(input) }
    override var describe: String { "RelationshipUniqueness" }
    override func next(_ ctx: ExecContext) throws -> Row? {
        rows: while let r = try input!.next(ctx) {
            try ctx.tick()
            var seen: [EdgeID] = []
            for s in slots {
                switch r[s] {
                case .relationship(let e):
                    if seen.contains(e) { continue rows }
                    seen.append(e)
                case .list(let l):
                    for case .relationship(let e) in l {
                        if seen.contains(e) { continue rows }
                        seen.append(e)
                    }
                default: break
                }
            }
            return r
        }
        return nil
    }
}

final class FilterOp: Op {
    let pred: Eval
    let text: String
    init(_ input: Op, _ pred: @escaping Eval, _ text: String) { self.pred = pred; self.text = text; super.init(input) }
    override var describe: String { "Filter \(text)" }
    override func next(_ ctx: ExecContext) throws -> Row? {
        while let r = try input!.next(ctx) {
            try ctx.tick()
            if case .bool(true) = try pred(r, ctx) { return r }
        }
        return nil
    }
}

final class UnwindOp: Op {
    let list: Eval
    let slot: Int
    var items: [QueryValue] = []
    var pos = 0
    var row: Row = []
    init(_ input: Op, _ list: @escaping Eval, _ slot: Int) { self.list = list; self.slot = slot; super.init(input) }
    override var describe: String { "Unwind" }
    override func next(_ ctx: ExecContext) throws -> Row? {
        while true {
            if pos < items.count {
                try ctx.tick()
                var r = row
                while r.count <= slot { r.append(.null) }
                r[slot] = items[pos]
                pos += 1
                return r
            }
            guard let r = try input!.next(ctx) else { return nil }
            row = r
            pos = 0
            switch try list(r, ctx) {
            case .list(let l): items = l
            case .null: items = []
            case let v: items = [v]
            }
        }
    }
}

/// Evaluates expressions into slots of a (possibly wider) row.
final class ExtendOp: Op {
    let evals: [(Int, Eval)]
    let width: Int
    init(_ input: Op, _ evals: [(Int, Eval)], width: Int) { self.evals = evals; self.width = width; super.init(input) }
    override var describe: String { "Project" }
    override func next(_ ctx: ExecContext) throws -> Row? {
        guard var r = try input!.next(ctx) else { return nil }
        try ctx.tick()
        let src = r
        while r.count < width { r.append(.null) }
        for (s, e) in evals { r[s] = try e(src, ctx) }
        return r
    }
}

/// Keeps the given slots, in order.
final class SelectOp: Op {
    let slots: [Int]
    init(_ input: Op, _ slots: [Int]) { self.slots = slots; super.init(input) }
    override var describe: String { "Select" }
    override func next(_ ctx: ExecContext) throws -> Row? {
        guard let r = try input!.next(ctx) else { return nil }
        return slots.map { $0 < r.count ? r[$0] : .null }
    }
}

final class DistinctOp: Op {
    let slots: [Int]
    var seen = Set<GroupKey>()
    /// Node ids already seen, when the only key is a node (a bitmap instead of hashing values).
    var seenNodes: [UInt64] = []
    init(_ input: Op, _ slots: [Int]) { self.slots = slots; super.init(input) }
    override var describe: String { "Distinct" }
    override func next(_ ctx: ExecContext) throws -> Row? {
        while let r = try input!.next(ctx) {
            try ctx.tick()
            if slots.count == 1, slots[0] < r.count, case .node(let n) = r[slots[0]] {
                let w = n.index >> 6, b = UInt64(1) << UInt64(n.index & 63)
                if w >= seenNodes.count {
                    let grow = max(w + 1, (ctx.graph.nodeCapacity + 63) / 64) - seenNodes.count
                    try ctx.charge(grow * 8)
                    seenNodes.append(contentsOf: repeatElement(0, count: grow))
                }
                if seenNodes[w] & b != 0 { continue }
                seenNodes[w] |= b
                return r
            }
            let key = GroupKey(.list(slots.map { $0 < r.count ? r[$0] : .null }))
            if seen.insert(key).inserted {
                try ctx.charge(key.value.estimatedBytes + 16)
                try ctx.checkRows(seen.count)
                return r
            }
        }
        return nil
    }
}

final class SortOp: Op {
    let keys: [(Eval, Bool)]
    let limitHint: Eval?
    var rows: [Row]? = nil
    var pos = 0
    init(_ input: Op, _ keys: [(Eval, Bool)], limitHint: Eval?) { self.keys = keys; self.limitHint = limitHint; super.init(input) }
    override var describe: String { "Sort (\(keys.count) key\(keys.count == 1 ? "" : "s"))" + (limitHint != nil ? " top-k" : "") }
    override func next(_ ctx: ExecContext) throws -> Row? {
        if rows == nil {
            var all: [(Row, [QueryValue])] = []
            while let r = try input!.next(ctx) {
                let k = try keys.map { try $0.0(r, ctx) }
                try ctx.charge(rowBytes(r) + rowBytes(k))
                all.append((r, k))
                if all.count > ctx.limits.maxRows { try ctx.checkRows(all.count) }
            }
            let dirs = keys.map(\.1)
            try all.sort { a, b in
                try ctx.tick()
                for (i, asc) in dirs.enumerated() {
                    let c = QueryValue.orderCompare(a.1[i], b.1[i])
                    if c != 0 { return asc ? c < 0 : c > 0 }
                }
                return false
            }
            for (_, k) in all { ctx.release(rowBytes(k)) }
            rows = all.map(\.0)
        }
        guard pos < rows!.count else { return nil }
        pos += 1
        // The row leaves this buffer.
        ctx.release(rowBytes(rows![pos - 1]))
        return rows![pos - 1]
    }
}

func constantCount(_ e: Eval, _ ctx: ExecContext, _ what: String) throws -> Int {
    let v = try e([], ctx)
    switch v {
    case .int(let i):
        if i < 0 { throw CypherError(.syntax, "NegativeIntegerArgument", "\(what) must not be negative, got \(i)") }
        return Int(min(i, Int64(Int.max / 2)))
    case .float(let d) where d == d.rounded() && d >= 0:
        throw CypherError(.syntax, "InvalidArgumentType", "\(what) must be an integer, got \(QueryValue.formatFloat(d))")
    default:
        throw CypherError(.syntax, "InvalidArgumentType", "\(what) must be an integer, got \(v.typeName)")
    }
}

final class SkipOp: Op {
    let count: Eval
    var skipped = false
    init(_ input: Op, _ count: @escaping Eval) { self.count = count; super.init(input) }
    override var describe: String { "Skip" }
    override func next(_ ctx: ExecContext) throws -> Row? {
        if !skipped {
            skipped = true
            let n = try constantCount(count, ctx, "SKIP")
            for _ in 0..<n { if try input!.next(ctx) == nil { return nil } }
        }
        return try input!.next(ctx)
    }
}

final class LimitOp: Op {
    let count: Eval
    var remaining: Int? = nil
    init(_ input: Op, _ count: @escaping Eval) { self.count = count; super.init(input) }
    override var describe: String { "Limit" }
    override func next(_ ctx: ExecContext) throws -> Row? {
        if remaining == nil {
            remaining = try constantCount(count, ctx, "LIMIT")
            // Pull once even for LIMIT 0 so that eager updates below still happen.
            if remaining == 0 { _ = try input!.next(ctx) }
        }
        if remaining! <= 0 { return nil }
        remaining! -= 1
        return try input!.next(ctx)
    }
}

enum AggKind { case count, countStar, collect, sum, avg, min, max, stdev, stdevp, percentileCont, percentileDisc }

struct AggSpec {
    var kind: AggKind
    var distinct: Bool
    var arg: Eval?
    var arg2: Eval?
}

/// Accumulates one aggregate over a group.
struct AggState {
    var count: Int64 = 0
    var values: [QueryValue] = []
    var seen: Set<GroupKey>? = nil
    var isum: Int64 = 0
    var fsum: Double = 0
    var sawFloat = false
    /// The running sum of durations (sum and avg over durations; nil until one is seen).
    var dsum: TemporalDuration? = nil
    var best: QueryValue = .null
    var param: QueryValue = .null

    mutating func add(_ spec: AggSpec, _ v: QueryValue) throws {
        if spec.kind == .countStar { count += 1; return }
        if v.isNull { return }
        if spec.distinct {
            if seen == nil { seen = [] }
            if !seen!.insert(GroupKey(v)).inserted { return }
        }
        switch spec.kind {
        case .count: count += 1
        case .collect, .stdev, .stdevp, .percentileCont, .percentileDisc:
            if spec.kind != .collect && v.numeric == nil { throw typeError("aggregate needs numbers, got \(v.typeName)") }
            values.append(v)
        case .sum, .avg:
            let name = spec.kind == .sum ? "sum" : "avg"
            if case .temporal(.duration(let d)) = v {
                guard count == 0 || dsum != nil else { throw typeError("\(name) cannot mix numbers and durations") }
                dsum = try checked { try (dsum ?? .zero).adding(d) }
                count += 1
                return
            }
            if dsum != nil { throw typeError("\(name) cannot mix durations and \(v.typeName)") }
            switch v {
            case .int(let i):
                if !sawFloat {
                    let (s, o) = isum.addingReportingOverflow(i)
                    if o { throw Compiler.overflow() }
                    isum = s
                } else { fsum += Double(i) }
            case .float(let d):
                if !sawFloat { sawFloat = true; fsum = Double(isum) }
                fsum += d
            default: throw typeError("\(name) needs numbers or durations, got \(v.typeName)")
            }
            count += 1
        case .min:
            if best.isNull || QueryValue.orderCompare(v, best) < 0 { best = v }
        case .max:
            if best.isNull || QueryValue.orderCompare(v, best) > 0 { best = v }
        case .countStar: break
        }
    }

    func result(_ spec: AggSpec) throws -> QueryValue {
        switch spec.kind {
        case .count, .countStar: return .int(count)
        case .collect: return .list(values)
        case .sum:
            if let d = dsum { return .temporal(.duration(d)) }
            return sawFloat ? .float(fsum) : .int(isum)
        case .avg:
            if count == 0 { return .null }
            if let d = dsum { return .temporal(.duration(try checked { try d.divided(by: Decimal(count)) })) }
            return .float((sawFloat ? fsum : Double(isum)) / Double(count))
        case .min, .max: return best
        case .stdev, .stdevp:
            let xs = values.map { $0.numeric! }
            let n = Double(xs.count)
            if xs.count < (spec.kind == .stdev ? 2 : 1) { return .float(0) }
            let mean = xs.reduce(0, +) / n
            let ss = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            return .float((ss / (spec.kind == .stdev ? n - 1 : n)).squareRoot())
        case .percentileCont, .percentileDisc:
            if values.isEmpty { return .null }
            guard let p = param.numeric else { throw typeError("percentile must be a number") }
            if p < 0 || p > 1 { throw CypherError(.argument, "NumberOutOfRange", "percentile must be between 0.0 and 1.0, got \(p)") }
            let sorted = values.sorted { QueryValue.orderCompare($0, $1) < 0 }
            if spec.kind == .percentileDisc {
                let n = Double(sorted.count)
                let idx = p == 0 ? 0 : Int((p * n).rounded(.up)) - 1
                return sorted[max(0, min(sorted.count - 1, idx))]
            }
            let pos = p * Double(sorted.count - 1)
            let lo = Int(pos.rounded(.down)), hi = Int(pos.rounded(.up))
            let a = sorted[lo].numeric!, b = sorted[hi].numeric!
            return .float(a + (b - a) * (pos - Double(lo)))
        }
    }
}

final class AggregateOp: Op {
    let keys: [Eval]
    let specs: [AggSpec]
    /// Slot where each aggregate result is placed in the representative row.
    let aggBase: Int
    let items: [Eval]
    let itemIsKey: [Int?]
    var out: [Row]? = nil
    var pos = 0
    init(_ input: Op, keys: [Eval], specs: [AggSpec], aggBase: Int, items: [Eval], itemIsKey: [Int?]) {
        self.keys = keys; self.specs = specs; self.aggBase = aggBase; self.items = items; self.itemIsKey = itemIsKey
        super.init(input)
    }
    override var describe: String {
        if countsMatchesDirectly { return "CountMatches (count(*) pushed into the match, no rows materialised)" }
        return "Aggregate (\(keys.count) grouping key\(keys.count == 1 ? "" : "s"), \(specs.count) aggregate\(specs.count == 1 ? "" : "s"))"
    }

    /// `MATCH … RETURN count(*)`: count the matches as they are found instead of building rows.
    var countsMatchesDirectly: Bool {
        guard keys.isEmpty, !specs.isEmpty, specs.allSatisfy({ $0.kind == .countStar }), let m = input as? MatchOp, !m.optional else { return false }
        return true
    }

    override func next(_ ctx: ExecContext) throws -> Row? {
        if out == nil, countsMatchesDirectly, let m = input as? MatchOp {
            var n: Int64 = 0
            while let r = try m.input!.next(ctx) {
                try m.matcher.forEach(r, ctx) { _ in
                    try ctx.tick()
                    n += 1
                    return true
                }
            }
            var rep = Row(repeating: .null, count: aggBase + specs.count)
            for j in specs.indices { rep[aggBase + j] = .int(n) }
            out = [try items.map { try $0(rep, ctx) }]
        }
        if out == nil {
            var index: [GroupKey: Int] = [:]
            var groups: [(rep: Row, keyVals: [QueryValue], states: [AggState])] = []
            func consume(_ r: Row) throws {
                try ctx.tick()
                var gi: Int
                let kv = keys.isEmpty ? [] : try keys.map { try $0(r, ctx) }
                if keys.isEmpty && !groups.isEmpty { gi = 0 } else {
                let gk = kv.count == 1 ? GroupKey(kv[0]) : GroupKey(.list(kv))
                if let i = index[gk] { gi = i } else {
                    gi = groups.count
                    index[gk] = gi
                    var states = [AggState](repeating: AggState(), count: specs.count)
                    for (j, s) in specs.enumerated() where s.kind == .percentileCont || s.kind == .percentileDisc {
                        states[j].param = try s.arg2!(r, ctx)
                    }
                    try ctx.charge(rowBytes(r) + rowBytes(kv) + 64 * specs.count)
                    groups.append((r, kv, states))
                    if groups.count > ctx.limits.maxRows { try ctx.checkRows(groups.count) }
                }
                }
                for (j, s) in specs.enumerated() {
                    let v = try s.arg?(r, ctx) ?? .null
                    let held = groups[gi].states[j].values.count
                    try groups[gi].states[j].add(s, v)
                    // collect(), percentiles and stdev keep their values; DISTINCT keeps a set.
                    if groups[gi].states[j].values.count > held || s.distinct { try ctx.charge(v.estimatedBytes + 16) }
                }
            }
            if let m = input as? MatchOp, !m.optional {
                // Aggregate the matches as they are found: no intermediate rows are buffered.
                while let r = try m.input!.next(ctx) {
                    try m.matcher.forEach(r, ctx) { row in try consume(row); return true }
                }
            } else {
                while let r = try input!.next(ctx) { try consume(r) }
            }
            if groups.isEmpty && keys.isEmpty {
                groups.append(([], [], [AggState](repeating: AggState(), count: specs.count)))
            }
            var rows: [Row] = []
            for g in groups {
                try ctx.tick()
                var rep = g.rep
                while rep.count < aggBase + specs.count { rep.append(.null) }
                for (j, s) in specs.enumerated() { rep[aggBase + j] = try g.states[j].result(s) }
                var row: Row = []
                for (i, e) in items.enumerated() {
                    if let k = itemIsKey[i] { row.append(g.keyVals[k]) } else { row.append(try e(rep, ctx)) }
                }
                rows.append(row)
            }
            out = rows
        }
        guard pos < out!.count else { return nil }
        pos += 1
        return out![pos - 1]
    }
}

/// Runs an update for every input row, eagerly (all reads of earlier clauses happen first).
final class UpdateOp: Op {
    let action: (Row, ExecContext, (Row) -> Void) throws -> Void
    let name: String
    var out: [Row]? = nil
    var pos = 0
    init(_ input: Op, _ name: String, _ action: @escaping (Row, ExecContext, (Row) -> Void) throws -> Void) {
        self.action = action; self.name = name; super.init(input)
    }
    override var describe: String { name }
    override func next(_ ctx: ExecContext) throws -> Row? {
        if out == nil {
            var inRows: [Row] = []
            while let r = try input!.next(ctx) {
                try ctx.charge(rowBytes(r))
                inRows.append(r)
                try ctx.tick()
            }
            var rows: [Row] = []
            for r in inRows { try action(r, ctx) { rows.append($0) } }
            out = rows
        }
        guard pos < out!.count else { return nil }
        pos += 1
        return out![pos - 1]
    }
}

/// Runs a whole clause over all rows at once (DELETE needs this to delete relationships first).
final class BatchOp: Op {
    let action: ([Row], ExecContext) throws -> [Row]
    let name: String
    var out: [Row]? = nil
    var pos = 0
    init(_ input: Op, _ name: String, _ action: @escaping ([Row], ExecContext) throws -> [Row]) {
        self.action = action; self.name = name; super.init(input)
    }
    override var describe: String { name }
    override func next(_ ctx: ExecContext) throws -> Row? {
        if out == nil {
            var inRows: [Row] = []
            while let r = try input!.next(ctx) {
                try ctx.charge(rowBytes(r))
                inRows.append(r)
                try ctx.tick()
            }
            out = try action(inRows, ctx)
        }
        guard pos < out!.count else { return nil }
        pos += 1
        return out![pos - 1]
    }
}

final class UnionOp: Op {
    let parts: [Op]
    let distinct: Bool
    var i = 0
    var seen = Set<GroupKey>()
    init(_ parts: [Op], distinct: Bool) { self.parts = parts; self.distinct = distinct; super.init(nil) }
    override var describe: String { distinct ? "Union" : "UnionAll" }
    override func explain(_ depth: Int = 0) -> [String] {
        [String(repeating: "  ", count: depth) + describe] + parts.flatMap { $0.explain(depth + 1) }
    }
    override func next(_ ctx: ExecContext) throws -> Row? {
        while i < parts.count {
            if let r = try parts[i].next(ctx) {
                try ctx.tick()
                if distinct {
                    if !seen.insert(GroupKey(.list(r))).inserted { continue }
                    try ctx.charge(rowBytes(r))
                }
                return r
            }
            i += 1
        }
        return nil
    }
}
