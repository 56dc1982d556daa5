/// Checks blob keys: lowercase hex digests only, so no client text ever becomes part of a path.
package enum BlobKey {
    package static func validate(_ key: String) throws(StoreError) {
        let valid =
            (3...128).contains(key.utf8.count)
            && key.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        guard valid else {
            throw StoreError(
                code: .io, message: "A blob key must be 3 to 128 lowercase hexadecimal digits.",
                location: "blob key of \(key.utf8.count) bytes")
        }
    }

    /// `blobs/<first two digits>` and the rest of the key.
    static func split(_ key: String) -> (directory: String, name: String) {
        (String(key.prefix(2)), String(key.dropFirst(2)))
    }
}
