#if canImport(Glibc)
    import Glibc
#endif

/// glibc's epoll, eventfd and malloc_trim, which the toolchain's Glibc module does not export
/// (`sys/epoll.h`, `sys/eventfd.h` and `malloc.h` are not in its module map).
///
/// The functions are looked up once in the C library already loaded into the process; the constants
/// and the layout of `struct epoll_event` are the kernel's ABI, which never changes.
enum Epoll {
    static let input: UInt32 = 0x001
    static let output: UInt32 = 0x004
    static let error: UInt32 = 0x008
    static let hangUp: UInt32 = 0x010
    static let add: Int32 = 1
    static let delete: Int32 = 2
    static let modify: Int32 = 3
    /// `EPOLL_CLOEXEC`, `EFD_CLOEXEC`: the same bit as `O_CLOEXEC`.
    static let closeOnExec: Int32 = 0o2_000_000
    /// `EFD_NONBLOCK`: the same bit as `O_NONBLOCK`.
    static let nonBlocking: Int32 = 0o4000

    #if arch(x86_64)
        /// `struct epoll_event` is packed on x86-64: a 32-bit mask, then the 64-bit data, 12 bytes.
        static let eventSize = 12
        static let dataOffset = 4
    #else
        static let eventSize = 16
        static let dataOffset = 8
    #endif

    private typealias CreateFunction = @convention(c) (Int32) -> Int32
    private typealias ControlFunction = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias WaitFunction = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    private typealias EventFDFunction = @convention(c) (UInt32, Int32) -> Int32
    private typealias TrimFunction = @convention(c) (Int) -> Int32

    private struct Functions: @unchecked Sendable {
        // Plain C function pointers, written once before any use and never changed: safe to share.
        var create: CreateFunction
        var control: ControlFunction
        var wait: WaitFunction
        var eventFD: EventFDFunction
        var trim: TrimFunction?
    }

    private static let functions: Functions? = {
        let library = dlopen(nil, RTLD_NOW)
        func find<Function>(_ name: String, as type: Function.Type) -> Function? {
            guard let symbol = dlsym(library, name) else { return nil }
            return unsafeBitCast(symbol, to: type)
        }
        guard let create = find("epoll_create1", as: CreateFunction.self),
            let control = find("epoll_ctl", as: ControlFunction.self),
            let wait = find("epoll_wait", as: WaitFunction.self),
            let eventFD = find("eventfd", as: EventFDFunction.self)
        else { return nil }
        return Functions(
            create: create, control: control, wait: wait, eventFD: eventFD,
            trim: find("malloc_trim", as: TrimFunction.self)
        )
    }()

    /// Whether the functions were found (always, on Linux with glibc).
    static var isAvailable: Bool { functions != nil }

    /// `epoll_create1(EPOLL_CLOEXEC)`; -1 on failure.
    static func create() -> Int32 {
        functions?.create(closeOnExec) ?? -1
    }

    /// `epoll_ctl` with one event whose data is `data`; 0 on success.
    static func control(_ epollFD: Int32, _ operation: Int32, _ fd: Int32, events: UInt32, data: UInt64) -> Int32 {
        guard let functions else { return -1 }
        var event = [UInt8](repeating: 0, count: 16)
        return event.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: data, toByteOffset: dataOffset, as: UInt64.self)
            return functions.control(epollFD, operation, fd, raw.baseAddress)
        }
    }

    /// `epoll_wait` into `events`, which holds `capacity` events of ``eventSize`` bytes.
    static func wait(_ epollFD: Int32, _ events: UnsafeMutableRawPointer, capacity: Int32, timeout: Int32) -> Int32 {
        functions?.wait(epollFD, events, capacity, timeout) ?? -1
    }

    /// The mask and data of the event at `index` in a buffer filled by ``wait(_:_:capacity:timeout:)``.
    static func event(at index: Int, in events: UnsafeMutableRawPointer) -> (events: UInt32, data: UInt64) {
        let base = events + index * eventSize
        return (base.loadUnaligned(as: UInt32.self), base.loadUnaligned(fromByteOffset: dataOffset, as: UInt64.self))
    }

    /// `eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)`; -1 on failure.
    static func eventFD() -> Int32 {
        functions?.eventFD(0, closeOnExec | nonBlocking) ?? -1
    }

    /// `malloc_trim(0)`: hands memory glibc keeps in its arenas back to the system.
    static func trimMemory() {
        _ = functions?.trim?(0)
    }
}
