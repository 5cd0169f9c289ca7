// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Reconcile",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "reconcile", targets: ["reconcile"]),
        // Only for Fuzz/ (its own package, built by scripts/fuzz), which reaches the parsers through these modules.
        .library(name: "ReconcileCore", targets: ["ReconcileCore"]),
        .library(name: "ReconcileStore", targets: ["ReconcileStore"]),
        .library(name: "ReconcileReports", targets: ["ReconcileReports"]),
        .library(name: "ReconcileServer", targets: ["ReconcileServer"]),
    ],
    dependencies: [
        // Without the default ConfigurationSupport trait: settings are our own (ReconcileCore), and swift-configuration
        // stays out of the build.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Already a dependency of Hummingbird; named so the server can spell security header names.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Already in the graph (Hummingbird); named for the request-body and backup code that speaks NIO's types.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        // libsodium from the system (Debian: libsodium-dev), found with pkg-config.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        // The system's OpenSSL libcrypto (Debian: libssl-dev), for HMAC-SHA1 in TOTP only. Not swift-crypto: that
        // compiles a second BoringSSL (swift-nio-ssl has its own) into every build, most of a minute of CI.
        .systemLibrary(name: "COpenSSLCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The system's OpenSSL libssl, for STARTTLS to the mail relay. Not swift-nio-ssl: its BoringSSL and Swift
        // wrapper were 205 s of a 510 s clean build on two cores, for one TLS client that sends a few notices.
        .systemLibrary(name: "COpenSSLTLS", pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "Sodium", dependencies: ["CSodium", "COpenSSLCrypto"]),
        // GLPK from the system (Debian: libglpk-dev). Debian has no glpk.pc, so the module map links it by name.
        .systemLibrary(name: "CGLPK", providers: [.apt(["libglpk-dev"])]),
        .target(name: "LinearProgramming", dependencies: ["CGLPK"]),
        .target(name: "ReconcileCore"),
        .target(
            name: "ReconcileStore",
            dependencies: [
                "ReconcileCore", "Sodium",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `reconcile demo seed`: synthetic cases through the store's public API only.
        .target(name: "ReconcileDemo", dependencies: ["ReconcileCore", "ReconcileStore", "Sodium"]),
        .target(
            name: "ReconcileReports",
            // No GRDB: reports ask the store for their counts (the store owns its SQL).
            dependencies: ["ReconcileCore", "ReconcileStore", "Sodium", "LinearProgramming"],
            // The staff and council words (labels of tables, categories, areas, figures).
            resources: [.copy("Resources")]
        ),
        .target(
            name: "ReconcileServer",
            dependencies: [
                "ReconcileCore", "ReconcileStore", "ReconcileReports", "Sodium", "COpenSSLTLS",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "reconcile",
            dependencies: [
                "ReconcileCore", "ReconcileStore", "ReconcileReports", "ReconcileServer", "ReconcileDemo", "Sodium",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SodiumTests", dependencies: ["Sodium"], exclude: ["independent_libsodium.py", "independent_totp.py", "independent_secretstream.py"]),
        .testTarget(name: "ReconcileCoreTests", dependencies: ["ReconcileCore"]),
        .testTarget(name: "LinearProgrammingTests", dependencies: ["LinearProgramming"]),
        .testTarget(
            name: "ReconcileReportsTests",
            dependencies: ["ReconcileReports", "ReconcileStore", "ReconcileDemo", "ReconcileCore", "Sodium", "LinearProgramming",
                           .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Support/verify_signature.py", "Support/read_ods.py"]
        ),
        .testTarget(
            name: "ReconcileStoreTests",
            dependencies: ["ReconcileStore", "Sodium", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The `.router` way of testing an application, adapted from HummingbirdTesting (Tests/RouterTesting/NOTICE):
        // depending on HummingbirdTesting would build AsyncHTTPClient, NIOHTTP2 and their graph for every CI run.
        .target(
            name: "RouterTesting",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/RouterTesting",
            exclude: ["NOTICE"]
        ),
        .testTarget(
            name: "ReconcileServerTests",
            dependencies: [
                "ReconcileServer", "ReconcileStore", "ReconcileCore", "Sodium",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                "RouterTesting",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
