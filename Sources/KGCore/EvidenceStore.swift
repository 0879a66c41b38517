/// The evidence of every edge, as columns: one row per piece of evidence (reading, locator,
/// modality, note), the rows of edge *e* at `offsets[e]..<offsets[e + 1]` (edges append in id
/// order, so this is a CSR over edge ids). Evidence replaced after the edge was added lives in
/// `overrides` (writes are rare and small).
final class EvidenceStore {
    /// `offsets[e]..<offsets[e + 1]` are the rows of edge e.
    var offsets: [Int32] = [0]
    /// Reading id (symbol) of each row.
    var reading: [Int32] = []
    var locStart: [Int32] = []
    var locEnd: [Int32] = []
    /// Bits 0–1: locator unit (0 none, 1 line, 2 sentence, 3 kept in `bigLocators`);
    /// bits 2–3: index of the modality in `Modality.allCases`.
    var flags: [UInt8] = []
    /// Note (symbol) of each row, -1 for none.
    var note: [Int32] = []
    /// Locators whose numbers do not fit 32 bits, by row.
    var bigLocators: [Int32: Locator] = [:]
    /// Evidence set after the edge was added, by edge.
    var overrides: [Int32: [Evidence]] = [:]

    static let modalities: [Modality] = [.asserted, .hedged, .negated, .reported]

    var edgeCount: Int { offsets.count - 1 }
    var rowCount: Int { reading.count }

    func reserve(edges: Int, rows: Int) {
        offsets.reserveCapacity(edges + 1)
        reading.reserveCapacity(rows); locStart.reserveCapacity(rows); locEnd.reserveCapacity(rows)
        flags.reserveCapacity(rows); note.reserveCapacity(rows)
    }

    /// Appends one row (for the edge being appended; call `closeEdge` after its rows).
    @inline(__always)
    func appendRow(reading r: Symbol, locator: Locator?, note n: Symbol?, modality: Modality) {
        var f: UInt8 = 0
        if let l = locator {
            if l.start >= Int(Int32.min) && l.start <= Int(Int32.max) && l.end >= Int(Int32.min) && l.end <= Int(Int32.max) {
                f = l.unit == .line ? 1 : 2
                locStart.append(Int32(l.start))
                locEnd.append(Int32(l.end))
            } else {
                f = 3
                bigLocators[Int32(reading.count)] = l
                locStart.append(0)
                locEnd.append(0)
            }
        } else {
            locStart.append(0)
            locEnd.append(0)
        }
        switch modality {
        case .asserted: break
        case .hedged: f |= 1 << 2
        case .negated: f |= 2 << 2
        case .reported: f |= 3 << 2
        }
        reading.append(r.raw)
        flags.append(f)
        note.append(n?.raw ?? -1)
    }

    /// Ends the rows of the next edge.
    @inline(__always)
    func closeEdge() { offsets.append(Int32(reading.count)) }

    func append(_ ev: [Evidence], _ strings: Interner) {
        for e in ev {
            appendRow(reading: strings.intern(e.reading), locator: e.locator, note: e.note.map { strings.intern($0) },
                      modality: e.modality)
        }
        closeEdge()
    }

    @inline(__always)
    func rows(_ e: Int) -> Range<Int> { Int(offsets[e])..<Int(offsets[e + 1]) }

    func row(_ r: Int, _ strings: Interner) -> Evidence {
        let f = flags[r]
        var loc: Locator? = nil
        switch f & 3 {
        case 1: loc = Locator(unit: .line, start: Int(locStart[r]), end: Int(locEnd[r]))
        case 2: loc = Locator(unit: .sentence, start: Int(locStart[r]), end: Int(locEnd[r]))
        case 3: loc = bigLocators[Int32(r)]
        default: break
        }
        let n = note[r]
        return Evidence(reading: strings[Symbol(raw: reading[r])], locator: loc,
                        note: n < 0 ? nil : strings[Symbol(raw: n)], modality: Self.modalities[Int(f >> 2) & 3])
    }

    func get(_ e: Int, _ strings: Interner) -> [Evidence] {
        if !overrides.isEmpty, let o = overrides[Int32(e)] { return o }
        let r = rows(e)
        if r.isEmpty { return [] }
        return r.map { row($0, strings) }
    }

    func first(_ e: Int, _ strings: Interner) -> Evidence? {
        if !overrides.isEmpty, let o = overrides[Int32(e)] { return o.first }
        let r = rows(e)
        return r.isEmpty ? nil : row(r.lowerBound, strings)
    }

    func isEmpty(_ e: Int) -> Bool {
        if !overrides.isEmpty, let o = overrides[Int32(e)] { return o.isEmpty }
        return offsets[e] == offsets[e + 1]
    }

    func count(_ e: Int) -> Int {
        if !overrides.isEmpty, let o = overrides[Int32(e)] { return o.count }
        return Int(offsets[e + 1] - offsets[e])
    }

    /// Reading symbols of edge e's evidence, without building `Evidence` values (nil when the edge's
    /// evidence was replaced; use `get` then).
    func readingSymbols(_ e: Int) -> ArraySlice<Int32>? {
        if !overrides.isEmpty, overrides[Int32(e)] != nil { return nil }
        return reading[rows(e)]
    }

    func set(_ e: Int, _ ev: [Evidence]) { overrides[Int32(e)] = ev }

    /// Rewrites the rows with the replaced evidence in place (no overrides left).
    func compact(_ strings: Interner) {
        guard !overrides.isEmpty else { return }
        let old = (0..<edgeCount).map { get($0, strings) }
        offsets = [0]; reading = []; locStart = []; locEnd = []; flags = []; note = []
        bigLocators = [:]
        overrides = [:]
        for ev in old { append(ev, strings) }
    }

    /// Ids of the edges whose evidence was replaced after they were added.
    var overridden: Set<Int32> { Set(overrides.keys) }

    var memoryBytes: Int {
        offsets.capacity * 4 + reading.capacity * 4 + locStart.capacity * 4 + locEnd.capacity * 4 + flags.capacity
            + note.capacity * 4
    }
}
