// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "school-pipeline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pipeline", targets: ["PipelineCLI"]),
        // The benchmark, its own executable so that `pipeline` links none of it (STYLE habit 15).
        .executable(name: "pipeline-bench", targets: ["PipelineBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C doors: a module map and a shim header each; only Kafka and Postgres import them.
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // Events only for `KafkaOutgoingMessage(event:topics:)`, the one event-to-message mapping.
        .target(name: "Kafka", dependencies: [
            "CRdKafka", "Events",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Postgres", dependencies: [
            "CLibPQ",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Events"),
        .target(name: "Aggregation", dependencies: ["Events", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Normalizers", dependencies: ["Events", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Pollers", dependencies: [
            "Events", "Kafka", "Postgres", "CurrencyRates",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The independent recomputation of the views from the distinct events, and reproducible
        // random data sets: shared by the tests, the chaos run and the benchmark.
        .target(name: "Verification", dependencies: ["Events", "Aggregation", "Postgres", "SeededRandom"]),
        // The seeded generator alone, for the demo's data in `pipeline` without the oracle.
        .target(name: "SeededRandom"),
        // The demo school's month (`pipeline demo-data`): events only, no I/O, none of the oracle.
        .target(name: "DemoData", dependencies: ["Events", "SeededRandom"]),
        // Currency rates into pipeline.fx_rates: the rate file's parser and the one upsert, shared by the
        // Bank of Russia poller and `pipeline fx import`, so that no producer links the worker.
        .target(name: "CurrencyRates", dependencies: ["Events", "Postgres"]),
        .target(name: "Migrations", dependencies: [
            "Postgres",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Worker", dependencies: [
            "Kafka", "Postgres", "Events", "Aggregation", "Migrations",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .target(name: "Ingest", dependencies: [
            "Normalizers", "Events", "Kafka",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .target(name: "MetricsEndpoint", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "Backfill", dependencies: [
            "Events", "Normalizers", "Kafka",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Reports", dependencies: [
            "Events", "Postgres",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The benchmark's machinery: the embedded stack under load (it starts a throwaway PostgreSQL).
        .target(name: "Bench", dependencies: [
            "Events", "Kafka", "Postgres", "Worker", "Verification", "PipelineTestSupport", "Migrations",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "PipelineCLI", dependencies: [
            "Kafka", "Postgres", "Events", "Aggregation", "Migrations", "Worker", "Ingest", "MetricsEndpoint", "Pollers", "CurrencyRates",
            "Backfill", "Normalizers", "Reports", "DemoData",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // posix_spawn's GNU extensions (close descriptors, change directory) for ChildProcess.
        .target(name: "CChildProcess"),
        .executableTarget(name: "PipelineBench", dependencies: [
            "Bench",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PipelineTestSupport", dependencies: [
            "Kafka", "Postgres", "Events", "Migrations", "Worker", "CChildProcess",
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "EventsTests", dependencies: ["Events", "PipelineTestSupport"], exclude: ["Samples", "validate_samples.py"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "Events", "PipelineTestSupport"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "PipelineTestSupport"]),
        .testTarget(name: "AggregationTests", dependencies: ["Aggregation", "Events", "SeededRandom"]),
        .testTarget(name: "NormalizersTests", dependencies: ["Normalizers", "Events", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "MigrationsTests", dependencies: ["Migrations", "Postgres", "PipelineTestSupport"]),
        .testTarget(name: "WorkerTests", dependencies: [
            "Worker", "Events", "Aggregation", "Migrations", "Kafka", "Postgres", "PipelineTestSupport", "Verification", "CurrencyRates",
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "Events", "PipelineTestSupport"]),
        .testTarget(name: "IngestTests", dependencies: [
            "Ingest", "Kafka", "Events", "PipelineTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "OpsTests", dependencies: [
            "MetricsEndpoint", "Worker", "Migrations", "Kafka", "Postgres", "Events", "Normalizers", "PipelineTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "PollersTests", dependencies: [
            "Pollers", "Events", "Kafka", "Postgres", "Worker", "PipelineTestSupport", "CurrencyRates",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(name: "PollersNetworkTests", dependencies: [
            "Pollers", "Events", "PipelineTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "BackfillTests", dependencies: [
            "Backfill", "Events", "Normalizers", "Kafka", "PipelineTestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ReportsTests", dependencies: [
            "Reports", "Events", "Postgres", "Migrations", "Worker", "Kafka", "PipelineTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "DemoDataTests", dependencies: ["DemoData", "Events", "Worker", "PipelineTestSupport"]),
        .testTarget(name: "FuzzTests", dependencies: ["Events", "Normalizers", "Verification", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ChaosTests", dependencies: [
            "Verification", "PipelineTestSupport", "Kafka", "Postgres", "Events", "Migrations",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
