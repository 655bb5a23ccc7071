import ArgumentParser
import FlashSaleClient
import FlashSaleServer
import Foundation
import FlashSaleCore

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

    @Option(help: "Print this many tokens, one per line, for users <sub>1 … <sub>N (load tests).")
    var count: Int?

    func validate() throws {
        if let count, count < 1 || count > 10_000_000 { throw ValidationError("--count must be 1-10000000") }
        guard IdentifierRules.isValidUser(sub + (count.map { String($0) } ?? "")) else {
            throw ValidationError("--sub must be 1-128 printable ASCII characters without space, '\"' or '\\'")
        }
    }

    func run() throws {
        let secret = try Environment().requireSecret("FLASHSALE_JWT_SECRET", purpose: "to sign buyer tokens")
        let now = Int64(Date().timeIntervalSince1970)
        let minter = JWTMinter(secret: secret)
        guard let count else {
            print(minter.mint(subject: sub, expiresAt: now + ttl, notBefore: notBefore.map { now + $0 }, issuedAt: now))
            return
        }
        var out = ""
        for index in 1...count {
            out += minter.mint(subject: "\(sub)\(index)", expiresAt: now + ttl, notBefore: notBefore.map { now + $0 }, issuedAt: now)
            out += "\n"
            if out.utf8.count > 1 << 20 {
                FileHandle.standardOutput.write(Data(out.utf8))
                out = ""
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
