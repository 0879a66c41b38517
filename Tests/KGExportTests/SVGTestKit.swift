import CLibXML2
import Foundation

/// Helpers of the SVG tests: parse an SVG with libxml2 into a small element tree, find the package
/// root and the built `kg` binary, run processes.
enum SVGTestKit {
    final class Element {
        var name: String
        var attributes: [String: String] = [:]
        var children: [Element] = []
        var text = ""
        init(name: String) { self.name = name }
        func all() -> [Element] { [self] + children.flatMap { $0.all() } }
        var childElements: [Element] { children }
    }

    /// Parses `svg` (no network, no entities); nil when it is not well-formed XML.
    static func parse(_ svg: String) -> Element? {
        xmlInitParser()
        let bytes = Array(svg.utf8)
        let opts = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        guard let doc = bytes.withUnsafeBufferPointer({ buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                xmlReadMemory($0, Int32(bytes.count), "test.svg", "UTF-8", opts)
            }
        }) else { return nil }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { return nil }
        func convert(_ node: xmlNodePtr) -> Element {
            let e = Element(name: String(cString: node.pointee.name))
            var a = node.pointee.properties
            while let attr = a {
                let name = String(cString: attr.pointee.name)
                if let v = xmlGetProp(node, attr.pointee.name) {
                    e.attributes[name] = String(cString: v)
                    kg_xmlFree(v)
                }
                a = attr.pointee.next
            }
            var c = node.pointee.children
            while let child = c {
                if child.pointee.type == XML_ELEMENT_NODE { e.children.append(convert(child)) }
                else if child.pointee.type == XML_TEXT_NODE, let content = child.pointee.content { e.text += String(cString: content) }
                c = child.pointee.next
            }
            return e
        }
        return convert(root)
    }

    static var packageRoot: URL {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u
    }

    /// The `kg` binary next to the running test bundle (any --scratch-path), if it was built.
    static var kgBinary: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("kg").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        let b = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("kg").path
        return FileManager.default.isExecutableFile(atPath: b) ? b : nil
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    @discardableResult
    static func run(_ exe: String, _ args: [String], cwd: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        let (status, out, err) = try Support.run(exe, args, cwd: cwd)
        return (status, out, err)
    }

    static func tempDir() -> URL {
        let u = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kg-svg-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}
