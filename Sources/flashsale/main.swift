import ArgumentParser
import FlashSaleServer

/// `flashsale`: the engine's command line.
struct FlashSaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flashsale",
        abstract: "FlashSale: a flash-sale engine on libuv, an in-memory core and Redis.",
        version: BuildInfo.version,
        subcommands: [
            ServeCommand.self, SaleCommand.self, TokenCommand.self, TopCommand.self, DashboardCommand.self, RelayCommand.self,
            MigrateCommand.self,
        ]
    )
}

FlashSaleCommand.main()
