/// The labels of one node: its kind first, then any further labels. A collection of symbols that
/// allocates nothing for the usual single label.
public struct LabelList: RandomAccessCollection, Equatable, Sendable {
    let head: Symbol
    let rest: [Symbol]?

    init(first: Symbol, rest: [Symbol]?) {
        head = first
        self.rest = first == .none ? nil : rest
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { head == .none ? 0 : 1 + (rest?.count ?? 0) }
    public subscript(i: Int) -> Symbol { i == 0 ? head : rest![i - 1] }

    /// The labels as an array.
    public var array: [Symbol] { Array(self) }

    public static func == (a: LabelList, b: LabelList) -> Bool { a.elementsEqual(b) }
    public static func == (a: LabelList, b: [Symbol]) -> Bool { a.elementsEqual(b) }
}

/// `Graph.nodeLabels`: the labels of every node by node index (a view over the kind column).
public struct NodeLabelsView: RandomAccessCollection {
    let kinds: [Symbol]
    let extra: [Int32: [Symbol]]
    public var startIndex: Int { 0 }
    public var endIndex: Int { kinds.count }
    public subscript(i: Int) -> LabelList { LabelList(first: kinds[i], rest: extra.isEmpty ? nil : extra[Int32(i)]) }
}

/// `Graph.nodeProps` / `Graph.edgeProps`: the properties of every entity by index, built from the
/// columns on access.
public struct PropertyMapsView: RandomAccessCollection {
    let table: PropertyTable
    let strings: Interner
    public var startIndex: Int { 0 }
    public var endIndex: Int { table.count }
    public subscript(i: Int) -> PropertyMap { table.map(i, strings) }
}

/// `Graph.edgeEvidence`: the evidence of every edge by edge index, built from the columns on access.
public struct EvidenceListsView: RandomAccessCollection {
    let store: EvidenceStore
    let strings: Interner
    public var startIndex: Int { 0 }
    public var endIndex: Int { store.edgeCount }
    public subscript(i: Int) -> [Evidence] { store.get(i, strings) }
}
