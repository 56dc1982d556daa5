import TestSupport
import Testing

@testable import TaskStore

struct BlobTests {
    static let key = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    static let other = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

    private static func exercise(_ store: any Store) throws {
        #expect(try store.blob(key: key) == nil)
        try store.putBlob(key: key, bytes: Array("test".utf8))
        try store.putBlob(key: other, bytes: [0, 1, 2, 255])
        #expect(try store.blob(key: key) == Array("test".utf8))
        // Same key means same content: a second put keeps the first bytes.
        try store.putBlob(key: key, bytes: Array("ignored".utf8))
        #expect(try store.blob(key: key) == Array("test".utf8))
        #expect(try store.blobKeys() == [other, key])
        try store.deleteBlob(key: key)
        try store.deleteBlob(key: key)
        #expect(try store.blob(key: key) == nil)
        #expect(try store.blobKeys() == [other])

        for bad in ["../etc/passwd", "ABCDEF", "ab", "", "abc/def", "abc def", String(repeating: "a", count: 129)] {
            #expect(throws: StoreError.self) { try store.putBlob(key: bad, bytes: []) }
            #expect(throws: StoreError.self) { try store.blob(key: bad) }
            #expect(throws: StoreError.self) { try store.deleteBlob(key: bad) }
        }
    }

    @Test func fileStoreBlobs() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try FileStore.open(directory: directory.path, options: testOptions())
        try Self.exercise(store)
        store.close()
        let reopened = try FileStore.open(directory: directory.path, options: testOptions())
        defer { reopened.close() }
        #expect(try reopened.blob(key: Self.other) == [0, 1, 2, 255])
        #expect(try directory.read("blobs/60/" + String(Self.other.dropFirst(2))) == [0, 1, 2, 255])
    }

    @Test func memoryStoreBlobs() throws {
        try Self.exercise(MemoryStore())
    }
}
