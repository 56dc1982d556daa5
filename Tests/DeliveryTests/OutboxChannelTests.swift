import Foundation
import Glibc
import TestSupport
import Testing

@testable import Delivery

@Suite struct OutboxChannelTests {
    let sender = Samples.sender

    func mode(_ path: String) -> mode_t {
        var status = stat()
        stat(path, &status)
        return status.st_mode & 0o777
    }

    @Test func writesOneWholeMessageIntoANewPrivateDirectory() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let outbox = root.appending("data/outbox")
        let channel = OutboxChannel(directory: outbox, sender: sender)
        let notification = Samples.notification()
        #expect(await channel.deliver(notification) == .delivered)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outbox) == ["dlv_00000000000000070001.eml"])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: outbox + "/dlv_00000000000000070001.eml")))
        #expect(bytes == (try EmailMessage(for: notification, sender: sender)).bytes(lineEnding: .crlf))
        let reader = try MessageReader(bytes)
        #expect(try reader.value("To") == "Bob Jones <bob@example.com>")
        #expect(mode(outbox) == 0o700)
        #expect(mode(root.appending("data")) == 0o700)
        #expect(mode(outbox + "/dlv_00000000000000070001.eml") == 0o600)
    }

    @Test func anExistingFileMeansDeliveredAndIsLeftAlone() async throws {
        let outbox = try TemporaryDirectory()
        defer { outbox.remove() }
        try outbox.write("dlv_00000000000000070001.eml", Array("earlier attempt".utf8))
        let channel = OutboxChannel(directory: outbox.path, sender: sender)
        #expect(await channel.deliver(Samples.notification()) == .delivered)
        #expect(try outbox.read("dlv_00000000000000070001.eml") == Array("earlier attempt".utf8))
        #expect(try outbox.names() == ["dlv_00000000000000070001.eml"])
    }

    @Test func aRetriedDeliveryLeavesOneFile() async throws {
        let outbox = try TemporaryDirectory()
        defer { outbox.remove() }
        let channel = OutboxChannel(directory: outbox.path, sender: sender)
        let notification = Samples.notification()
        for _ in 0..<3 { #expect(await channel.deliver(notification) == .delivered) }
        #expect(try outbox.names() == ["dlv_00000000000000070001.eml"])
    }

    @Test func temporaryFilesLeftByACrashAreRemovedAtTheFirstDelivery() async throws {
        let outbox = try TemporaryDirectory()
        defer { outbox.remove() }
        try outbox.write(".tmp-dlv_00000000000000070001.7-4242-9", Array("torn".utf8))
        try outbox.write(".tmp-dlv_other.8-4242-9", Array("torn too".utf8))
        try outbox.write("dlv_other.eml", Array("delivered before the crash".utf8))
        try outbox.write(".hidden-by-someone-else", [1])
        let channel = OutboxChannel(directory: outbox.path, sender: sender)
        #expect(await channel.deliver(Samples.notification()) == .delivered)
        #expect(try outbox.names() == [".hidden-by-someone-else", "dlv_00000000000000070001.eml", "dlv_other.eml"])
        #expect(try outbox.read("dlv_other.eml") == Array("delivered before the crash".utf8))
    }

    @Test func concurrentDeliveriesEachGetTheirFile() async throws {
        let outbox = try TemporaryDirectory()
        defer { outbox.remove() }
        let channel = OutboxChannel(directory: outbox.path, sender: sender)
        let outcomes = await withTaskGroup(of: DeliveryOutcome.self) { group in
            for index in 0..<20 {
                group.addTask { await channel.deliver(Samples.notification(deliveryID: "dlv_\(index % 10)")) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0 == .delivered })
        #expect(try outbox.names() == (0..<10).map { "dlv_\($0).eml" }.sorted())
    }

    @Test func aDirectoryThatCannotBeMadeIsRetried() async throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("file", [1])
        let channel = OutboxChannel(directory: root.appending("file/outbox"), sender: sender)
        let outcome = await channel.deliver(Samples.notification())
        #expect(outcome.isRetry, "\(outcome)")
        if case .retry(let reason) = outcome { #expect(reason.contains("mkdir"), "\(reason)") }
    }

    @Test func noAddressIsGivenUpAndWritesNothing() async throws {
        let outbox = try TemporaryDirectory()
        defer { outbox.remove() }
        let channel = OutboxChannel(directory: outbox.path, sender: sender)
        let nobody = OutgoingNotification.Person(id: "user1", name: "No Mail")
        #expect(await channel.deliver(Samples.notification(recipient: nobody)).isGiveUp)
        #expect(try outbox.names().isEmpty)
    }

    @Test func fileNamesKeepOnlySafeCharacters() {
        #expect(OutboxChannel.fileName(for: "dlv_0001") == "dlv_0001.eml")
        #expect(OutboxChannel.fileName(for: "../../etc/passwd") == "______etc_passwd.eml")
        #expect(OutboxChannel.fileName(for: "") == "delivery.eml")
    }
}

extension DeliveryOutcome {
    var isGiveUp: Bool {
        if case .giveUp = self { return true }
        return false
    }
}
