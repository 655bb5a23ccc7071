// swift-tools-version:6.0
import PackageDescription

// Layout (see docs/design.md "Layers and modules" and docs/architecture.md):
// one thin system-library target per C library, each imported by exactly one
// Swift module: CLibUV by FlashSaleLoop, CHiredis (+ the CHiredisUV adapter)
// by FlashSaleRedis. The HTTP/1.1 request parser is FlashSaleHTTP's own.
let package = Package(
    name: "FlashSale",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "flashsale", targets: ["flashsale"]),
        .executable(name: "flashsale-loadtest", targets: ["flashsale-loadtest"]),
        .library(name: "FlashSaleCore", targets: ["FlashSaleCore"]),
        .library(name: "FlashSaleHTTP", targets: ["FlashSaleHTTP"]),
        .library(name: "FlashSaleWorker", targets: ["FlashSaleWorker"]),
        .library(name: "FlashSaleRedis", targets: ["FlashSaleRedis"]),
        .library(name: "FlashSaleServer", targets: ["FlashSaleServer"]),
        .library(name: "FlashSaleDashboard", targets: ["FlashSaleDashboard"]),
        .library(name: "FlashSaleRelay", targets: ["FlashSaleRelay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // C libraries (Debian: libuv1-dev, libhiredis-dev).
        .systemLibrary(name: "CLibUV", path: "Sources/CLibUV"),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        // Our own hiredis<->libuv adapter: the 0.14.1 one swallows poll errors.
        .target(
            name: "CHiredisUV", dependencies: ["CHiredis", "CLibUV"], path: "Sources/CHiredisUV",
            linkerSettings: [.linkedLibrary("hiredis"), .linkedLibrary("uv")]
        ),

        // The pure core: no C, no Foundation, no clock, no I/O.
        .target(name: "FlashSaleCore"),
        // Event loops, timers, TCP on libuv. The only importer of CLibUV.
        .target(name: "FlashSaleLoop", dependencies: ["CLibUV"]),
        // HTTP/1.1 server (its own strict request parser) on FlashSaleLoop.
        .target(name: "FlashSaleHTTP", dependencies: ["FlashSaleLoop"]),
        // The worker-engine layer: orders the work of one worker (acks, leases, group
        // commit, limit checks, sweeps, sale sync) on narrow store protocols.
        .target(name: "FlashSaleWorker", dependencies: ["FlashSaleCore", "FlashSaleLoop"]),
        // hiredis async client on FlashSaleLoop, Lua scripts, the Redis store of a worker.
        .target(
            name: "FlashSaleRedis",
            dependencies: ["FlashSaleLoop", "FlashSaleCore", "FlashSaleWorker", "CHiredis", "CHiredisUV"]
        ),
        // Wiring: routes, JSON, auth, metrics.
        .target(
            name: "FlashSaleServer",
            dependencies: [
                "FlashSaleCore", "FlashSaleHTTP", "FlashSaleWorker", "FlashSaleRedis", "FlashSaleLoop",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // `flashsale dashboard`: a read-only web dashboard over Redis.
        .target(
            name: "FlashSaleDashboard",
            dependencies: ["FlashSaleServer", "FlashSaleHTTP", "FlashSaleRedis", "FlashSaleLoop"]
        ),
        // What the CLI, the load driver and the tests share: the HTTP exchange, the
        // blocking Redis session, token minting, sale admin.
        .target(
            name: "FlashSaleClient",
            dependencies: [
                "FlashSaleServer", "FlashSaleHTTP", "FlashSaleRedis", "FlashSaleLoop",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // `flashsale relay`: delivers every sale's order events to signed webhooks.
        .target(
            name: "FlashSaleRelay",
            dependencies: [
                "FlashSaleClient", "FlashSaleServer", "FlashSaleHTTP", "FlashSaleRedis", "FlashSaleLoop",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "flashsale",
            dependencies: [
                "FlashSaleClient", "FlashSaleServer", "FlashSaleDashboard", "FlashSaleRelay", "FlashSaleHTTP", "FlashSaleLoop", "FlashSaleRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The load-test driver: a library (tested) and its executable.
        .target(
            name: "FlashSaleLoadTest",
            dependencies: [
                "FlashSaleClient", "FlashSaleLoop", "FlashSaleHTTP", "FlashSaleRedis", "FlashSaleWorker",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "loadtest/FlashSaleLoadTest"
        ),
        .executableTarget(
            name: "flashsale-loadtest",
            dependencies: [
                "FlashSaleLoadTest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "loadtest/flashsale-loadtest"
        ),

        // Test helpers: starts private redis-server processes, a tiny blocking RESP client.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "FlashSaleCoreTests", dependencies: ["FlashSaleCore", "TestSupport"]),
        .testTarget(name: "FlashSaleLoopTests", dependencies: ["FlashSaleLoop"]),
        .testTarget(name: "FlashSaleHTTPTests", dependencies: ["FlashSaleHTTP", "FlashSaleLoop", "TestSupport"]),
        .testTarget(name: "FlashSaleWorkerTests", dependencies: ["FlashSaleWorker", "FlashSaleLoop", "FlashSaleCore"]),
        .testTarget(
            name: "FlashSaleRedisTests",
            dependencies: ["FlashSaleRedis", "FlashSaleWorker", "FlashSaleLoop", "FlashSaleCore", "TestSupport"]),
        .testTarget(name: "FlashSaleServerTests", dependencies: ["FlashSaleServer", "FlashSaleClient", "TestSupport"]),
        .testTarget(name: "FlashSaleDashboardTests", dependencies: ["FlashSaleDashboard", "FlashSaleRedis", "FlashSaleHTTP"]),
        .testTarget(name: "FlashSaleClientTests", dependencies: ["FlashSaleClient", "TestSupport"]),
        .testTarget(name: "FlashSaleRelayTests", dependencies: ["FlashSaleRelay", "FlashSaleClient", "FlashSaleLoop", "TestSupport"]),
        .testTarget(name: "FlashSaleLoadTestTests", dependencies: ["FlashSaleLoadTest", "TestSupport"]),
        // Runs the built `flashsale` and `flashsale-loadtest` binaries against a real redis-server.
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"], exclude: ["Receivers"]),
    ],
    swiftLanguageModes: [.v6]
)
