import ArgumentParser
import Foundation
import KGServe

/// `kg serve`: the knowledge base in the browser. See docs/SERVE.md.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the knowledge base as a local web page: find, concept cards with drawings, evidence to the sentence, Cypher, review of new readings.",
        discussion: """
            Starts a web server on 127.0.0.1 (this machine only, unless --host names another address) and \
            prints its URL. The page needs no network: every script and style comes from kg itself. When a \
            .kg file changes on disk the page reloads the graph, or shows the errors if it no longer loads.

            The server is read-only unless --allow-writes is given: then Cypher updates are saved as \
            `kg query --save` saves them, and the reviewed proposals of a new reading are written as \
            `kg link --apply` writes them. Queries have the limits of `kg query` (--timeout, --max-rows). \
            Stop the server with Ctrl-C. See docs/SERVE.md for the pages and the JSON API.

            \(KGExit.help)
            """)

    @OptionGroup var graphOptions: GraphOptions

    @Option(help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "n"))
    var port: Int = 8484

    @Option(help: ArgumentHelp("Address to listen on: 127.0.0.1, ::1, or e.g. 0.0.0.0 to let other machines in.", valueName: "address"))
    var host: String = "127.0.0.1"

    @Flag(help: "Open the page in the default browser (xdg-open).")
    var open = false

    @Flag(name: .customLong("allow-writes"), help: "Let the page change the graph files (Cypher updates, applying reviewed readings).")
    var allowWrites = false

    @Option(help: ArgumentHelp("Stop a query after this many seconds (0: no limit).", valueName: "s"))
    var timeout: Double = ServeConfig.defaultQueryTimeout

    @Option(name: .customLong("max-rows"), help: ArgumentHelp("Stop a query that holds more than this many rows at once.", valueName: "n"))
    var maxRows: Int = ServeConfig(graphDirectory: "").maxRows

    @Option(name: .customLong("max-upload"), help: ArgumentHelp("Largest request (a pasted or uploaded reading), in bytes.", valueName: "bytes"))
    var maxUpload: Int = 8 << 20

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535") }
        if timeout < 0 { throw ValidationError("--timeout must be 0 or more") }
        if maxRows < 1 { throw ValidationError("--max-rows must be at least 1") }
        if maxUpload < 1024 { throw ValidationError("--max-upload must be at least 1024 bytes") }
    }

    func run() throws {
        var config = ServeConfig(graphDirectory: graphOptions.graphDirectory)
        config.readings = graphOptions.readings
        config.host = host
        config.port = UInt16(port)
        config.allowWrites = allowWrites
        config.queryTimeout = timeout
        config.maxRows = maxRows
        config.maxBodyBytes = maxUpload
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: config.graphDirectory, isDirectory: &isDir), isDir.boolValue else {
            eprint("error: graph folder '\(config.graphDirectory)' not found (pass --graph DIR or set KG_GRAPH)")
            throw ExitCode(1)
        }
        let server: KGServer
        do { server = try KGServer(config: config) } catch { eprint("\(error)"); throw ExitCode(1) }
        let done = DispatchSemaphore(value: 0)
        let failure = LockedError()
        Task {
            do {
                try await server.start()
                var line = "kg serve: \(server.url)  (graph \(config.graphDirectory), \(allowWrites ? "writes allowed" : "read-only"); Ctrl-C stops)"
                if host != "127.0.0.1" && host != "localhost" && host != "::1" {
                    line += "\nwarning: listening on \(host): other machines that reach this address can read the graph" + (allowWrites ? " and change it" : "")
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
            src.setEventHandler {
                Task { await server.stop(); done.signal() }
            }
            src.resume()
            return src
        }
        done.wait()
        _ = sources
        if let e = failure.get() {
            eprint("\(e)")
            throw ExitCode(1)
        }
    }

    static func openBrowser(_ url: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["xdg-open", url]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { eprint("note: could not open a browser (xdg-open); open \(url) yourself") }
    }
}

final class LockedError: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    func set(_ e: Error) { lock.lock(); error = e; lock.unlock() }
    func get() -> Error? { lock.lock(); defer { lock.unlock() }; return error }
}
