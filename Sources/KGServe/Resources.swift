import Foundation

/// The page's files (HTML, JavaScript, CSS, icon), read once from the package's resource folder:
/// next to the executable (`kg_KGServe.resources`, where SwiftPM puts it), `KG_SERVE_RESOURCES`,
/// or a folder given in the configuration. Only the files listed here are ever served.
struct Resources: Sendable {
    static let types: [String: String] = [
        "index.html": "text/html; charset=utf-8",
        "app.js": "text/javascript; charset=utf-8",
        "cypher.js": "text/javascript; charset=utf-8",
        "app.css": "text/css; charset=utf-8",
        "favicon.svg": "image/svg+xml",
    ]
    let files: [String: Data]

    static func candidates(_ given: String?) -> [String] {
        var out: [String] = []
        if let g = given { out.append(g) }
        if let e = ProcessInfo.processInfo.environment["KG_SERVE_RESOURCES"], !e.isEmpty { out.append(e) }
        var exeDirs: [String] = []
        if let exe = ReadingStore.realPath("/proc/self/exe") { exeDirs.append((exe as NSString).deletingLastPathComponent) }
        exeDirs.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        for d in exeDirs {
            out.append(d + "/kg_KGServe.resources/Resources")
            out.append(d + "/kg_KGServe.resources")
        }
        // Running from the source tree (a test bundle, or a kg built elsewhere).
        let src = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources").path
        out.append(src)
        return out
    }

    static func locate(_ given: String?) throws -> Resources {
        let tried = candidates(given)
        for dir in tried where FileManager.default.fileExists(atPath: dir + "/index.html") {
            var files: [String: Data] = [:]
            for name in types.keys {
                if let d = FileManager.default.contents(atPath: dir + "/" + name) { files[name] = d }
            }
            return Resources(files: files)
        }
        throw ServeError.resourcesMissing(tried.joined(separator: ", "))
    }

    func text(_ name: String) -> String? { files[name].map { String(decoding: $0, as: UTF8.self) } }

    func reply(_ name: String) -> Reply? {
        guard let d = files[name], let t = Self.types[name] else { return nil }
        return Reply(status: 200, contentType: t, body: d, headers: [("Cache-Control", "no-cache")])
    }
}
