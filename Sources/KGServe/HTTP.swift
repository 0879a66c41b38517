import Foundation

/// An HTTP answer of the API, independent of the server library: status, content type, body,
/// extra headers. Security headers are added by `KGServer` to every response.
public struct Reply: Sendable {
    public var status: Int
    public var contentType: String
    public var body: Data
    public var headers: [(String, String)] = []

    public init(status: Int = 200, contentType: String, body: Data, headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    public static func json(_ value: JSON, status: Int = 200) -> Reply {
        Reply(status: status, contentType: "application/json; charset=utf-8", body: Data((value.text + "\n").utf8))
    }

    public static func text(_ s: String, status: Int = 200, type: String = "text/plain; charset=utf-8") -> Reply {
        Reply(status: status, contentType: type, body: Data(s.utf8))
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// An error the API reports as JSON: `{"error": {"status", "message", …details}}`.
public struct APIError: Error, CustomStringConvertible {
    public enum Status: Int {
        case badRequest = 400, forbidden = 403, notFound = 404, methodNotAllowed = 405, conflict = 409,
             payloadTooLarge = 413, unsupportedMediaType = 415, unprocessable = 422, tooManyRequests = 429,
             requestHeaderFieldsTooLarge = 431,
             internalError = 500, notImplemented = 501, unavailable = 503, httpVersion = 505
    }
    public var status: Status
    public var message: String
    /// More fields of the error object (e.g. the Cypher error's class and caret, diagnostics).
    public var details: [(String, JSON)]

    public init(_ status: Status, _ message: String, details: [(String, JSON)] = []) {
        self.status = status
        self.message = message
        self.details = details
    }

    public var description: String { "\(status.rawValue): \(message)" }

    public var reply: Reply {
        .json(.object([("error", .object([("status", .int(status.rawValue)), ("message", .string(message))] + details))]),
              status: status.rawValue)
    }
}

/// What a route handler sees of a request.
public struct Request: Sendable {
    public var method: String
    /// Path segments, percent-decoded one by one (so an encoded `/` stays inside its segment).
    public var segments: [String]
    public var query: [String: String]
    public var headers: [String: String]
    public var body: Data

    public init(method: String, segments: [String], query: [String: String], headers: [String: String], body: Data) {
        self.method = method
        self.segments = segments
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits a raw request target (`/a/b%2Fc?x=1`) into decoded segments and query items.
    /// Returns nil for a target that is not an absolute path or whose escapes are not UTF-8.
    public static func parseTarget(_ target: String) -> (segments: [String], query: [String: String])? {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? ""
        guard path.hasPrefix("/") else { return nil }
        var segs: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let d = String(raw).removingPercentEncoding else { return nil }
            segs.append(d)
        }
        var q: [String: String] = [:]
        if parts.count > 1 {
            for item in parts[1].split(separator: "&") {
                let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func dec(_ s: Substring) -> String? { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
                guard let k = dec(kv[0]) else { return nil }
                let v = kv.count > 1 ? dec(kv[1]) : ""
                guard let v else { return nil }
                if q[k] == nil { q[k] = v }
            }
        }
        return (segs, q)
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
