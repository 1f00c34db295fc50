// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "drreport",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "drreport", targets: ["drreport"]),
        .library(name: "Evidence", targets: ["Evidence"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CSQLiteConfig"),
        .systemLibrary(name: "CZlibChecksum"),
        .target(
            name: "Evidence",
            dependencies: [
                "CLibXML2",
                "CSQLiteConfig",
                "CZlibChecksum",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .target(
            name: "Reports",
            dependencies: [
                "Evidence",
                "CLibXML2",
                "CMalloc",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .executableTarget(
            name: "drreport",
            dependencies: [
                "Evidence",
                "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "EvidenceTests",
            dependencies: [
                "Evidence",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ReportsTests",
            dependencies: [
                "Reports",
                "Evidence",
                // The report.xml tests judge the streaming canonicaliser by libxml2's own tree-based C14N.
                "CLibXML2",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["drreport", "Evidence"]
        ),
        // The bank-scale quarter generator for benchmarks (scripts/benchmark.py); not part of the
        // user-facing CLI. It depends on no product module, so its data cannot share the product's bugs.
        .executableTarget(
            name: "drreport-bench",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "BenchTests",
            dependencies: ["drreport", "drreport-bench"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
