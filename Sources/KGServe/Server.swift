import Foundation
import FlyingFox
import FlyingSocks

/// `kg serve`'s HTTP server: FlyingFox on one address, every request handed to `KGApp`, with the
/// security rules applied to all of them (allowed Host names, body size limit, security headers).
public final class KGServer: @unchecked Sendable {
    public let app: KGApp
    let config: ServeConfig
    private var server: HTTPServer?
    private var runTask: Task<Void, Never>?
    private var watchTask: Task<Void, Never>?
    private let failure = Locked<Error?>(nil)
    public private(set) var port: UInt16 = 0

    public init(config: ServeConfig) throws {
        self.config = config
        self.app = try KGApp(config: config)
    }

    /// The Content-Security-Policy of every answer: only kg's own scripts, styles and images.
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static func address(host: String, port: UInt16) throws -> any SocketAddress {
        let h = host == "localhost" ? "127.0.0.1" : host
        if let a = try? sockaddr_in.inet(ip4: h, port: port) { return a }
        let h6 = h.hasPrefix("[") && h.hasSuffix("]") ? String(h.dropFirst().dropLast()) : h
        if let a = try? sockaddr_in6.inet6(ip6: h6, port: port) { return a }
        throw ServeError.badHost(host)
    }

    /// The URL the page is at (IPv6 in brackets).
    public var url: String {
        let h = config.host == "localhost" ? "127.0.0.1" : config.host
        let shown = h == "0.0.0.0" ? "127.0.0.1" : (h == "::" ? "[::1]" : (h.contains(":") && !h.hasPrefix("[") ? "[\(h)]" : h))
        return "http://\(shown):\(port)/"
    }

    /// Binds and starts serving; returns once the server listens (or throws, e.g. the port is taken).
    public func start() async throws {
        let addr = try Self.address(host: config.host, port: config.port)
        let handler = Handler(server: self)
        // Long enough for a query that runs to its time limit.
        let timeout = max(30, config.queryTimeout + 30, KGApp.linkTimeout * 2 + 10)
        let s = HTTPServer(config: .init(address: addr, timeout: timeout, logger: .disabled), handler: handler)
        server = s
        runTask = Task { [failure] in
            do { try await s.run() } catch { failure.with { $0 = error } }
        }
        let deadline = Date().addingTimeInterval(10)
        while true {
            if let e = failure.current { throw Self.translate(e, host: config.host, port: config.port) }
            if await s.isListening { break }
            if Date() > deadline { throw ServeError.cannotListen(host: config.host, port: config.port, reason: "the server did not start within 10 s") }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        if let a = await s.listeningAddress {
            switch a {
            case .ip4(_, let p), .ip6(_, let p): port = p
            default: break
            }
        }
        if config.watchInterval > 0 {
            let interval = config.watchInterval
            watchTask = Task.detached { [app] in
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                    if Task.isCancelled { break }
                    _ = try? await Worker.run { app.state.reloadIfChanged() }
                }
            }
        }
    }

    static func translate(_ e: Error, host: String, port: UInt16) -> Error {
        if let s = e as? SocketError, case .failed(let type, let errno, let message) = s {
            if errno == EADDRINUSE { return ServeError.portInUse(host: host, port: port) }
            return ServeError.cannotListen(host: host, port: port, reason: "\(type.lowercased()): \(message)")
        }
        return e
    }

    /// Serves until `stop` is called.
    public func wait() async {
        await runTask?.value
    }

    public func stop() async {
        watchTask?.cancel()
        await server?.stop(timeout: 1)
        await runTask?.value
        app.close()
    }

    /// Host names a request may address: a page of another site that resolves its own name to this
    /// machine (DNS rebinding) is refused.
    func hostAllowed(_ hostHeader: String?) -> Bool {
        guard let h = hostHeader?.lowercased(), !h.isEmpty else { return false }
        var name = h
        if name.hasPrefix("[") { name = String(name.prefix { $0 != "]" }) + "]" }
        else if let c = name.lastIndex(of: ":"), name.filter({ $0 == ":" }).count == 1 { name = String(name[..<c]) }
        var allowed: Set<String> = ["127.0.0.1", "localhost", "[::1]"]
        let host = config.host.lowercased()
        allowed.insert(host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host)
        if host == "0.0.0.0" || host == "::" { return true }
        return allowed.contains(name)
    }

    static func securityHeaders() -> [(String, String)] {
        [("Content-Security-Policy", contentSecurityPolicy), ("X-Content-Type-Options", "nosniff"),
         ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY"), ("Cross-Origin-Opener-Policy", "same-origin"),
         ("Cross-Origin-Resource-Policy", "same-origin")]
    }

    func respond(_ reply: Reply, head: Bool = false) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers[.contentType] = reply.contentType
        for (k, v) in Self.securityHeaders() { headers[HTTPHeader(k)] = v }
        for (k, v) in reply.headers { headers[HTTPHeader(k)] = v }
        if reply.status >= 400 && reply.status != 404 { headers[.connection] = "close" }
        return HTTPResponse(statusCode: HTTPStatusCode(reply.status, phrase: Self.phrase(reply.status)), headers: headers,
                            body: head ? Data() : reply.body)
    }

    static func phrase(_ s: Int) -> String {
        switch s {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 413: return "Payload Too Large"
        case 415: return "Unsupported Media Type"
        case 421: return "Misdirected Request"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }

    struct Handler: HTTPHandler {
        let server: KGServer

        func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
            let s = server
            guard s.hostAllowed(request.headers[.host]) else {
                return s.respond(APIError(.forbidden, "this server answers only requests addressed to \(s.url) (Host header \(request.headers[.host] ?? "missing") refused)").reply)
            }
            guard let (segments, query) = Request.parseTarget(request.target.rawValue) else {
                return s.respond(APIError(.badRequest, "the request path is not valid").reply)
            }
            var headers: [String: String] = [:]
            for h in request.headers.keys { headers[h.rawValue.lowercased()] = request.headers[h] }
            let method = request.method.rawValue.uppercased()
            // The body, read only up to the limit: a larger one is refused before it is read.
            var body = Data()
            let limit = s.config.maxBodyBytes
            if let len = request.headers[.contentLength].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), len > limit {
                return s.respond(APIError(.payloadTooLarge, "the request body has \(len) bytes, more than the limit of \(limit) bytes (\(limit >> 20) MiB)").reply)
            }
            if method != "GET" && method != "HEAD" {
                do {
                    for try await chunk in request.bodySequence {
                        body.append(chunk)
                        if body.count > limit {
                            return s.respond(APIError(.payloadTooLarge, "the request body is larger than the limit of \(limit) bytes (\(limit >> 20) MiB)").reply)
                        }
                    }
                } catch {
                    return s.respond(APIError(.badRequest, "the request body could not be read: \(error.localizedDescription)").reply)
                }
            }
            let req = Request(method: method, segments: segments, query: query, headers: headers, body: body)
            let reply = await s.app.handle(req)
            return s.respond(reply, head: method == "HEAD")
        }
    }
}
