extension StoreError.Code {
    /// The process exit status the server should use when the store stops it, from `sysexits.h`:
    /// 75 (`EX_TEMPFAIL`) when another process holds the lock, 65 (`EX_DATAERR`) for damaged data,
    /// 74 (`EX_IOERR`) for failed writes, a full disk and other I/O errors.
    package var exitCode: Int32 {
        switch self {
        case .locked: 75
        case .damaged: 65
        case .diskFull, .failed, .closed, .io, .readOnly: 74
        }
    }
}
