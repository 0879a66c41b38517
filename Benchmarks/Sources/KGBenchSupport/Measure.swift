import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timing and memory probes for the benchmark helpers.
public enum Measure {
    /// Monotonic clock in seconds.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Runs `body` and returns its result with the elapsed wall-clock seconds.
    @inline(never)
    public static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let t0 = now()
        let r = try body()
        return (r, now() - t0)
    }

    /// Peak resident set size of this process so far, in MiB (getrusage; Linux reports KiB).
    public static func peakRSSMB() -> Double {
        var u = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &u)
        #else
        getrusage(RUSAGE_SELF, &u)
        #endif
        #if canImport(Darwin)
        return Double(u.ru_maxrss) / (1024 * 1024)
        #else
        return Double(u.ru_maxrss) / 1024
        #endif
    }

    /// Current resident set size in MiB (from /proc/self/statm on Linux; nil elsewhere).
    public static func currentRSSMB() -> Double? {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let f = s.split(separator: " ")
        guard f.count > 1, let pages = Double(f[1]) else { return nil }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / (1024 * 1024)
    }

    public static func median(_ xs: [Double]) -> Double {
        precondition(!xs.isEmpty)
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// Prints one JSON object on stdout (what compare.py reads).
public func printJSON(_ obj: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Where the generated benchmark data lives: `KG_BENCH_DATA`, else `Benchmarks/data` (made by
/// `python3 Benchmarks/compare.py --prepare-only`).
public func benchDataDirectory(file: String = #filePath) -> URL {
    if let d = ProcessInfo.processInfo.environment["KG_BENCH_DATA"], !d.isEmpty {
        return URL(fileURLWithPath: d, isDirectory: true)
    }
    // .../Benchmarks/Sources/KGBenchSupport/Measure.swift -> .../Benchmarks/data
    return URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data", isDirectory: true)
}

public struct BenchDataMissing: Error, CustomStringConvertible {
    public let path: String
    public var description: String {
        "benchmark data \(path) not found: run `python3 Benchmarks/compare.py --prepare-only` (or set KG_BENCH_DATA)"
    }
}

public func requireData(_ relative: String) throws -> URL {
    let u = benchDataDirectory().appendingPathComponent(relative)
    guard FileManager.default.fileExists(atPath: u.path) else { throw BenchDataMissing(path: u.path) }
    return u
}

/// Runs `body`; on error prints the error to stderr and exits with status 1 (benchmark set-up
/// failures such as missing data are reported, not crashed on).
public func orExit<T>(_ body: () throws -> T) -> T {
    do {
        return try body()
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}
