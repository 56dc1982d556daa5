/// The version of this build, reported by `--version`, `server.info` and the OpenRPC document.
package enum TaskwireVersion {
    /// The semantic version.
    package static let current = "0.1.0"
}
