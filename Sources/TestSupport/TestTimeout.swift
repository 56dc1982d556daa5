/// A wait in a test that did not see its event in time.
package struct TestTimeout: Error, CustomStringConvertible {
    /// What was being waited for.
    package var what: String

    /// A timeout while waiting for `what`.
    package init(_ what: String) { self.what = what }

    package var description: String { "timed out waiting for \(what)" }
}

extension Duration {
    /// The duration in seconds, for Dispatch deadlines.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
