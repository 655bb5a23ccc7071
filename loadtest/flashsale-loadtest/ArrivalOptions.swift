import ArgumentParser

/// A scenario's defaults for `--users` and `--window`.
protocol ArrivalDefaults {
    static var users: Int { get }
    static var window: Double { get }
}

/// `--users` distinct buyers arriving over `--window` seconds (burst, lifecycle).
struct ArrivalOptions<Defaults: ArrivalDefaults>: ParsableArguments {
    @Option(help: "Distinct buyers.")
    var users = Defaults.users

    @Option(help: "Seconds over which the buyers arrive.")
    var window = Defaults.window

    /// The two as report parameters.
    var parameters: [String: String] { ["users": "\(users)", "window": "\(window)s"] }
}
