// libFuzzer target: the GraphML reader (docs/RELIABILITY.md, "Fuzzing").
//
// The input is a GraphML document, read as `kg import graphml` reads it (libxml2's streaming
// reader without network, entities or DTDs, kg's depth and size limits). A document that reads is
// rendered as .kg text and loaded, as the import checks it before writing.
import Foundation
import KGCore
import KGExport
import KGFormat

// The reader takes a path: inputs go through one file in memory-backed /dev/shm when there is one.
let inputPath: String = {
    let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return dir + "/kg-fuzz-graphml-\(getpid()).graphml"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGraphML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: inputPath, contents: Data(bytes: data, count: size)) else {
        fatalError("cannot write \(inputPath)")
    }
    var options = GraphMLImportOptions()
    options.maxElements = 100_000
    guard let imported = try? GraphMLReader.read(path: inputPath, options: options) else { return 0 }
    let text = KGPrinter.render(graph: imported.graph)
    _ = GraphLoader.load(files: [("Graph/imported/fuzz.kg", text)])
    return 0
}
