import Foundation

/// A fresh directory under the system temporary directory, removed by ``remove()``.
///
/// Paths are kept short (`/tmp/tw-XXXXXX`) so that socket paths inside fit `sun_path`.
package struct TemporaryDirectory: Sendable {
    /// The directory's path.
    package let path: String

    /// Creates the directory.
    package init() throws {
        var template = Array("/tmp/tw-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard created else { throw TestSupportError("mkdtemp failed") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A path inside the directory.
    package func appending(_ name: String) -> String { path + "/" + name }

    /// The names of the files in the directory, sorted.
    package func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    /// The bytes of a file in the directory.
    package func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: appending(name))))
    }

    /// Replaces (or creates) a file in the directory with `bytes`.
    package func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: appending(name)))
    }

    /// Removes the directory and everything in it.
    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
