import Foundation
import KGQuery

/// How `kg serve` runs. The defaults are those of the command line.
public struct ServeConfig: Sendable {
    public var graphDirectory: String
    /// `--readings` (nil: `KG_READINGS`, else `readings` in kg.conf, as every command resolves it).
    public var readings: String?
    /// Address to listen on; 127.0.0.1 unless the user names another.
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port: UInt16 = 8484
    /// Whether the page may change the graph files: Cypher updates (saved as `kg query --save` saves)
    /// and applying the reviewed proposals of a new reading (as `kg link --apply` writes). Without it
    /// the server writes nothing; a review still shows what applying would write.
    public var allowWrites = false
    /// How long a write from the page waits for another kg process writing the graph folder (its
    /// writer lock) before it is refused with nothing saved.
    public var writeLockWait: Double = 10
    /// The same limits as `kg query`: time per statement, rows held at once, memory per query.
    public var queryTimeout: Double = ServeConfig.defaultQueryTimeout
    public var maxRows: Int = QueryLimits().maxRows
    public var maxMemory: Int? = QueryLimits().maxMemory
    /// Rows a query answer carries to the page (the count says how many there were).
    public var rowsShown = 1000
    /// Largest request body (a pasted or uploaded reading, a query).
    public var maxBodyBytes = 8 << 20
    /// Queries that may run at once (one per core); more are told to wait.
    public var maxConcurrentQueries = 2
    /// Nodes a drawing of a query result may have.
    public var maxDrawnNodes = 150
    /// How often the folder is checked for changed files, in seconds (0: never).
    public var watchInterval = 1.0
    /// The `kg` executable that reviews and applies new readings (`kg link`); nil: this process.
    public var kgExecutable: String?
    /// Folder of index.html, app.js, …; nil: the package's resource bundle next to the executable.
    public var resourcesDirectory: String?
    /// The session token POSTs must carry; nil: a random one.
    public var token: String?

    /// `kg query`'s default time limit when it has one, else 60 seconds: a page must never wait forever.
    public static var defaultQueryTimeout: Double {
        if let t = QueryLimits().timeout, t > 0 { return t }
        return 60
    }

    public init(graphDirectory: String) {
        self.graphDirectory = graphDirectory
    }
}

public enum ServeError: Error, CustomStringConvertible {
    case portInUse(host: String, port: UInt16)
    case cannotListen(host: String, port: UInt16, reason: String)
    case badHost(String)
    case resourcesMissing(String)

    public var description: String {
        switch self {
        case .portInUse(let h, let p):
            return "error: port \(p) on \(h) is already in use (another kg serve, or another server); choose another with --port N, or --port 0 for any free port"
        case .cannotListen(let h, let p, let r):
            return "error: cannot listen on \(h) port \(p): \(r)"
        case .badHost(let h):
            return "error: --host '\(h)' is not an IP address (use e.g. 127.0.0.1, ::1, 0.0.0.0 or localhost)"
        case .resourcesMissing(let where_):
            return "error: the page files of kg serve were not found (looked in \(where_)); rebuild kg with `swift build`, or set KG_SERVE_RESOURCES to the folder Sources/KGServe/Resources"
        }
    }
}
