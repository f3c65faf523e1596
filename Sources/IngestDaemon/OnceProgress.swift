import Foundation

/// The progress bar of `ingestd once` on a terminal: documents done of the total, the rate and
/// the time left, redrawn at most ten times a second on stderr under the log lines. Nothing is
/// drawn when stderr is not a terminal or there are few inputs.
final class OnceProgress {
    /// Below this many inputs the run is over before a bar would tell anything.
    static let minimumInputs = 21

    private let timer: any DispatchSourceTimer
    private let queue = DispatchQueue(label: "ingestd.once.progress")
    private let output: LogOutput

    static func start(total: Int, output: LogOutput = .standardError, done: @escaping @Sendable () -> Int) -> OnceProgress? {
        guard total >= minimumInputs, Terminal.isTerminal(2) else { return nil }
        return OnceProgress(total: total, output: output, done: done)
    }

    private init(total: Int, output: LogOutput, done: @escaping @Sendable () -> Int) {
        self.output = output
        let started = DispatchTime.now()
        timer = DispatchSource.makeTimerSource(queue: queue)
        let draw: @Sendable () -> Void = {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            output.setStatusLine(ProgressLine.render(done: done(), total: total, elapsed: elapsed, width: Terminal.columns(2) ?? 80))
        }
        // Drawn once now, so even a run shorter than a redraw shows where it started.
        draw()
        timer.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
        timer.setEventHandler(handler: draw)
        timer.resume()
    }

    /// Stops redrawing and clears the bar, leaving the terminal as it was.
    func finish() {
        timer.cancel()
        // A redraw already running would otherwise put the bar back after it is cleared.
        queue.sync {}
        output.setStatusLine(nil)
    }
}

/// `[#######-------]  350/1000  112.4 docs/s  ETA 0:06`, fitted to `width` columns.
enum ProgressLine {
    static func render(done: Int, total: Int, elapsed: Double, width: Int) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 && done < total ? clock(Double(total - done) / rate) : "--:--"
        let tail = "  \(done)/\(total)  " + String(format: "%.1f docs/s", rate) + "  ETA \(eta)"
        // The bar takes what the numbers leave, up to 40 columns; none on a very narrow terminal.
        let barWidth = min(40, width - 1 - tail.count - 2)
        guard barWidth >= 5, total > 0 else { return String(tail.dropFirst(2).prefix(max(0, width - 1))) }
        let filled = min(barWidth, barWidth * done / total)
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]" + tail
    }

    /// `m:ss`, or `h:mm:ss` from an hour on.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return s >= 3600 ? "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
    }
}
