import KGCore

/// Colours and shapes of a diagram: per kind a shape and a fill/stroke, per relation type a colour
/// and a dash pattern. Styles are assigned from the position of the kind or type in a stable order
/// (the schema's declaration order), so the same kind looks the same in every diagram drawn from one
/// knowledge base, and in every format: SVG, PNG and PDF (drawn from the SVG), DOT and Mermaid
/// (through `ExportKindStyle`) take their colours from here.
///
/// The light palette is chosen for the common colour-vision deficiencies: kind fills are Paul Tol's
/// "light" scheme (made for labelled areas with black text), relation colours a set whose every pair
/// stays at least ΔE2000 15 apart under the deuteranopia and protanopia simulations of Machado,
/// Oliveira and Fernandes (2009); the tests check both. Kinds also differ by shape and relation types
/// by dash, so colour is never the only cue. The print theme is black on white and holds in greyscale.
/// Node shapes, in an order where neighbours differ clearly (the next colour cycle shifts by one).
public enum NodeShape: String, CaseIterable, Sendable {
    case roundedRect, hexagon, rect, pill, octagon, doubleRect
}

public struct KindStyle: Equatable, Sendable {
    public var shape: NodeShape
    public var fill: String
    public var stroke: String
    public var text: String
    /// `stroke-dasharray` of the border (the print theme's third cue), nil for solid.
    public var dash: String? = nil
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
    /// Background of edge labels (the page colour).
    public var halo: String
    public var fills: [String]
    public var strokes: [String]
    public var edgeColors: [String]

    public static let light = SVGTheme(
        name: .light, background: "#ffffff", text: "#111111", mutedText: "#4d4d4d", halo: "#ffffff",
        fills: ["#77AADD", "#99DDFF", "#44BB99", "#BBCC33", "#EEDD88", "#EE8866", "#FFAABB", "#DDDDDD"],
        strokes: ["#54799d", "#547a8c", "#30836b", "#727c1f", "#7e7548", "#ab6249", "#9c6872", "#757575"],
        edgeColors: ["#0992ff", "#aa2f0a", "#2ba49e", "#e82f75", "#4600ff", "#ff6200", "#521c63", "#651c28"])

    public static let dark = SVGTheme(
        name: .dark, background: "#1d1f24", text: "#f0f0f0", mutedText: "#b8b8b8", halo: "#1d1f24",
        fills: ["#5553b4", "#414d82", "#8115ff", "#4c6e17", "#21316d", "#304f50", "#246d7a", "#5400b0"],
        strokes: ["#a9a8e6", "#9aa6d9", "#c9a3ff", "#a6cf72", "#8ea3e8", "#8fc2c3", "#7fcfdc", "#b48cf0"],
        edgeColors: ["#77afc0", "#ff8b04", "#06b888", "#d10b81", "#f2ff00", "#b06d28", "#ebdeea", "#f6f2ae"])

    /// Black on white for printing and photocopies: kinds differ by shape, fill grey and border dash,
    /// relation types by dash and grey; the greys stay at least 13 L* apart.
    public static let print = SVGTheme(
        name: .print, background: "#ffffff", text: "#000000", mutedText: "#333333", halo: "#ffffff",
        fills: ["#ffffff", "#d9d9d9", "#a6a6a6"], strokes: ["#000000"],
        edgeColors: ["#000000", "#555555"])

    public static func named(_ n: Name) -> SVGTheme {
        switch n { case .light: return .light; case .dark: return .dark; case .print: return .print }
    }

    static let dashes: [String?] = [nil, "8 4", "2 4", "12 4 2 4", "2 2"]
    static let borderDashes: [String?] = [nil, "7 3", "2 3"]

    /// Style of the kind at `index` in the stable kind order.
    public func kindStyle(index: Int) -> KindStyle {
        let shapes = NodeShape.allCases
        let i = max(0, index)
        // Colour cycles every 8 kinds; the shape shifts by one on each cycle, so the first 48 kinds
        // all get a different (shape, colour) pair. Every theme uses the same shapes (a drawing keeps
        // its geometry when the theme changes).
        func shapeIndex(_ k: Int) -> Int { ((k - k / 8) % shapes.count + shapes.count) % shapes.count }
        let shape = shapes[shapeIndex(i)]
        if name == .print {
            // The k-th kind with a given shape gets the k-th (grey, border) pair: the first 48 kinds differ.
            let rank = (0..<i).filter { shapeIndex($0) == shapeIndex(i) }.count
            return KindStyle(shape: shape, fill: fills[rank % fills.count], stroke: strokes[0], text: text,
                             dash: Self.borderDashes[(rank / fills.count) % Self.borderDashes.count])
        }
        let c = i % fills.count
        return KindStyle(shape: shape, fill: fills[c], stroke: strokes[c % strokes.count], text: text)
    }

    /// Style of the relation type at `index` in the stable type order.
    public func relationStyle(index: Int) -> RelationStyle {
        let i = max(0, index)
        if name == .print {
            return RelationStyle(color: edgeColors[(i / Self.dashes.count) % edgeColors.count],
                                 dash: Self.dashes[i % Self.dashes.count])
        }
        return RelationStyle(color: edgeColors[i % edgeColors.count],
                             dash: Self.dashes[(i / edgeColors.count) % Self.dashes.count])
    }
}

/// The position of a kind or relation type in the palette: its place in the schema's declaration
/// order; names the schema does not declare come after, at a place derived from the name alone
/// (FNV-1a, not Swift's per-process hash), so every exporter and every diagram agree.
public enum PaletteIndex {
    public static func of(_ name: String, order: [String]) -> Int {
        if let i = order.firstIndex(of: name) { return i }
        var h: UInt32 = 2166136261
        for b in name.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
        return order.count + Int(h % 48)
    }
}

/// Kind styling for the text exporters (DOT, Mermaid): the same fill and border as the SVG's light
/// theme, by the kind's place in the schema.
public enum ExportKindStyle {
    public static var palette: [String] { SVGTheme.light.fills }

    /// The light theme's style of `kind` (nil: the style of an unknown kind).
    public static func style(of kind: String?, schema: Schema) -> KindStyle {
        SVGTheme.light.kindStyle(index: PaletteIndex.of(kind ?? "", order: Array(schema.kinds.keys)))
    }

    public static func colour(of kind: String?, schema: Schema) -> String {
        guard kind != nil else { return "#EEEEEE" }
        return style(of: kind, schema: schema).fill
    }

    public static func stroke(of kind: String?, schema: Schema) -> String {
        guard kind != nil else { return "#555555" }
        return style(of: kind, schema: schema).stroke
    }

    /// Graphviz shape of a kind: readings are notes, studies boxes, the rest rounded boxes.
    public static func dotShape(of kind: String?, schema: Schema) -> (shape: String, style: String) {
        guard let k = kind else { return ("box", "rounded,filled") }
        if schema.isKind(k, a: "Reading") || k == "Reading" { return ("note", "filled") }
        if schema.isKind(k, a: "Study") || k == "Study" { return ("box", "filled") }
        return ("box", "rounded,filled")
    }
}
