// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ingestd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ingestd", targets: ["ingestd"]),
        .executable(name: "ingestd-bench", targets: ["ingestd-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The WebAssembly interpreter behind `use: wasm` (fuel metering, a memory limiter, WAT for tests).
        // upToNextMinor: the memory cap uses an SPI hook of 0.4 (`Store.resourceLimiter`) that a later 0.x may change.
        .package(url: "https://github.com/swiftwasm/WasmKit", .upToNextMinor(from: "0.4.2")),
        // The daemon's services (pipeline, reloader, watchdog) and their graceful shutdown on SIGTERM/SIGINT.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Metrics (issue 17): the swift-metrics API everywhere, Prometheus text from swift-prometheus,
        // served by FlyingFox (no dependencies; swift-nio would add minutes to every clean build).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // SHA-256 from OpenSSL's libcrypto (Debian's libssl-dev, which libcurl needs too).
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libxml2's HTML parser, over Debian's libxml2-dev.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // libcurl, over Debian's libcurl4-openssl-dev: URL and feed sources (issue 7, in progress).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // zlib and libzstd: compressed record segments (sink.rotate.compress: gzip | zstd).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // libpq, over Debian's libpq-dev: PostgreSQL for several nodes (issue 20, in progress).
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // The model and the contracts every other module speaks: documents, records, stages, config.
        .target(name: "IngestCore", dependencies: [
            "COpenSSL",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ]),
        // Where documents come from: the inotify drop folder, and URLs and feeds over libcurl.
        .target(name: "IngestInputs", dependencies: [
            "IngestCore", "IngestPostgres", "CCurl", "CLibXML2",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ]),
        // A cache prefetch hint for the classifier's trainer (C's __builtin_prefetch).
        .target(name: "CPrefetch"),
        // glibc's malloc_trim, which <malloc.h> declares and Swift's Glibc module leaves out.
        .target(name: "CMalloc"),
        // normalize → dedupe → classify, one folder per stage.
        .target(name: "IngestStages", dependencies: ["IngestCore", "IngestPostgres", "CLibXML2", "CPrefetch", "CMalloc"]),
        // Sandboxed WebAssembly plugin stages (`use: wasm`, the wasm-plugin/1 ABI): the only WasmKit user.
        .target(name: "IngestWasm", dependencies: [
            "IngestCore",
            .product(name: "WasmKit", package: "WasmKit"),
        ]),
        // Where records go: durable JSON Lines.
        .target(name: "IngestSinks", dependencies: ["IngestCore", "IngestPostgres", "CZlib", "CZstd", .product(name: "Logging", package: "swift-log")]),
        // The runner that connects sources, stages and sinks; signals; the JSON log handler. It
        // is handed the components it may build (a ComponentRegistry) and imports no stage.
        .target(name: "IngestDaemon", dependencies: [
            "IngestCore", "IngestInputs", "IngestSinks", "IngestMetrics",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ]),
        // /metrics, /health and /ready: the Prometheus registry and the HTTP server, the only FlyingFox user.
        .target(name: "IngestMetrics", dependencies: [
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "FlyingFox", package: "FlyingFox"),
        ]),
        // `use: exec`: long-lived plugin processes speaking plugin/1 (JSON Lines) over pipes.
        .target(name: "IngestExec", dependencies: ["IngestCore", .product(name: "Logging", package: "swift-log")]),
        // The sources, stages and sinks that ship with ingestd, as one registry.
        .target(name: "IngestBuiltins", dependencies: ["IngestCore", "IngestInputs", "IngestStages", "IngestSinks", "IngestExec", "IngestWasm"]),
        .executableTarget(name: "ingestd", dependencies: [
            "IngestDaemon", "IngestStages", "IngestBuiltins", "IngestPostgres",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Prints throughput, latency and memory figures of the real binary; asserts nothing.
        .executableTarget(name: "ingestd-bench", dependencies: [
            "IngestStages", "IngestCore", "IngestBuiltins", "LoopbackHTTP", "IngestExec", "IngestWasm", "IngestPostgres", "PostgresServer",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // libFuzzer target for the normalize stage; scripts/fuzz builds it with -DFUZZING (a replay tool otherwise).
        .executableTarget(name: "ingestd-fuzz", dependencies: [
            "IngestCore", "IngestStages", "IngestInputs", "IngestBuiltins",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "IngestCoreTests", dependencies: ["IngestCore", "IngestInputs", "IngestSinks"]),
        // Test support: a loopback HTTP server for the tests and the fetch benchmark (127.0.0.0/8 only),
        // a loopback GET, a strict Prometheus text parser, the Python interpreter's path.
        .target(name: "LoopbackHTTP", path: "Tests/Support"),
        // Log lines kept in memory, for the tests that check what was logged.
        .target(name: "LogCapture", dependencies: [.product(name: "Logging", package: "swift-log")], path: "Tests/LogCapture"),
        .testTarget(name: "IngestInputsTests", dependencies: [
            "IngestInputs", "IngestCore", "CCurl", "LoopbackHTTP", "LogCapture", "IngestPostgres", "PostgresServer",
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ]),
        .testTarget(name: "IngestExecTests", dependencies: ["IngestExec", "IngestCore", "LogCapture", "LoopbackHTTP"]),
        .testTarget(name: "IngestStagesTests", dependencies: ["IngestStages", "IngestCore", "IngestBuiltins", "LogCapture"]),
        .testTarget(name: "IngestSinksTests", dependencies: ["IngestSinks", "IngestCore"]),
        .testTarget(name: "IngestDaemonTests", dependencies: ["IngestDaemon", "IngestCore", "IngestInputs", "IngestSinks", "LogCapture"]),
        .testTarget(name: "IngestMetricsTests", dependencies: [
            "IngestMetrics", "IngestDaemon", "IngestCore", "IngestSinks", "LoopbackHTTP",
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ]),
        .testTarget(name: "IngestWasmTests", dependencies: [
            "IngestWasm", "IngestCore",
            .product(name: "WAT", package: "WasmKit"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["IngestCore", "LoopbackHTTP", "PostgresServer", "IngestPostgres"]),
        // The PostgreSQL client: connections, parameters, transactions, schema migrations.
        .target(name: "IngestPostgres", dependencies: ["CLibPQ", "IngestCore", .product(name: "Logging", package: "swift-log")]),
        // Test support: a real PostgreSQL 15 in a temporary folder (initdb, pg_ctl) on a Unix socket.
        .target(name: "PostgresServer", path: "Tests/PostgresServer"),
        .testTarget(name: "IngestPostgresTests", dependencies: [
            "IngestPostgres", "PostgresServer", "IngestStages", "IngestSinks", "IngestCore", "IngestBuiltins", "LogCapture",
        ]),
    ]
)
