import JSON
import JSONRPC
import TaskEngine
import TaskStore
import TestSupport
import Testing

@testable import TaskwireServer

struct OpenRPCDocumentTests {
    func document() throws -> JSONValue { try JSONParser.parse(OpenRPCDocument.bytes) }

    @Test func documentIsOpenRPCOneFourWithInfo() throws {
        let document = try document()
        let version = try #require(document["openrpc"]?.stringValue)
        let parts = version.split(separator: ".")
        #expect(parts.count == 3 && parts[0] == "1" && parts[1] == "4" && Int(parts[2]) != nil)
        #expect(document["info"]?["title"] == "taskwire")
        #expect(document["info"]?["version"] == .string(TaskwireVersion.current))
    }

    @Test func methodNamesMatchTheServersTable() throws {
        let engine = try Engine.open(store: MemoryStore())
        let table = try MethodTable.product(
            info: ServerInfo(transports: [], dataDirectory: nil, durability: "none"),
            engine: engine
        )
        // MCP's methods are listed beside the OpenRPC ones, in x-mcp-methods (docs/mcp.md).
        let methods =
            try #require(try document()["methods"]?.arrayValue) + (try document()["x-mcp-methods"]?.arrayValue ?? [])
        let names = methods.compactMap { $0["name"]?.stringValue }
        #expect(names.count == methods.count)
        #expect(Set(names).count == names.count)
        #expect(names.sorted() == table.methodNames)
    }

    @Test func theNotificationsMatchTheOnesTheServerSends() throws {
        let notifications = try #require(try document()["x-notifications"]?.arrayValue)
        let names = notifications.compactMap { $0["name"]?.stringValue }
        #expect(names.sorted() == (EventHub.notificationNames + MCPMethods.pushedNotifications).sorted())
        for notification in notifications {
            #expect(notification["params"]?.arrayValue?.isEmpty == false, "\(notification) has no params")
            #expect(notification["id"] == nil && notification["result"] == nil)
        }
    }

    @Test func theFeedEventTypesMatchTheEnginesTypesFilter() throws {
        let schemas = try #require(try document()["components"]?["schemas"])
        let listed = try #require(schemas["FeedEventType"]?["enum"]?.arrayValue).compactMap(\.stringValue)
        #expect(listed == FeedEventType.all.map(\.rawValue))
    }

    @Test func everyMethodDescribesParamsAndResult() throws {
        let methods =
            try #require(try document()["methods"]?.arrayValue) + (try document()["x-mcp-methods"]?.arrayValue ?? [])
        for method in methods {
            let name = method["name"]?.stringValue ?? "?"
            #expect(method["params"]?.arrayValue != nil, "\(name) has no params")
            #expect(method["result"]?["schema"]?.objectValue != nil, "\(name) has no result schema")
        }
    }
}
