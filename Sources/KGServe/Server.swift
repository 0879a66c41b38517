import Foundation
import FlyingSocks

/// `kg serve`'s HTTP server: FlyingFox's socket layer (FlyingSocks: non-blocking sockets on epoll,
/// async accept/read/write) with HTTP/1.1 framing of our own that bounds every part of a request
/// (FlyingFox's own request decoder takes quadratic time in the length of a line, so a 100 KB
/// request line kept a core busy for minutes; docs/SERVE.md). Every request is handed to `KGApp`,
/// with the security rules applied to all of them (allowed Host names, size limits, headers).
public final class KGServer: @unchecked Sendable {
    public let app: KGApp
    let config: ServeConfig
    private var listener: Socket?
    private var runTask: Task<Void, Never>?
    private var watchTask: Task<Void, Never>?
    private let failure = Locked<Error?>(nil)
    private let connections = Locked<[Int32: AsyncSocket]>([:])
    public private(set) var port: UInt16 = 0

    /// Limits of the request framing (the body limit is the configuration's `maxBodyBytes`).
    public static let maxHeadBytes = 32 << 10
    public static let maxHeaders = 100
    /// Time to read one whole request (head and body), and to wait for the next one on a connection.
    public static let readTimeout = 60.0

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
        let socket = try Socket(domain: Int32(type(of: addr).family))
        try socket.setValue(true, for: .localAddressReuse)
        do {
            try socket.bind(to: addr)
            try socket.listen()
        } catch {
            try? socket.close()
            throw Self.translate(error, host: config.host, port: config.port)
        }
        if let a = try? socket.sockname() {
            switch a {
            case .ip4(_, let p), .ip6(_, let p): port = p
            default: break
            }
        }
        let pool: some AsyncSocketPool = .make(maxEvents: 64)
        try await pool.prepare()
        let async = try AsyncSocket(socket: socket, pool: pool)
        listener = socket
        runTask = Task(executorPreference: Self.executor) { [failure] in
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await pool.run() }
                    group.addTask { [self] in
                        for try await conn in async.sockets {
                            let fd = conn.socket.file.rawValue
                            connections.with { $0[fd] = conn }
                            Task.detached(executorPreference: Self.executor) { [self] in
                                await serve(conn)
                                connections.with { $0[fd] = nil }
                                try? conn.close()
                            }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            } catch is CancellationError {
            } catch SocketError.disconnected {
            } catch {
                failure.with { $0 = error }
            }
        }
        if config.watchInterval > 0 {
            let interval = config.watchInterval
            watchTask = Task.detached(executorPreference: Self.executor) { [app] in
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

    /// The threads the server's own tasks run on (accepting, reading and answering connections,
    /// watching the folder): not Swift's cooperative pool, which other work in the same process
    /// (a library user's tasks, a test run) may keep busy for long stretches.
    static let executor = ServerExecutor()

    /// Serves until `stop` is called.
    public func wait() async {
        await runTask?.value
    }

    public func stop() async {
        watchTask?.cancel()
        try? listener?.close()
        runTask?.cancel()
        for c in connections.with({ Array($0.values) }) { try? c.close() }
        await runTask?.value
        app.close()
    }

    // MARK: Connections

    /// One connection: requests in turn (keep-alive), each read within the limits and the time limit.
    func serve(_ conn: AsyncSocket) async {
        let reader = RequestReader(conn, maxBody: config.maxBodyBytes)
        while !Task.isCancelled {
            let outcome: RequestReader.Outcome
            do {
                outcome = try await Self.withTimeout(Self.readTimeout) { try await reader.read() }
            } catch {
                return  // silent client, timeout or broken connection
            }
            switch outcome {
            case .closed:
                return
            case .refused(let error):
                try? await conn.write(Self.encode(respond(error.reply), keepAlive: false, head: false))
                return
            case .request(let r):
                let reply = await handle(r)
                let keep = r.keepAlive && reply.status < 400
                do { try await conn.write(Self.encode(respond(reply), keepAlive: keep, head: r.method == "HEAD")) } catch { return }
                if !keep { return }
            }
        }
    }

    static func withTimeout<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                throw CancellationError()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
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

    /// A framed request, checked and handed to the app.
    func handle(_ r: RequestReader.Raw) async -> Reply {
        guard hostAllowed(r.headers["host"]) else {
            return APIError(.forbidden, "this server answers only requests addressed to \(url) (Host header \(r.headers["host"] ?? "missing") refused)").reply
        }
        guard let (segments, query) = Request.parseTarget(r.target) else {
            return APIError(.badRequest, "the request path is not valid").reply
        }
        return await app.handle(Request(method: r.method, segments: segments, query: query, headers: r.headers, body: r.body))
    }

    static func securityHeaders() -> [(String, String)] {
        [("Content-Security-Policy", contentSecurityPolicy), ("X-Content-Type-Options", "nosniff"),
         ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY"), ("Cross-Origin-Opener-Policy", "same-origin"),
         ("Cross-Origin-Resource-Policy", "same-origin")]
    }

    func respond(_ reply: Reply) -> Reply {
        var r = reply
        r.headers = Self.securityHeaders() + reply.headers
        return r
    }

    static func encode(_ reply: Reply, keepAlive: Bool, head: Bool) -> Data {
        var h = "HTTP/1.1 \(reply.status) \(phrase(reply.status))\r\n"
        h += "Content-Type: \(reply.contentType)\r\nContent-Length: \(reply.body.count)\r\n"
        for (k, v) in reply.headers {
            // Header values never carry line breaks (they could split the answer).
            let clean = v.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            h += "\(k): \(clean)\r\n"
        }
        h += "Connection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        var d = Data(h.utf8)
        if !head { d.append(reply.body) }
        return d
    }

    static func phrase(_ s: Int) -> String {
        switch s {
        case 100: return "Continue"
        case 200: return "OK"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Payload Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }
}

/// Reads HTTP/1.1 requests from a connection, bounding everything: the head (request line and
/// headers) to 32 KiB and 100 headers, the body to the configured limit, refused by its declared
/// length before it is read or, when chunked, as soon as it passes the limit. Linear in the bytes.
final class RequestReader: @unchecked Sendable {
    struct Raw: Sendable {
        var method: String
        var target: String
        var headers: [String: String]
        var body: Data
        var keepAlive: Bool
    }
    enum Outcome: Sendable {
        case request(Raw)
        /// The client closed the connection (between requests, or in the middle of one).
        case closed
        /// The request breaks a rule: answer with this error and close.
        case refused(APIError)
    }

    let conn: AsyncSocket
    let maxBody: Int
    private var buffer: [UInt8] = []
    private var start = 0

    init(_ conn: AsyncSocket, maxBody: Int) {
        self.conn = conn
        self.maxBody = maxBody
    }

    private var available: Int { buffer.count - start }

    /// Reads more bytes (appended: indexes into the buffer stay valid); false at the end of the connection.
    private func fill() async throws -> Bool {
        do {
            let more = try await conn.read(atMost: 65536)
            if more.isEmpty { return false }
            buffer += more
            return true
        } catch SocketError.disconnected {
            return false
        }
    }

    private func take(_ n: Int) -> ArraySlice<UInt8> {
        let s = buffer[start..<(start + n)]
        start += n
        return s
    }

    /// The index of the first CRLF at or after `from` within the available bytes.
    private func findCRLF(from: Int) -> Int? {
        var i = max(start, from)
        while i + 1 < buffer.count {
            if buffer[i] == 13 && buffer[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }

    func read() async throws -> Outcome {
        // What the last request left over (a pipelined next request) moves to the front.
        if start > 0 { buffer.removeFirst(start); start = 0 }
        // The head ends with an empty line.
        var scanned = start
        var headEnd: Int? = nil
        while headEnd == nil {
            var i = max(start, scanned - 3)
            while i + 3 < buffer.count {
                if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { headEnd = i; break }
                i += 1
            }
            scanned = buffer.count
            if headEnd != nil { break }
            if available > KGServer.maxHeadBytes {
                return .refused(APIError(.requestHeaderFieldsTooLarge, "the request line and headers are longer than \(KGServer.maxHeadBytes >> 10) KiB"))
            }
            // Blank lines before a request are allowed (RFC 9112 §2.2).
            while available >= 2 && buffer[start] == 13 && buffer[start + 1] == 10 { start += 2; scanned = start }
            guard try await fill() else { return .closed }
        }
        let headLength = headEnd! - start
        if headLength > KGServer.maxHeadBytes {
            return .refused(APIError(.requestHeaderFieldsTooLarge, "the request line and headers are longer than \(KGServer.maxHeadBytes >> 10) KiB"))
        }
        let head = String(decoding: take(headLength), as: UTF8.self)
        start += 4
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, !requestLine[0].isEmpty, requestLine[0].allSatisfy({ $0.isASCII && $0.isLetter }),
              requestLine[1].hasPrefix("/") else {
            return .refused(APIError(.badRequest, "the request line is not METHOD /path HTTP/1.1"))
        }
        let version = requestLine[2]
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .refused(APIError(.httpVersion, "only HTTP/1.1 and HTTP/1.0 are served"))
        }
        guard lines.count <= KGServer.maxHeaders else {
            return .refused(APIError(.requestHeaderFieldsTooLarge, "the request has more than \(KGServer.maxHeaders) headers"))
        }
        var headers: [String: String] = [:]
        for l in lines {
            guard let c = l.firstIndex(of: ":"), c != l.startIndex, !l[..<c].contains(" "), !l.hasPrefix(" "), !l.hasPrefix("\t") else {
                return .refused(APIError(.badRequest, "a header line is not Name: value"))
            }
            let name = l[..<c].lowercased()
            let value = l[l.index(after: c)...].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
            if name == "content-length", let old = headers[name], old != value {
                return .refused(APIError(.badRequest, "two different Content-Length headers"))
            }
            headers[name] = headers[name].map { name == "content-length" ? $0 : $0 + ", " + value } ?? value
        }
        let method = String(requestLine[0]).uppercased()
        let connection = (headers["connection"] ?? "").lowercased()
        let keepAlive = version == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        let expectContinue = (headers["expect"] ?? "").lowercased() == "100-continue"

        // The body: by declared length, or chunked; refused over the limit before it is read.
        var body = Data()
        if let te = headers["transfer-encoding"] {
            guard headers["content-length"] == nil else {
                return .refused(APIError(.badRequest, "Content-Length and Transfer-Encoding cannot both be given"))
            }
            guard te.lowercased() == "chunked" else {
                return .refused(APIError(.notImplemented, "only the chunked transfer coding is understood"))
            }
            if expectContinue { try await conn.write(Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
            while true {
                var lineEnd = findCRLF(from: start)
                while lineEnd == nil {
                    if available > 1024 { return .refused(APIError(.badRequest, "a chunk size line is too long")) }
                    guard try await fill() else { return .closed }
                    lineEnd = findCRLF(from: start)
                }
                let sizeText = String(decoding: take(lineEnd! - start), as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
                start += 2
                guard sizeText.count <= 16, let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                    return .refused(APIError(.badRequest, "a chunk size is not a hexadecimal number"))
                }
                if body.count + size > maxBody {
                    return .refused(APIError(.payloadTooLarge, "the request body is larger than the limit of \(maxBody) bytes (\(maxBody >> 20) MiB)"))
                }
                if size == 0 {
                    // Trailers, up to the empty line.
                    while true {
                        var e = findCRLF(from: start)
                        while e == nil {
                            if available > KGServer.maxHeadBytes { return .refused(APIError(.requestHeaderFieldsTooLarge, "the trailers are too long")) }
                            guard try await fill() else { return .closed }
                            e = findCRLF(from: start)
                        }
                        let empty = e! == start
                        start = e! + 2
                        if empty { break }
                    }
                    break
                }
                while available < size + 2 { guard try await fill() else { return .closed } }
                body.append(contentsOf: take(size))
                guard buffer[start] == 13, buffer[start + 1] == 10 else { return .refused(APIError(.badRequest, "a chunk does not end with CRLF")) }
                start += 2
            }
        } else if let cl = headers["content-length"] {
            guard !cl.isEmpty, cl.count <= 18, cl.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(cl) else {
                return .refused(APIError(.badRequest, "Content-Length is not a number"))
            }
            if n > maxBody {
                return .refused(APIError(.payloadTooLarge, "the request body has \(n) bytes, more than the limit of \(maxBody) bytes (\(maxBody >> 20) MiB)"))
            }
            if expectContinue && n > 0 { try await conn.write(Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
            while available < n { guard try await fill() else { return .closed } }
            body = Data(take(n))
        }
        return .request(Raw(method: method, target: String(requestLine[1]), headers: headers, body: body, keepAlive: keepAlive))
    }
}

/// Runs jobs on a concurrent dispatch queue of the server's own, which adds threads when some
/// block (a blocking poll of the socket pool, a long drawing), so answering never waits for
/// Swift's cooperative pool (one thread per core).
final class ServerExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "kg-serve", qos: .userInitiated, attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
