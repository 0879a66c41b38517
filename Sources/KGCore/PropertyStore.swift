/// One property key's values over all nodes (or all edges): a column.
///
/// A column is typed by the values it has seen — interned strings, integers, floats, booleans,
/// lists of strings — and falls back to a column of `Value`s when a second type arrives. A
/// string column whose values are mostly distinct (an id-like or free-text property on every
/// edge) stops interning: it becomes a *text* column that keeps the bytes in one heap, since a
/// hash-table entry per unique string would cost more than it saves.
///
/// Which entities hold the key is not the column's business: an entity's *shape* (the ordered
/// list of its keys, see `PropertyTable`) says so, and a slot of an entity without the key holds
/// a meaningless default.
public final class PropertyColumn {
    public enum Kind: UInt8, Sendable {
        /// Nothing stored yet.
        case empty = 0
        /// Interned strings: `symbols`.
        case string = 1
        /// `integers`.
        case int = 2
        /// `floats` (bit patterns kept: NaN, -0.0).
        case float = 3
        /// `integers`, 0 or 1.
        case bool = 4
        /// Lists of strings: `listRanges` (start << 32 | count) into `listItems` (symbols).
        case stringList = 5
        /// Anything else or a mix: `values`.
        case any = 6
        /// Strings not interned: `textRanges` (start << 24 | length) into `textBytes`.
        case text = 7
    }

    public let key: Symbol
    public internal(set) var kind: Kind = .empty
    public internal(set) var symbols: [Int32] = []
    public internal(set) var integers: [Int64] = []
    public internal(set) var floats: [Double] = []
    public internal(set) var listRanges: [UInt64] = []
    public internal(set) var listItems: [Int32] = []
    public internal(set) var values: [Value] = []
    public internal(set) var textRanges: [UInt64] = []
    public internal(set) var textBytes: [UInt8] = []
    /// Interned string values set so far and how many of them were new to the interner.
    private var stringSets = 0
    private var newStrings = 0

    /// A string column turns into a text column after this many values when more than half of
    /// them were new strings.
    static let textProbe = 4096

    init(key: Symbol) { self.key = key }

    /// Number of slots (entities 0..<count have a slot; later ones read as absent).
    public var count: Int {
        switch kind {
        case .empty: return 0
        case .string: return symbols.count
        case .int, .bool: return integers.count
        case .float: return floats.count
        case .stringList: return listRanges.count
        case .any: return values.count
        case .text: return textRanges.count
        }
    }

    static func kind(of v: Value) -> Kind {
        switch v {
        case .null: return .any
        case .string: return .string
        case .int: return .int
        case .float: return .float
        case .bool: return .bool
        case .list(let l):
            for x in l { if case .string = x { continue } else { return .any } }
            return .stringList
        case .temporal: return .any
        }
    }

    /// The value in slot `i` (the caller knows the entity has the key).
    @inline(__always)
    func get(_ i: Int, _ strings: Interner) -> Value {
        switch kind {
        case .empty: return .null
        case .string: return i < symbols.count ? .string(strings[Symbol(raw: symbols[i])]) : .null
        case .int: return i < integers.count ? .int(integers[i]) : .null
        case .bool: return i < integers.count ? .bool(integers[i] != 0) : .null
        case .float: return i < floats.count ? .float(floats[i]) : .null
        case .stringList:
            guard i < listRanges.count else { return .null }
            let r = listRanges[i]
            let start = Int(r >> 32), n = Int(r & 0xFFFF_FFFF)
            var out: [Value] = []
            out.reserveCapacity(n)
            for j in start..<(start + n) { out.append(.string(strings[Symbol(raw: listItems[j])])) }
            return .list(out)
        case .any: return i < values.count ? values[i] : .null
        case .text: return i < textRanges.count ? .string(text(i)) : .null
        }
    }

    /// The string in slot `i` of a text column.
    func text(_ i: Int) -> String {
        let r = textRanges[i]
        let start = Int(r >> 24), n = Int(r & 0xFF_FFFF)
        return textBytes.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[start..<(start + n)]), as: UTF8.self) }
    }

    /// Calls `body` with the bytes of the string in slot `i` (string and text columns; nil otherwise).
    public func withStringBytes<R>(_ i: Int, _ strings: Interner, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        switch kind {
        case .string:
            guard i < symbols.count else { return nil }
            return strings.withBytes(Symbol(raw: symbols[i]), body)
        case .text:
            guard i < textRanges.count else { return nil }
            let r = textRanges[i]
            let start = Int(r >> 24), n = Int(r & 0xFF_FFFF)
            return textBytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<(start + n)])) }
        default:
            return nil
        }
    }

    /// The interned symbol in slot `i` of a string column (nil for other kinds).
    @inline(__always)
    public func symbol(at i: Int) -> Symbol? {
        kind == .string && i < symbols.count ? Symbol(raw: symbols[i]) : nil
    }

    /// The strings of slot `i` of a string-list column as symbols.
    func listSymbols(_ i: Int) -> ArraySlice<Int32> {
        guard kind == .stringList, i < listRanges.count else { return [] }
        let r = listRanges[i]
        let start = Int(r >> 32), n = Int(r & 0xFFFF_FFFF)
        return listItems[start..<(start + n)]
    }

    private func grow(to n: Int) {
        switch kind {
        case .empty: break
        case .string: symbols.extend(to: n, with: 0)
        case .int, .bool: integers.extend(to: n, with: 0)
        case .float: floats.extend(to: n, with: 0)
        case .stringList: listRanges.extend(to: n, with: 0)
        case .any: values.extend(to: n, with: .null)
        case .text: textRanges.extend(to: n, with: 0)
        }
    }

    /// Turns the column into a column of `Value`s (when a value of another type arrives).
    private func generalise(_ strings: Interner) {
        let n = count
        var vs: [Value] = []
        vs.reserveCapacity(n)
        for i in 0..<n { vs.append(get(i, strings)) }
        symbols = []; integers = []; floats = []; listRanges = []; listItems = []; textRanges = []; textBytes = []
        kind = .any
        values = vs
    }

    /// Turns a string column into a text column.
    private func toText(_ strings: Interner) {
        let old = symbols
        symbols = []
        kind = .text
        textRanges.reserveCapacity(old.count)
        for (i, s) in old.enumerated() {
            strings.withBytes(Symbol(raw: s)) { p in _ = appendText(i, p) }
        }
    }

    /// Stores bytes in slot `i` of a text column; false when they do not fit the range encoding.
    private func appendText(_ i: Int, _ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count <= 0xFF_FFFF, textBytes.count < 1 << 40 else { return false }
        let start = textBytes.count
        textBytes.append(contentsOf: p)
        grow(to: i + 1)
        textRanges[i] = UInt64(start) << 24 | UInt64(p.count)
        return true
    }

    /// Stores `v` (not null) in slot `i`.
    func set(_ i: Int, _ v: Value, _ strings: Interner) {
        if case .string(var s) = v, kind == .text || kind == .string || kind == .empty {
            s.withUTF8 { setBytes(i, UnsafeRawBufferPointer($0), strings) }
            return
        }
        let k = Self.kind(of: v)
        if kind == .empty { kind = k }
        if k != kind && kind != .any { generalise(strings) }
        grow(to: i + 1)
        switch kind {
        case .string: if case .string(let s) = v { symbols[i] = strings.intern(s).raw }
        case .int: if case .int(let x) = v { integers[i] = x }
        case .bool: if case .bool(let b) = v { integers[i] = b ? 1 : 0 }
        case .float: if case .float(let d) = v { floats[i] = d }
        case .stringList:
            if case .list(let l) = v {
                let start = listItems.count
                for x in l { if case .string(let s) = x { listItems.append(strings.intern(s).raw) } }
                listRanges[i] = UInt64(start) << 32 | UInt64(l.count)
            }
        case .any: values[i] = v
        case .empty, .text: break
        }
    }

    /// Stores a string given as UTF-8 bytes in slot `i`: interned, or in the text heap once the
    /// column has turned out to hold mostly distinct strings.
    func setBytes(_ i: Int, _ p: UnsafeRawBufferPointer, _ strings: Interner) {
        if kind == .empty { kind = .string }
        if kind == .text {
            if appendText(i, p) { return }
            generalise(strings)
        }
        guard kind == .string else {
            set(i, .string(String(decoding: p, as: UTF8.self)), strings)
            return
        }
        let before = strings.count
        let sym = strings.intern(bytes: p)
        stringSets += 1
        if strings.count > before { newStrings += 1 }
        grow(to: i + 1)
        symbols[i] = sym.raw
        if stringSets == Self.textProbe && newStrings * 2 > stringSets { toText(strings) }
    }

    /// Stores an interned string in slot `i` without materialising it.
    func setSymbol(_ i: Int, _ sym: Symbol, _ strings: Interner) {
        if kind == .empty { kind = .string }
        if kind != .string {
            strings.withBytes(sym) { setBytes(i, $0, strings) }
            return
        }
        grow(to: i + 1)
        symbols[i] = sym.raw
    }

    /// Stores a list of interned strings in slot `i`.
    func setSymbolList<C: Collection>(_ i: Int, _ syms: C, _ strings: Interner) where C.Element == Symbol {
        if kind == .empty { kind = .stringList }
        if kind != .stringList {
            set(i, .list(syms.map { .string(strings[$0]) }), strings)
            return
        }
        grow(to: i + 1)
        let start = listItems.count
        for s in syms { listItems.append(s.raw) }
        listRanges[i] = UInt64(start) << 32 | UInt64(syms.count)
    }

    /// Restores a column from its arrays (`GraphImage`).
    init(key: Symbol, kind: Kind, symbols: [Int32], integers: [Int64], floats: [Double], listRanges: [UInt64],
         listItems: [Int32], values: [Value], textRanges: [UInt64], textBytes: [UInt8]) {
        self.key = key
        self.kind = kind
        self.symbols = symbols
        self.integers = integers
        self.floats = floats
        self.listRanges = listRanges
        self.listItems = listItems
        self.values = values
        self.textRanges = textRanges
        self.textBytes = textBytes
    }

    var memoryBytes: Int {
        symbols.capacity * 4 + integers.capacity * 8 + floats.capacity * 8 + listRanges.capacity * 8 + listItems.capacity * 4
            + values.capacity * MemoryLayout<Value>.stride + textRanges.capacity * 8 + textBytes.capacity
    }
}

/// The properties of one class of entities (nodes, or edges) as columns.
///
/// Each entity has a *shape*: the ordered list of its property keys (the order in which they were
/// set, as `PropertyMap` keeps it). Shapes are interned, so a million edges with the same keys
/// share one, and an entity costs four bytes plus its slots in the columns of its keys.
final class PropertyTable {
    /// Shape of each entity.
    var shapeOf: [UInt32] = []
    /// Keys of each shape, in order; shape 0 has none.
    var shapes: [[Symbol]] = [[]]
    /// Column slot of each key of each shape.
    var shapeSlots: [[Int32]] = [[]]
    var shapeIndex: [[Symbol]: UInt32] = [[]: 0]
    var columns: [PropertyColumn] = []
    var columnOf: [Symbol: Int32] = [:]
    private var addCache = IntMap()

    init() {}

    var count: Int { shapeOf.count }

    func appendEntity() { shapeOf.append(0) }

    func reserve(_ n: Int) { shapeOf.reserveCapacity(n) }

    func column(_ key: Symbol) -> PropertyColumn? { columnOf[key].map { columns[Int($0)] } }

    func slot(for key: Symbol) -> Int32 {
        if let s = columnOf[key] { return s }
        let s = Int32(columns.count)
        columns.append(PropertyColumn(key: key))
        columnOf[key] = s
        return s
    }

    /// The shape of distinct `keys` in this order, through the transition cache.
    func shapeByTransitions(_ keys: [Symbol]) -> UInt32 {
        var s: UInt32 = 0
        for k in keys { s = adding(k, to: s) }
        return s
    }

    func shape(_ keys: [Symbol]) -> UInt32 {
        if let s = shapeIndex[keys] { return s }
        let s = UInt32(shapes.count)
        shapes.append(keys)
        shapeSlots.append(keys.map { slot(for: $0) })
        shapeIndex[keys] = s
        return s
    }

    /// The shape of `shape` with `key` appended.
    func adding(_ key: Symbol, to shape: UInt32) -> UInt32 {
        let ck = UInt64(shape) << 32 | UInt64(UInt32(bitPattern: key.raw))
        if let s = addCache.get(ck) { return UInt32(bitPattern: s) }
        let s = self.shape(shapes[Int(shape)] + [key])
        addCache.set(ck, Int32(bitPattern: s))
        return s
    }

    @inline(__always)
    func has(_ i: Int, _ key: Symbol) -> Bool {
        guard i < shapeOf.count else { return false }
        return shapes[Int(shapeOf[i])].contains(key)
    }

    func keys(_ i: Int) -> [Symbol] { i < shapeOf.count ? shapes[Int(shapeOf[i])] : [] }

    func isEmpty(_ i: Int) -> Bool { i >= shapeOf.count || shapeOf[i] == 0 }

    func count(_ i: Int) -> Int { i < shapeOf.count ? shapes[Int(shapeOf[i])].count : 0 }

    func get(_ i: Int, _ key: Symbol, _ strings: Interner) -> Value? {
        guard has(i, key), let c = columnOf[key] else { return nil }
        return columns[Int(c)].get(i, strings)
    }

    /// The properties of entity `i` in key order.
    func map(_ i: Int, _ strings: Interner) -> PropertyMap {
        guard i < shapeOf.count else { return PropertyMap() }
        let s = Int(shapeOf[i])
        if s == 0 { return PropertyMap() }
        let keys = shapes[s], slots = shapeSlots[s]
        var entries: [(key: Symbol, value: Value)] = []
        entries.reserveCapacity(keys.count)
        for j in keys.indices { entries.append((keys[j], columns[Int(slots[j])].get(i, strings))) }
        return PropertyMap(ordered: entries)
    }

    /// Sets (`v` non-null) or removes (`v` nil or null) one property.
    func set(_ i: Int, _ key: Symbol, _ v: Value?, _ strings: Interner) {
        let cur = Int(shapeOf[i])
        let present = shapes[cur].contains(key)
        if let v, !v.isNull {
            if !present { shapeOf[i] = adding(key, to: UInt32(cur)) }
            columns[Int(slot(for: key))].set(i, v, strings)
        } else if present {
            shapeOf[i] = shape(shapes[cur].filter { $0 != key })
        }
    }

    /// Replaces all properties of entity `i`.
    func replace(_ i: Int, _ props: PropertyMap, _ strings: Interner) {
        var keys: [Symbol] = []
        keys.reserveCapacity(props.count)
        for (k, v) in props where !v.isNull { keys.append(k) }
        let s = shape(keys)
        shapeOf[i] = s
        for (k, v) in props where !v.isNull { columns[Int(slot(for: k))].set(i, v, strings) }
    }

    var memoryBytes: Int { shapeOf.capacity * 4 + columns.reduce(0) { $0 + $1.memoryBytes } }
}
