import ArgumentParser
import FlashSaleClient
import FlashSaleServer
import FlashSaleRedis
import Foundation

/// `flashsale top`: a live dashboard that reads only Redis.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Live dashboard read from Redis only: per SKU pool, leased, reserved, paid, cancelled, expired; orders/s; rejections; nodes; conservation."
    )

    @OptionGroup var redis: RedisOption<OneURL>

    @Option(help: "Show only this sale.")
    var sale: String?

    @Option(help: "Seconds between frames.")
    var interval: Double = 1

    @Flag(help: "Print one frame to stdout and exit (exit status 2 if conservation is violated).")
    var once = false

    func run() throws {
        let url = redis.url
        let session: BlockingRedisSession
        do {
            session = try BlockingRedisSession(url: url)
        } catch {
            throw RuntimeFailure("cannot connect to Redis at \(RedisEndpoint.redacted(url)): \(error)")
        }
        defer { session.close() }
        let reader = DashboardReader(session: session)
        if once {
            let snapshot = try reader.read(onlySale: sale)
            FileHandle.standardOutput.write(Data(DashboardRenderer.render(snapshot).utf8))
            if !snapshot.conserved { throw ExitCode(2) }
            return
        }
        // Clear-screen codes only for a terminal; into a pipe or file, frames follow one another.
        let terminal = isatty(STDOUT_FILENO) != 0
        while true {
            let frame: String
            do {
                frame = DashboardRenderer.render(try reader.read(onlySale: sale))
            } catch {
                frame = "flashsale top: Redis read failed: \(error)\n"
            }
            // Clear the screen and home the cursor, then draw the frame.
            FileHandle.standardOutput.write(Data(((terminal ? "\u{1B}[H\u{1B}[2J" : "\n") + frame).utf8))
            Thread.sleep(forTimeInterval: max(0.1, interval))
        }
    }
}
