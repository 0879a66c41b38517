/// Colours and shapes of a diagram: per kind a shape and a fill/stroke, per relation type a colour
/// and a dash pattern. Styles are assigned from the position of the kind or type in a stable order
/// (the schema's declaration order when the caller gives it), so the same kind looks the same in
/// every diagram drawn from one knowledge base.
public enum NodeShape: String, CaseIterable, Sendable {
    case roundedRect, rect, pill, hexagon, octagon, doubleRect
}

public struct KindStyle: Equatable, Sendable {
    public var shape: NodeShape
    public var fill: String
    public var stroke: String
    public var text: String
}

public struct RelationStyle: Equatable, Sendable {
    public var color: String
    /// `stroke-dasharray` value, nil for a solid line.
    public var dash: String?
}

public struct SVGTheme: Equatable, Sendable {
    public enum Name: String, CaseIterable, Sendable { case light, dark, print }
    public var name: Name
    public var background: String
    public var text: String
    public var mutedText: String
    /// Halo behind edge labels (the background colour).
    public var halo: String
    public var fills: [String]
    public var strokes: [String]
    public var edgeColors: [String]

    public static let light = SVGTheme(
        name: .light, background: "#ffffff", text: "#1a1a1a", mutedText: "#555555", halo: "#ffffff",
        fills: ["#dbe9f6", "#fde2c8", "#d9f0d3", "#f6d5e5", "#e6dcf3", "#fff3bf", "#d3f0ee", "#ececec"],
        strokes: ["#2f6ea8", "#c0651a", "#3b8a3a", "#b03a70", "#6a4fa3", "#a88a00", "#218a83", "#666666"],
        edgeColors: ["#2f6ea8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f6000",
                     "#c2185b", "#455a64", "#1565c0", "#6d4c41", "#558b2f"])

    public static let dark = SVGTheme(
        name: .dark, background: "#1d1f24", text: "#f0f0f0", mutedText: "#b8b8b8", halo: "#1d1f24",
        fills: ["#1f3b57", "#5a3512", "#21452a", "#522038", "#3a2d5c", "#4d4410", "#164443", "#3a3a3a"],
        strokes: ["#7fb4e6", "#f0a35e", "#86cf7f", "#ea86b6", "#b49ae8", "#e5cc4c", "#6fd3cb", "#bdbdbd"],
        edgeColors: ["#7fb4e6", "#ff8a7a", "#7fdca4", "#cf9be6", "#ffb067", "#5fd6c0", "#e8d26a",
                     "#f48fb1", "#b0bec5", "#90caf9", "#d7b29d", "#c5e1a5"])

    /// Black on white for printing and photocopies: kinds differ by shape, relation types by dash.
    public static let print = SVGTheme(
        name: .print, background: "#ffffff", text: "#000000", mutedText: "#333333", halo: "#ffffff",
        fills: ["#ffffff", "#f2f2f2", "#e0e0e0"], strokes: ["#000000"],
        edgeColors: ["#000000", "#444444"])

    public static func named(_ n: Name) -> SVGTheme {
        switch n { case .light: return .light; case .dark: return .dark; case .print: return .print }
    }

    static let dashes: [String?] = [nil, "6 3", "2 3", "10 3 2 3"]

    /// Style of the kind at `index` in the stable kind order.
    public func kindStyle(index: Int) -> KindStyle {
        let shapes = NodeShape.allCases
        if name == .print {
            let c = index / shapes.count
            return KindStyle(shape: shapes[index % shapes.count], fill: fills[c % fills.count],
                             stroke: strokes[c % strokes.count], text: text)
        }
        // Colour cycles every 8 kinds; the shape shifts by one on each cycle, so the first 48 kinds
        // all get a different (shape, colour) pair.
        let c = index % fills.count
        let shape = shapes[((index - index / fills.count) % shapes.count + shapes.count) % shapes.count]
        return KindStyle(shape: shape, fill: fills[c], stroke: strokes[c % strokes.count], text: text)
    }

    /// Style of the relation type at `index` in the stable type order.
    public func relationStyle(index: Int) -> RelationStyle {
        if name == .print {
            return RelationStyle(color: edgeColors[(index / Self.dashes.count) % edgeColors.count],
                                 dash: Self.dashes[index % Self.dashes.count])
        }
        return RelationStyle(color: edgeColors[index % edgeColors.count],
                             dash: Self.dashes[(index / edgeColors.count) % Self.dashes.count])
    }
}
