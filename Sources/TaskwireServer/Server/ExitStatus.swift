/// The process exit codes, following `sysexits.h` where one fits.
package enum ExitStatus: Int32, Sendable {
    /// A clean shutdown: stdin reached EOF, or SIGTERM/SIGINT arrived.
    case success = 0
    /// A bad command line (unknown flag, bad value).
    case usage = 64
    /// The stdio peer sent a byte stream that cannot be framed (an unusable LSP header block), or the data
    /// directory is damaged.
    case dataError = 65
    /// Start-up failed: the socket is in use, cannot be created, or the path is too long.
    case unavailable = 69
    /// The store failed while running (a write or fsync error); nothing answered was lost.
    case ioError = 74
    /// The data directory is locked by another process.
    case locked = 75
    /// An internal error (a shutdown hook failed, the method table could not be built).
    case software = 70
}
