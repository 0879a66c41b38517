import Foundation

/// The time limit of a linking run: work checks it between sentences (and the matcher between
/// chunks) and stops with `LinkTimeLimit` once it has passed.
public struct Deadline: Sendable {
    public let seconds: Double
    private let end: UInt64

    /// nil for no limit (`seconds` 0 or less).
    public init?(seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return nil }
        self.seconds = seconds
        self.end = DispatchTime.now().uptimeNanoseconds &+ UInt64(min(seconds, 1e9) * 1e9)
    }

    public var passed: Bool { DispatchTime.now().uptimeNanoseconds > end }

    public func check() throws {
        if passed { throw LinkTimeLimit(seconds: seconds) }
    }
}

/// A linking run took longer than its time limit.
public struct LinkTimeLimit: Error, CustomStringConvertible, Equatable {
    public var seconds: Double
    public var description: String {
        "linking took longer than the time limit of \(ReadingInputError.seconds(seconds)) (raise it with --timeout, 0 for none)"
    }
}
