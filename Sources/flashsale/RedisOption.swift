import ArgumentParser
import Foundation

/// What a command's `--redis` help says it does with the URL (one URL, or seed URLs).
protocol RedisOptionHelp {
    static var help: ArgumentHelp { get }
}

/// `--redis` names one Redis.
enum OneURL: RedisOptionHelp {
    static let help: ArgumentHelp = "Redis URL (env FLASHSALE_REDIS; default redis://127.0.0.1:6379)."
}

/// `--redis` names one Redis or the seeds of a cluster (read with ``RedisOption/urls``).
enum SeedURLs: RedisOptionHelp {
    static let help: ArgumentHelp = "Redis URL or comma-separated seed URLs (env FLASHSALE_REDIS; default redis://127.0.0.1:6379)."
}

/// `--redis`, its environment twin `FLASHSALE_REDIS` and its default, for the
/// commands that only read Redis (`top`, `dashboard`).
struct RedisOption<Help: RedisOptionHelp>: ParsableArguments {
    @Option(help: Help.help)
    var redis: String?

    /// The flag, else `FLASHSALE_REDIS`, else the local default.
    var url: String {
        redis ?? ProcessInfo.processInfo.environment["FLASHSALE_REDIS"] ?? "redis://127.0.0.1:6379"
    }

    /// ``url`` read as comma-separated URLs (blanks around and between them dropped).
    var urls: [String] {
        url.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
