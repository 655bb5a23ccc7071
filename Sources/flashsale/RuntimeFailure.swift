/// A failure of the work itself (port busy, Redis unreachable, a missing secret), not of
/// the command line: printed as `Error: …` with exit status 1, without the usage text
/// that a usage error (`ValidationError`, exit 64) gets.
struct RuntimeFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
