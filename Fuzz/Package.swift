// swift-tools-version:6.1
// libFuzzer targets for the parsers of outside input. A separate package so that the main package's
// `swift build --build-tests` never meets an executable without `main` (libFuzzer supplies it). Built and run
// only by `scripts/fuzz`, in debug with `-sanitize=fuzzer,address -parse-as-library`; debug builds compile
// the main package's modules with testing enabled, so targets reach internal parsers by `@testable import`
// instead of widening their access level in Sources.
import PackageDescription

let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("FuzzFormBody", [.product(name: "ReconcileServer", package: "Reconcile")]),
    ("FuzzJSONObject", [.product(name: "ReconcileServer", package: "Reconcile")]),
    ("FuzzAcceptLanguage", [.product(name: "ReconcileServer", package: "Reconcile"),
                            .product(name: "ReconcileCore", package: "Reconcile")]),
    ("FuzzCookies", [.product(name: "ReconcileServer", package: "Reconcile"),
                     .product(name: "Hummingbird", package: "hummingbird")]),
    ("FuzzReference", [.product(name: "ReconcileCore", package: "Reconcile")]),
    ("FuzzPassphrase", [.product(name: "ReconcileStore", package: "Reconcile")]),
    ("FuzzCSV", [.product(name: "ReconcileReports", package: "Reconcile")]),
]

let package = Package(
    name: "ReconcileFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Reconcile", path: ".."),
        // Already in the main package's graph: the cookie target drives Hummingbird's own `Cookie` header reader.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [.target(name: "FuzzDriver"), .target(name: "FuzzSupport", dependencies: ["FuzzDriver"])] + fuzzTargets.map {
        .executableTarget(name: $0.name, dependencies: $0.dependencies + ["FuzzSupport"])
    },
    swiftLanguageModes: [.v6]
)
