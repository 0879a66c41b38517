import ArgumentParser
import Foundation
import KGServe
import KGServeOptions

/// The server program behind `kg serve` (docs/SERVE.md). `kg serve` starts it; it can also be run
/// as it is (`swift run kg-serve`).
struct KGServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kg-serve",
        abstract: "Serve the knowledge base as a local web page (the program behind `kg serve`).",
        discussion: ServeOptions.discussion + "\n\n" + """
            Exit codes: 0 success; 1 errors in the graph or the input (diagnostics on stderr); \
            64 usage errors (unknown option, bad argument; ArgumentParser's EX_USAGE).
            """)

    @OptionGroup var options: ServeOptions

    @Option(name: .customLong("kg"), help: ArgumentHelp("The kg program that reviews and applies new readings (default: kg next to kg-serve, else on the PATH).",
                                                         valueName: "path"))
    var kgProgram: String?

    func run() throws {
        var config = ServeConfig(graphDirectory: options.graphDirectory)
        config.readings = options.readings
        config.host = options.host
        config.port = UInt16(options.port)
        config.allowWrites = options.allowWrites
        config.queryTimeout = options.timeout
        config.maxRows = options.maxRows
        config.maxBodyBytes = options.maxUpload
        config.kgExecutable = kgProgram
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: config.graphDirectory, isDirectory: &isDir), isDir.boolValue else {
            fail("error: graph folder '\(config.graphDirectory)' not found (pass --graph DIR or set KG_GRAPH)")
        }
        let server: KGServer
        do { server = try KGServer(config: config) } catch { fail("\(error)") }
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        let host = options.host, open = options.open, writes = options.allowWrites
        Task {
            do {
                try await server.start()
                var line = "kg serve: \(server.url)  (graph \(config.graphDirectory), \(writes ? "writes allowed" : "read-only"); Ctrl-C stops)"
                if host != "127.0.0.1" && host != "localhost" && host != "::1" {
                    line += "\nwarning: listening on \(host): other machines that reach this address can read the graph" + (writes ? " and change it" : "")
                }
                print(line)
                fflush(stdout)
                if open { Self.openBrowser(server.url) }
                await server.wait()
            } catch {
                failure.set(error)
            }
            done.signal()
        }
        // Ctrl-C and termination: stop serving, remove the texts under review, exit 0.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            src.setEventHandler { Task { await server.stop(); done.signal() } }
            src.resume()
            return src
        }
        done.wait()
        _ = sources
        if let e = failure.get() { fail("\(e)") }
    }

    func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(1)
    }

    static func openBrowser(_ url: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["xdg-open", url]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch {
            FileHandle.standardError.write(Data("note: could not open a browser (xdg-open); open \(url) yourself\n".utf8))
        }
    }
}

final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    func set(_ e: Error) { lock.lock(); error = e; lock.unlock() }
    func get() -> Error? { lock.lock(); defer { lock.unlock() }; return error }
}

KGServeCommand.main()
