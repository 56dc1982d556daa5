import TestSupport

extension ServerProcess {
    /// A blocking connection over the child's stdin and stdout, as lean as a benchmark client can be.
    func stdioConnection() -> WireConnection {
        WireConnection(readFD: standardIO.output, writeFD: standardIO.input)
    }
}
