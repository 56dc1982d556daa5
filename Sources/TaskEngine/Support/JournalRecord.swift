import JSON

/// The journal record format: one event as a JSON object, or a group of events committed together as a
/// JSON array of event objects with consecutive `seq`s.
///
/// A single event is written exactly as before groups existed (`{"v":1,"seq":N,…}`), so old journals replay
/// unchanged. A group (`[{"v":1,"seq":N,…},{"v":1,"seq":N+1,…}]`) is one record to the store, so a crash keeps
/// all of its events or none: a torn group at the tail is dropped whole like any torn record. Once read,
/// each event of a group is its own entry of the event log, addressable by its `seq`.
enum JournalRecord {
    /// The bytes of one record holding `events` (each one's ``Event/bytes``), in order.
    static func bytes(of events: [[UInt8]]) -> [UInt8] {
        if events.count == 1 { return events[0] }
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(events.reduce(2) { $0 + $1.count + 1 })
        for (index, event) in events.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: event)
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    /// The events of a record with the bytes the event log keeps for each; throws
    /// ``EngineError/damaged(_:)`` when the record is neither an event nor a non-empty array of events.
    static func events(in record: [UInt8]) throws(EngineError) -> [(event: Event, bytes: [UInt8])] {
        guard record.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "[")
        else { return [(try Event(bytes: record), record)] }
        let value: JSONValue
        do { value = try JSONParser.parse(record) } catch { throw .damaged("a record is not valid JSON: \(error)") }
        guard let elements = value.arrayValue, !elements.isEmpty else {
            throw .damaged("a record is an empty or malformed group of events")
        }
        var events: [(event: Event, bytes: [UInt8])] = []
        events.reserveCapacity(elements.count)
        for element in elements {
            let event = try Event(json: element)
            events.append((event, JSONWriter.bytes(element)))
        }
        return events
    }
}
