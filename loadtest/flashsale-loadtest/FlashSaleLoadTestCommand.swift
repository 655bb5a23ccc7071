import ArgumentParser

/// `flashsale-loadtest`: rehearse a flash sale against a real engine, then prove nothing went wrong.
@main
struct FlashSaleLoadTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flashsale-loadtest",
        abstract: "Load driver and correctness oracle for the FlashSale engine.",
        discussion: """
            Scenarios (burst, steady, lifecycle) drive the engine over HTTP/1.1 keep-alive connections, \
            then read Redis and check every invariant (no oversell, conservation, per-user limit, \
            one order per idempotency key, every 201 in Redis, no undersell). `verify` runs the oracle alone; \
            `http-bench` measures the driver itself against any HTTP server (compare with wrk).

            Secrets come from the environment: FLASHSALE_JWT_SECRET (buyer JWTs, unless --trust-user-header), \
            FLASHSALE_ADMIN_TOKEN (with --create-sale), FLASHSALE_PAYMENT_TOKEN (lifecycle).
            Exit status: 0 all verdicts PASS (or SKIP), 1 a verdict FAILed, 2 the run or the check could not be done.
            """,
        subcommands: [BurstCommand.self, SteadyCommand.self, LifecycleCommand.self, VerifyCommand.self, HTTPBenchCommand.self]
    )
}
