// swift-tools-version:6.1
import PackageDescription

// package-benchmark suites, kept in their own package so that the main build
// and the tests do not compile the benchmark tooling. Run: scripts/bench.sh
let package = Package(
    name: "FlashSaleBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        // Named explicitly: a path dependency is otherwise named after its folder.
        .package(name: "FlashSale", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        benchmarkSuite("CoreBenchmarks", of: "FlashSaleCore"),
        benchmarkSuite("HTTPBenchmarks", of: "FlashSaleHTTP"),
    ],
    swiftLanguageModes: [.v6]
)

/// One suite: an executable in the folder `name` that benchmarks the FlashSale product `product`.
func benchmarkSuite(_ name: String, of product: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: product, package: "FlashSale"),
        ],
        path: name,
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
