/// SplitMix64: a small seeded pseudo-random generator, so `kg generate` and the property tests
/// build the same graph from the same seed on every machine. (KGLayout, which depends on nothing,
/// keeps its own `SplitMix64` for seeded restarts.)
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (0 when `n` < 1).
    public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// A number in `0..<1` with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    public mutating func bool() -> Bool { next() & 1 == 1 }

    /// True with probability `percent` / 100.
    public mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
}
