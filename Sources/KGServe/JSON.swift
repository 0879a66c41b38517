import Foundation
import KGCore

/// A JSON value as the API writes it: object keys keep their order, so the same graph gives
/// byte-identical answers. `raw` embeds JSON text produced elsewhere (query results).
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])
    case raw(String)

    public static func == (a: JSON, b: JSON) -> Bool { a.text == b.text }

    /// `nil` becomes `null`.
    public static func str(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }

    public var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? String(d) : "null"
        case .string(let s): out += JSONText.quote(s)
        case .raw(let r): out += r
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out += "," }
                out += JSONText.quote(k)
                out += ":"
                v.write(into: &out)
            }
            out += "}"
        }
    }
}

/// A request body parsed as a JSON object, with typed accessors that say what is wrong.
struct JSONBody {
    let object: [String: Any]

    init(_ data: Data) throws {
        if data.isEmpty { throw APIError(.badRequest, "the request has no body; send a JSON object") }
        let v: Any
        do {
            v = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw APIError(.badRequest, "the request body is not valid JSON: \(Self.reason(error))")
        }
        guard let o = v as? [String: Any] else { throw APIError(.badRequest, "the request body must be a JSON object") }
        object = o
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let d = ns.userInfo[NSDebugDescriptionErrorKey] as? String { return d }
        return ns.localizedDescription
    }

    func string(_ key: String, required: Bool = false) throws -> String? {
        guard let v = object[key], !(v is NSNull) else {
            if required { throw APIError(.badRequest, "the field \"\(key)\" is missing") }
            return nil
        }
        guard let s = v as? String else { throw APIError(.badRequest, "the field \"\(key)\" must be a string") }
        return s
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = object[key], !(v is NSNull) else { return nil }
        // JSONSerialization gives NSNumber for both numbers and booleans; accept only true/false.
        if let n = v as? NSNumber, String(cString: n.objCType) == "c" { return n.boolValue }
        throw APIError(.badRequest, "the field \"\(key)\" must be true or false")
    }

    func ints(_ key: String) throws -> [Int] {
        guard let v = object[key], !(v is NSNull) else { return [] }
        guard let a = v as? [Any] else { throw APIError(.badRequest, "the field \"\(key)\" must be a list of numbers") }
        return try a.map { e in
            guard let n = e as? NSNumber, let i = Int(exactly: n.doubleValue), i >= 1 else {
                throw APIError(.badRequest, "the field \"\(key)\" must hold positive whole numbers")
            }
            return i
        }
    }

    /// The raw JSON text of an object-valued field (query parameters keep their int/float distinction
    /// when re-read by the query engine's own parser).
    func objectText(_ key: String) throws -> String? {
        guard let v = object[key], !(v is NSNull) else { return nil }
        guard v is [String: Any] else { throw APIError(.badRequest, "the field \"\(key)\" must be a JSON object") }
        let d = try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys])
        return String(decoding: d, as: UTF8.self)
    }
}
