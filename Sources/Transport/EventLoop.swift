import Dispatch
import Foundation
import Locking

#if canImport(Glibc)
    import Glibc
#endif

/// One thread that waits in `epoll_wait` for every registered socket connection and serves what is ready.
///
/// Each ready socket is read once per wake-up into one buffer the loop owns, so an idle connection holds
/// no read buffer at all, and a thread count that does not grow with the number of connections. Writes do
/// not need the loop: whoever queues a reply on an idle connection writes it at once; only what the
/// kernel cannot take yet is left here, and the loop writes it when the socket reports `EPOLLOUT`. Level
/// triggered: a socket is reported again while it stays readable, so one read per wake-up is fair to every
/// connection and loses nothing.
///
/// A descriptor is closed only on the loop thread, between two waits, once its connection asked for it:
/// an event already returned for a closed descriptor can then never be taken for a new connection that
/// reused the number, since events carry the connection's id, not its descriptor.
package final class EventLoop: Sendable {
    private struct State {
        var connections: [UInt64: Connection] = [:]
        var closing: [Connection] = []
        var closedSinceTrim = 0
        var trimScheduled = false
    }

    /// The loop all socket connections of the process share, started on first use.
    package static let shared: EventLoop? = {
        guard let loop = EventLoop() else { return nil }
        loop.start()
        return loop
    }()

    /// The bytes read from one socket in one go.
    static let readBufferBytes = 64 * 1024
    /// After this many closed connections, memory the allocator keeps is handed back to the system.
    static let trimAfterClosing = 64

    private let epollFD: Int32
    private let wakeFD: Int32
    private let state = Mutex(State())
    private static let wakeID: UInt64 = 0

    /// A loop with its epoll set; nil when the kernel refuses one (the caller then uses threads).
    init?() {
        let epollFD = Epoll.create()
        guard epollFD >= 0 else { return nil }
        let wakeFD = Epoll.eventFD()
        guard wakeFD >= 0 else {
            Glibc.close(epollFD)
            return nil
        }
        guard Epoll.control(epollFD, Epoll.add, wakeFD, events: Epoll.input, data: Self.wakeID) == 0 else {
            Glibc.close(epollFD)
            Glibc.close(wakeFD)
            return nil
        }
        self.epollFD = epollFD
        self.wakeFD = wakeFD
    }

    /// The connections registered now (for tests and diagnostics).
    package var registeredCount: Int { state.withLock { $0.connections.count } }

    private func start() {
        let thread = Thread { [self] in run() }
        thread.name = "taskwire-loop"
        thread.start()
    }

    /// Makes `connection` known to the loop before its descriptor enters the epoll set.
    func add(_ connection: Connection) {
        state.withLock { $0.connections[connection.id] = connection }
    }

    /// Sets the events `fd` is watched for (`mask` 0 removes it from the set); `registered` is the mask the
    /// kernel has now, 0 when the descriptor is not in the set. Returns the mask now in effect.
    func watch(fd: Int32, id: UInt64, mask: UInt32, registered: UInt32) -> UInt32 {
        guard mask != registered else { return mask }
        if mask == 0 {
            _ = Epoll.control(epollFD, Epoll.delete, fd, events: 0, data: 0)
            return 0
        }
        let operation = registered == 0 ? Epoll.add : Epoll.modify
        return Epoll.control(epollFD, operation, fd, events: mask, data: id) == 0 ? mask : registered
    }

    /// Closes the connection's descriptor on the loop thread before its next wait, and forgets it.
    func close(_ connection: Connection) {
        state.withLock { $0.closing.append(connection) }
        wake()
    }

    private func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(wakeFD, $0.baseAddress, $0.count) }
    }

    private func run() {
        let capacity = 512
        let events = UnsafeMutableRawPointer.allocate(byteCount: capacity * Epoll.eventSize, alignment: 16)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readBufferBytes, alignment: 16)
        var ready: [(Connection, UInt32)] = []
        ready.reserveCapacity(capacity)
        while true {
            let count = Epoll.wait(epollFD, events, capacity: Int32(capacity), timeout: -1)
            if count < 0 {
                if lastErrno() == EINTR { continue }
                // Nothing else can be done for the sockets; this only happens if the set itself is gone.
                return
            }
            var woken = false
            state.withLock { state in
                for index in 0..<Int(count) {
                    let event = Epoll.event(at: index, in: events)
                    if event.data == Self.wakeID {
                        woken = true
                    } else if let connection = state.connections[event.data] {
                        ready.append((connection, event.events))
                    }
                }
            }
            if woken {
                var value: UInt64 = 0
                _ = withUnsafeMutableBytes(of: &value) { read(wakeFD, $0.baseAddress, $0.count) }
            }
            for (connection, mask) in ready { connection.handleLoopEvents(mask, buffer: buffer) }
            ready.removeAll(keepingCapacity: true)
            closePending()
        }
    }

    private func closePending() {
        let (closing, trim) = state.withLock { state -> ([Connection], Bool) in
            guard !state.closing.isEmpty else { return ([], false) }
            let closing = state.closing
            state.closing.removeAll()
            for connection in closing { state.connections.removeValue(forKey: connection.id) }
            // A dictionary never shrinks by removal: once empty, let its storage go.
            if state.connections.isEmpty { state.connections = [:] }
            state.closedSinceTrim += closing.count
            guard state.closedSinceTrim >= Self.trimAfterClosing, !state.trimScheduled else {
                return (closing, false)
            }
            state.trimScheduled = true
            state.closedSinceTrim = 0
            return (closing, true)
        }
        for connection in closing { connection.closeDescriptorOnLoop() }
        if trim { scheduleTrim() }
    }

    /// glibc keeps freed memory in its arenas; after a burst of closes, hand it back once things settle.
    ///
    /// A burst can outlast the delay (thousands of closes on a busy machine): connections closed after the
    /// trim was scheduled get a trailing trim of their own, and so on until a delay passes without a close,
    /// so the last of a burst is always handed back too.
    private func scheduleTrim() {
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + 0.5) { [self] in
            Epoll.trimMemory()
            let again = state.withLock { state -> Bool in
                guard state.closedSinceTrim > 0 else {
                    state.trimScheduled = false
                    return false
                }
                state.closedSinceTrim = 0
                return true
            }
            if again { scheduleTrim() }
        }
    }
}
