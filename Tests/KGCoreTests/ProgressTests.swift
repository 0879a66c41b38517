import Foundation
import KGCore
import Testing

@Suite struct ProgressTests {
    final class Sink: @unchecked Sendable {
        var text = ""
        let lock = NSLock()
        func add(_ s: String) { lock.lock(); text += s; lock.unlock() }
    }

    @Test func lineShowsBarCountsAndRate() {
        let l = ProgressReporter.line(label: "loading", done: 412_000, total: 1_000_000, unit: "edges", seconds: 2)
        #expect(l == "loading  [########------------]   41%  412,000/1,000,000 edges  206k/s")
        let b = ProgressReporter.line(label: "reading", done: 5_000_000, total: nil, unit: "bytes", seconds: 1)
        #expect(b == "reading  5.0 MB  5.0 MB/s")
    }

    @Test func quietWhenDisabledOrQuick() {
        let sink = Sink()
        let off = ProgressReporter("x", total: 10, enabled: false, write: sink.add)
        for _ in 0..<10 { off.advance() }
        off.finish()
        let quick = ProgressReporter("y", total: 10, delay: 60, enabled: true, write: sink.add)
        for _ in 0..<10 { quick.advance() }
        quick.finish()
        #expect(sink.text.isEmpty)
    }

    @Test func drawsFromSeveralThreadsAndClearsAtTheEnd() {
        let sink = Sink()
        let p = ProgressReporter("work", total: 20_000, unit: "items", delay: 0, enabled: true, write: sink.add)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in for _ in 0..<5_000 { p.advance() } }
        p.update(20_000)
        Thread.sleep(forTimeInterval: 0.11)
        p.update(20_000)
        p.finish()
        p.finish()
        #expect(sink.text.contains("20,000/20,000 items"))
        #expect(sink.text.hasSuffix("\r\u{1B}[K"))
        #expect(sink.text.components(separatedBy: "\r\u{1B}[K").count >= 3)
    }
}
