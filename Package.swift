// swift-tools-version: 6.2
import PackageDescription

/// Applied to every target so that the whole package follows the same language rules.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "taskwire",
    products: [
        .executable(name: "taskwire", targets: ["taskwire"]),
        .executable(name: "taskwire-bench", targets: ["taskwire-bench"]),
    ],
    // `swift build --traits Postgres` adds the PostgreSQL backend (docs/postgres.md); it links libpq, so a
    // default build needs nothing but the toolchain.
    traits: [
        .trait(name: "Postgres", description: "The PostgreSQL backend (--postgres), linked with libpq.")
    ],
    targets: [
        // MARK: Locking
        .target(name: "Locking", swiftSettings: settings),

        // MARK: JSON
        .target(name: "JSON", swiftSettings: settings, linkerSettings: [.linkedLibrary("m")]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: settings),

        // MARK: JSONRPC
        .target(name: "JSONRPC", dependencies: ["JSON"], swiftSettings: settings),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC"], swiftSettings: settings),

        // MARK: TaskwireLog
        .target(name: "TaskwireLog", swiftSettings: settings),
        .testTarget(
            name: "TaskwireLogTests",
            dependencies: ["Locking", "TaskwireLog"],
            swiftSettings: settings
        ),

        // MARK: Transport
        .target(name: "Transport", dependencies: ["Locking", "JSONRPC", "TaskwireLog"], swiftSettings: settings),
        .testTarget(
            name: "TransportTests",
            dependencies: ["Locking", "Transport", "TaskwireLog", "TestSupport"],
            swiftSettings: settings
        ),

        // MARK: TaskStore
        .target(name: "TaskStore", dependencies: ["Locking"], swiftSettings: settings),
        .testTarget(
            name: "TaskStoreTests",
            dependencies: ["Locking", "TaskStore", "TestSupport"],
            swiftSettings: settings
        ),

        // MARK: PostgresStore
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(
            name: "PostgresStore",
            dependencies: [
                "Locking", "TaskStore", .target(name: "CLibPQ", condition: .when(traits: ["Postgres"])),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: ["Locking", "PostgresStore", "TaskStore", "TaskEngine", "TestSupport"],
            swiftSettings: settings
        ),

        // MARK: Delivery
        .target(name: "Delivery", dependencies: ["Locking", "JSON", "TaskStore"], swiftSettings: settings),
        .testTarget(
            name: "DeliveryTests",
            dependencies: ["Locking", "Delivery", "JSON", "TestSupport"],
            swiftSettings: settings
        ),

        // MARK: TaskEngine
        .target(name: "TaskEngine", dependencies: ["Locking", "JSON", "TaskStore"], swiftSettings: settings),
        .testTarget(
            name: "TaskEngineTests",
            dependencies: ["Locking", "TaskEngine", "StoreTestSupport", "TestSupport"],
            resources: [.copy("Golden")],
            swiftSettings: settings
        ),

        // MARK: Basic
        .target(name: "Basic", dependencies: ["JSON"], swiftSettings: settings),
        .testTarget(
            name: "BasicTests",
            dependencies: ["Locking", "Basic", "JSON", "TestSupport"],
            swiftSettings: settings
        ),

        // MARK: TaskwireServer
        .target(
            name: "TaskwireServer",
            dependencies: [
                "Locking", "JSON", "JSONRPC", "TaskwireLog", "Transport", "TaskEngine", "TaskStore", "PostgresStore",
                "Delivery", "Basic",
            ],
            resources: [.embedInCode("openrpc.json")],
            swiftSettings: settings
        ),
        .testTarget(
            name: "TaskwireServerTests",
            dependencies: ["Locking", "TaskwireServer", "TaskwireLog", "StoreTestSupport", "TestSupport"],
            swiftSettings: settings
        ),

        // MARK: taskwire
        .executableTarget(name: "taskwire", dependencies: ["TaskwireServer"], swiftSettings: settings),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["TestSupport", "JSON"],
            swiftSettings: settings
        ),

        // MARK: taskwire-bench
        .executableTarget(
            name: "taskwire-bench",
            dependencies: ["Locking", "JSON", "TestSupport"],
            swiftSettings: settings
        ),

        // MARK: TestSupport
        .target(name: "TestSupport", dependencies: ["Locking", "JSON", "JSONRPC"], swiftSettings: settings),
        // The store an engine under test runs on, memory or PostgreSQL by the pass (docs/postgres.md, "Testing").
        .target(
            name: "StoreTestSupport",
            dependencies: ["Locking", "TaskStore", "PostgresStore", "TestSupport"],
            swiftSettings: settings
        ),
    ],
    swiftLanguageModes: [.v6]
)
