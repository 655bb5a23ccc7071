import ArgumentParser
import FlashSaleServer
import Foundation

/// `flashsale token`: mints a buyer JWT (HS256) with the engine's secret.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint a buyer JWT (HS256) signed with FLASHSALE_JWT_SECRET (for tests and load tests)."
    )

    @Option(help: "The user id (the token's sub).")
    var sub: String

    @Option(help: "Seconds until the token expires (exp = now + ttl).")
    var ttl: Int64 = 3600

    @Option(help: "Seconds from now before which the token is not valid (nbf); omitted by default.")
    var notBefore: Int64?

    func validate() throws {
        guard IdentifierRules.isValidUser(sub) else {
            throw ValidationError("--sub must be 1-128 printable ASCII characters without space, '\"' or '\\'")
        }
    }

    func run() throws {
        let secret = try EnvironmentSecrets.require("FLASHSALE_JWT_SECRET", purpose: "to sign buyer tokens")
        let now = Int64(Date().timeIntervalSince1970)
        let token = JWTMinter(secret: secret).mint(
            subject: sub, expiresAt: now + ttl, notBefore: notBefore.map { now + $0 }, issuedAt: now)
        print(token)
    }
}

/// Reads secrets from the environment with a message naming what is missing.
enum EnvironmentSecrets {
    static func require(_ name: String, purpose: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw ValidationError("\(name) is not set: it is needed \(purpose)")
        }
        return value
    }
}
