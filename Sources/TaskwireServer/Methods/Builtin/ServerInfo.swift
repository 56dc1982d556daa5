package import JSON
import JSONRPC

/// What `server.info` reports: fixed facts from start-up plus sections that other parts add later
/// (the engine's counts, the store's state), each computed when the method is called.
package struct ServerInfo: Sendable {
    /// Computes one extra member of the `server.info` result.
    package typealias Section = @Sendable () async -> JSONValue

    /// The transports the server listens on (`stdio`, `unix`).
    package var transports: [String]
    /// The data directory, or nil when the server keeps everything in memory.
    package var dataDirectory: String?
    /// Where the data lives: `directory`, `postgresql` or `memory`.
    package var storage: String
    /// The durability mode (`always`, `batched`, `none`).
    package var durability: String
    /// The limits in force, by wire name (`max_frame_bytes`, ...).
    package var limits: JSONObject
    /// Extra members, in order, added after the fixed ones.
    package private(set) var sections: [(name: String, value: Section)] = []
    /// When the server started, for `uptime_seconds`.
    package let startedAt: ContinuousClock.Instant

    /// The facts known at start-up.
    package init(
        transports: [String], dataDirectory: String?, storage: String? = nil, durability: String,
        limits: JSONObject = [:], startedAt: ContinuousClock.Instant = .now
    ) {
        self.transports = transports
        self.dataDirectory = dataDirectory
        self.storage = storage ?? (dataDirectory == nil ? "memory" : "directory")
        self.durability = durability
        self.limits = limits
        self.startedAt = startedAt
    }

    /// Adds a member computed at call time, for example `counts` from the engine.
    package mutating func addSection(_ name: String, _ value: @escaping Section) {
        sections.append((name: name, value: value))
    }

    /// The `server.info` result for a call on a connection with the given transport and framing.
    ///
    /// Before `auth.login` a socket connection learns only what it needs to talk to the server (name,
    /// version, its transport and framing): where the data lives, the limits and the counts are for
    /// callers who proved who they are.
    func result(context: RequestContext) async -> JSONValue {
        guard context.authenticatedVia != nil else {
            return [
                "name": "taskwire",
                "version": .string(TaskwireVersion.current),
                "transport": .string(context.transport),
                "framing": context.framing.map { .string($0.rawValue) } ?? .null,
            ]
        }
        let uptime = ContinuousClock.now - startedAt
        let seconds = Double(uptime.components.seconds) + Double(uptime.components.attoseconds) / 1e18
        var object: JSONObject = [
            "name": "taskwire",
            "version": .string(TaskwireVersion.current),
            "uptime_seconds": .double((seconds * 1000).rounded() / 1000),
            "transports": .array(transports.map(JSONValue.string)),
            "transport": .string(context.transport),
            "framing": context.framing.map { .string($0.rawValue) } ?? .null,
            "data_directory": dataDirectory.map(JSONValue.string) ?? .null,
            "storage": .string(storage),
            "durability": .string(durability),
            "limits": .object(limits),
        ]
        for section in sections {
            object[section.name] = await section.value()
        }
        return .object(object)
    }
}
