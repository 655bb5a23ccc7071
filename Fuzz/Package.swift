// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses, in their own package: each calls libFuzzer's driver,
// so they link only when built with the fuzzer sanitizer:
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address --product FuzzHTTPRequest
// scripts/fuzz.sh SECONDS builds and runs them all (seed corpus + dictionary each).
let fuzzed: [Target.Dependency] = [
    .product(name: "FlashSaleHTTP", package: "FlashSale"),
    .product(name: "FlashSaleServer", package: "FlashSale"),
]

/// A harness: main.swift hands its entry to libFuzzer's driver (FuzzSupport).
func harness(_ name: String, _ dependency: Target.Dependency) -> Target {
    .executableTarget(name: name, dependencies: [dependency, "FuzzSupport"])
}

let package = Package(
    name: "FlashSaleFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        // Named explicitly: a path dependency is otherwise named after its folder.
        .package(name: "FlashSale", path: ".."),
    ],
    targets: [
        .target(name: "CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"]),
        // The request parser through the whole connection (parse, limits, route, respond).
        harness("FuzzHTTPRequest", fuzzed[0]),
        // Differential: the same bytes whole and cut in two random places.
        harness("FuzzHTTPSplit", fuzzed[0]),
        harness("FuzzPurchaseBody", fuzzed[1]),
        harness("FuzzSaleBody", fuzzed[1]),
        harness("FuzzJWT", fuzzed[1]),
        harness("FuzzRFC3339", fuzzed[1]),
        // The PROXY protocol header: whole, in three pieces and byte by byte, within its bounds.
        harness("FuzzProxyHeader", fuzzed[0]),
    ],
    swiftLanguageModes: [.v6]
)
