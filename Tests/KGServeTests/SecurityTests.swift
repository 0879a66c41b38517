import Foundation
import KGFormat
import KGServe
import Testing

/// Bad input and hostile requests: clear errors, nothing written, nothing leaked, the server goes on.
@Suite(.serialized) struct SecurityTests {
    @Test func everyAnswerHasTheSecurityHeaders() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        for path in ["/", "/static/app.js", "/api/status", "/api/concepts/nope", "/api/search?q=x"] {
            let r = try await http.get(path)
            #expect(r.headers["content-security-policy"] == KGServer.contentSecurityPolicy, "\(path)")
            #expect(r.headers["x-content-type-options"] == "nosniff")
            #expect(r.headers["x-frame-options"] == "DENY")
        }
        #expect(KGServer.contentSecurityPolicy.contains("script-src 'self'"))
        #expect(!KGServer.contentSecurityPolicy.contains("unsafe"))
    }

    @Test func postsNeedTheSessionTokenAndJSON() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb) { $0.allowWrites = true }; defer { Task { await s.stop() } }
        let http = HTTP(s)
        let before = kb.files()
        let create = ["query": "CREATE (:Concept {id: 'csrf', name: 'csrf'})"]
        // A form or fetch from another site has no token (and cannot read the page to get one).
        #expect(try await http.post("/api/query", create, token: nil).status == 403)
        #expect(try await http.post("/api/query", create, token: "0" + s.app.token.dropFirst()).status == 403)
        #expect(try await http.post("/api/query", create, token: String(s.app.token.prefix(10))).status == 403)
        // A simple cross-site form post is text/plain or form-encoded: refused even with a token.
        #expect(try await http.post("/api/query", create, token: s.app.token, contentType: "text/plain").status == 415)
        #expect(try await http.post("/api/link/apply", ["review": "x"], token: nil).status == 403)
        #expect(try await http.get("/api/query").status == 405)
        #expect(kb.files() == before)
        // Each server has its own token.
        let s2 = try await Fixture.server(kb); defer { Task { await s2.stop() } }
        #expect(s2.app.token != s.app.token)
        #expect(s.app.token.count == 64)
    }

    @Test func requestsForAnotherHostAreRefused() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        #expect(try await http.get("/api/status", headers: ["Host": "attacker.example"]).status == 403)
        #expect(try await http.get("/api/status", headers: ["Host": "attacker.example:\(s.port)"]).status == 403)
        #expect(try await http.get("/api/status", headers: ["Host": "localhost:\(s.port)"]).status == 200)
        #expect(try await http.raw(Array("GET /api/status HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)).status == 403)
    }

    @Test func malformedJSONIsAClearError() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb) { $0.allowWrites = true }; defer { Task { await s.stop() } }
        let http = HTTP(s)
        let before = kb.files()
        let h = ["Content-Type": "application/json", "X-KG-Token": s.app.token]
        for (body, message) in [("{\"query\": ", "not valid JSON"), ("[1, 2]", "must be a JSON object"), ("", "has no body"),
                                ("{\"query\": 5}", "must be a string"), ("\u{FF}\u{FE}", "not valid JSON")] {
            for path in ["/api/query", "/api/link/review", "/api/link/apply"] {
                let r = try await http.request("POST", path, headers: h, body: Data(body.utf8))
                #expect(r.status == 400 || (path == "/api/link/apply" && r.status == 404) || (path == "/api/link/review" && r.status == 400),
                        "\(path) \(body): \(r.status)")
                if path == "/api/query" { #expect(r.errorMessage.contains(message), "\(body): \(r.errorMessage)") }
            }
        }
        #expect(try await http.request("POST", "/api/query", headers: h, body: Data([0xC3, 0x28])).status == 400)
        #expect(kb.files() == before)
        #expect(try await http.get("/api/status").status == 200)
    }

    /// A 50 MB upload is refused before it is read, also when it comes in chunks; nothing is written.
    @Test func largeUploadsAreRefused() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb) { $0.allowWrites = true }; defer { Task { await s.stop() } }
        let http = HTTP(s)
        let before = kb.files()
        let size = 50 << 20
        let head = "POST /api/link/review HTTP/1.1\r\nHost: 127.0.0.1:\(s.port)\r\nConnection: close\r\nContent-Type: application/json\r\n" +
            "X-KG-Token: \(s.app.token)\r\nContent-Length: \(size)\r\n\r\n"
        // The first megabyte of the body: the answer comes before the rest is sent.
        let r = try await http.raw(Array(head.utf8) + Array("{\"text\": \"".utf8) + [UInt8](repeating: 0x61, count: 1 << 20), halfClose: false)
        #expect(r.status == 413)
        #expect(r.errorMessage.contains("more than the limit of 8388608 bytes"))
        // Chunked, without a length: counted while it is read.
        var chunked = Array(("POST /api/link/review HTTP/1.1\r\nHost: 127.0.0.1:\(s.port)\r\nConnection: close\r\nContent-Type: application/json\r\n" +
            "X-KG-Token: \(s.app.token)\r\nTransfer-Encoding: chunked\r\n\r\n").utf8)
        let piece = [UInt8](repeating: 0x61, count: 1 << 20)
        for _ in 0..<10 { chunked += Array(String(piece.count, radix: 16).utf8) + [13, 10] + piece + [13, 10] }
        chunked += Array("0\r\n\r\n".utf8)
        let c = try await http.raw(chunked, halfClose: false)
        #expect(c.status == 413)
        #expect(kb.files() == before)
        #expect(try await http.get("/api/status").status == 200)
    }

    /// Long request lines, many headers, malformed framing: refused at once, the server goes on.
    @Test func requestHeadsAreBounded() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        let host = "Host: 127.0.0.1:\(s.port)\r\n"
        let start = Date()
        let long = try await http.raw(Array(("GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\n" + host + "\r\n").utf8), halfClose: false)
        #expect(long.status == 431)
        #expect(long.errorMessage.contains("longer than 32 KiB"))
        let many = try await http.raw(Array(("GET / HTTP/1.1\r\n" + host + (0..<150).map { "X-H\($0): v\r\n" }.joined() + "\r\n").utf8))
        #expect(many.status == 431)
        #expect(try await http.raw(Array(("GARBAGE\r\n\r\n").utf8)).status == 400)
        #expect(try await http.raw(Array(("GET / HTTP/2.0\r\n" + host + "\r\n").utf8)).status == 505)
        #expect(try await http.raw(Array(("POST /api/query HTTP/1.1\r\n" + host + "Content-Length: 12x\r\n\r\n").utf8)).status == 400)
        #expect(try await http.raw(Array(("POST /api/query HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\n").utf8)).status == 501)
        #expect(Date().timeIntervalSince(start) < 20, "bad requests took \(Date().timeIntervalSince(start)) s")
        // Keep-alive: several requests on one connection, sent at once and one after another.
        let pipelined = try await http.raw(Array((String(repeating: "GET /api/status HTTP/1.1\r\n" + host + "\r\n", count: 5) +
                                                   "GET /api/kinds HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n").utf8))
        #expect(pipelined.status == 200)
        let answers = try await offload { () -> [Int] in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var tv = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = s.port.bigEndian
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &addr) { p in p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            var statuses: [Int] = []
            for path in ["/", "/static/app.css", "/static/cypher.js", "/static/app.js", "/api/status", "/api/kinds"] {
                let req = Array("GET \(path) HTTP/1.1\r\n\(host)\r\n".utf8)
                _ = req.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                // Read one answer: the head, then Content-Length bytes.
                var data = [UInt8](), buf = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = recv(fd, &buf, buf.count, 0)
                    if n <= 0 { return statuses + [-1] }
                    data += buf[0..<n]
                    if let a = try? HTTP.parse(data), let len = a.headers["content-length"].flatMap(Int.init), a.body.count >= len {
                        statuses.append(a.status)
                        break
                    }
                }
            }
            return statuses
        }
        #expect(answers == [200, 200, 200, 200, 200, 200])
        #expect(try await http.get("/api/status").status == 200)
    }

    @Test func readingIdsCannotWalkOutOfTheGraph() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        for path in ["/api/readings/../../etc/passwd", "/api/readings/..%2F..%2Fetc%2Fpasswd", "/api/readings/%2Fetc%2Fpasswd",
                     "/reading/..%2F..%2Fetc%2Fpasswd/x/y", "/api/readings/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/static/..%2F..%2F..%2Fetc%2Fpasswd"] {
            let r = try await http.get(path)
            #expect(r.status == 404, "\(path)")
            #expect(!r.text.contains("root:"), "\(path) leaked a file")
        }
    }

    /// A `path` in a .kg file that leads outside the readings and graph folders, directly or
    /// through a symbolic link, is not opened.
    @Test func readingPathsStayInsideTheFolders() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        try kb.write("evil.kg", """
            reading evil-abs "Absolute"
              path "/etc/passwd"
            reading evil-rel "Relative"
              path "../../../../../../../../etc/passwd"
            reading evil-link "Link"
              path "passwd-link.txt"
            """)
        try FileManager.default.createSymbolicLink(atPath: kb.readings.appendingPathComponent("passwd-link.txt").path, withDestinationPath: "/etc/passwd")
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        for id in ["evil-abs", "evil-rel", "evil-link"] {
            let r = try await http.get("/api/readings/\(id)")
            #expect(r.status == 200)
            #expect(r.json["available"] as? Bool == false, "\(id)")
            #expect((r.json["unavailable"] as? String)?.contains("outside the graph and readings folders") == true, "\(id): \(r.text)")
            #expect(!r.text.contains("root:"))
        }
    }

    /// Names with markup are data: JSON strings for the page (which puts them in as text) and
    /// escaped text in the drawings.
    @Test func markupInNamesStaysText() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let name = "<script>alert(1)</script><img src=x onerror=alert(2)>"
        try kb.write("markup.kg", """
            concept markup-name "\(name)" : Concept
              summary "</title><script>alert(3)</script>"
            markup-name -SUPPORTS-> deception  @day32 L13 "<b>note</b>"
            """)
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        let http = HTTP(s)
        let c = try await http.get("/api/concepts/markup-name")
        #expect(c.status == 200, "\(c.text)")
        #expect(c.json["name"] as? String == name)
        #expect(c.headers["content-type"] == "application/json; charset=utf-8")
        let svg = try await http.get("/api/concepts/markup-name/neighbourhood").json["svg"] as? String ?? ""
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("<img"))
        #expect(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let found = try await http.get("/api/search?q=" + HTTP.escape("<script>alert"))
        #expect((found.json["results"] as? [[String: Any]])?.first?["name"] as? String == name)
        // The page itself never holds graph data: it is fetched as JSON and put in as text.
        #expect(!(try await http.get("/concept/markup-name").text.contains("alert")))
    }

    @Test func aTakenPortIsAClearMessage() async throws {
        let kb = try Fixture.KB(); defer { kb.remove() }
        let s = try await Fixture.server(kb); defer { Task { await s.stop() } }
        var c = ServeConfig(graphDirectory: kb.graph.path)
        c.port = s.port
        c.watchInterval = 0
        let second = try KGServer(config: c)
        do {
            try await second.start()
            Issue.record("a second server started on a taken port")
        } catch {
            #expect("\(error)" == "error: port \(s.port) on 127.0.0.1 is already in use (another kg serve, or another server); choose another with --port N, or --port 0 for any free port")
        }
        second.app.close()
        // The command line says the same and exits 1.
        guard let r = try await Fixture.runKG(["serve", "--graph", kb.graph.path, "--port", String(s.port)]) else { return }
        #expect(r.status == 1)
        #expect(r.err.contains("port \(s.port) on 127.0.0.1 is already in use"))
        #expect(r.out.isEmpty)
        #expect(try await HTTP(s).get("/api/status").status == 200)
    }

    @Test func commandLineErrors() async throws {
        guard let bad = try await Fixture.runKG(["serve", "--port", "70000"]) else { return }
        #expect(bad.status == 64)
        let badHost = try await Fixture.runKG(["serve", "--graph", Fixture.packageRoot.appendingPathComponent("Graph").path, "--host", "not an address", "--port", "0"])!
        #expect(badHost.status == 1)
        #expect(badHost.err.contains("--host 'not an address' is not an IP address"))
        let noGraph = try await Fixture.runKG(["serve", "--graph", "/nonexistent/graph", "--port", "0"])!
        #expect(noGraph.status == 1)
        #expect(noGraph.err.contains("graph folder '/nonexistent/graph' not found"))
        // A kg without the server program next to it says how to build it.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kgserve-alone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Fixture.kg!, to: dir.appendingPathComponent("kg"))
        let alone = try await offload { () -> (Int32, String) in
            let p = Process()
            p.executableURL = dir.appendingPathComponent("kg")
            p.arguments = ["serve", "--port", "0"]
            p.environment = ["PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
            let e = Pipe()
            p.standardError = e
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let err = e.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: err, as: UTF8.self))
        }
        #expect(alone.0 == 1)
        #expect(alone.1.contains("kg serve runs the server program kg-serve, which is not built"))
        #expect(alone.1.contains("swift build --product kg-serve"))
    }
}
