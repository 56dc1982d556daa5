/// A JSON object whose members keep the order in which they were parsed or added.
///
/// Lookups scan the members, which is faster than hashing for the small objects JSON-RPC carries.
/// When a key appears twice the later member wins, as in most JSON parsers.
public struct JSONObject: Sendable, Hashable {
    /// The members in order.
    public private(set) var members: [(key: String, value: JSONValue)]

    public init() { members = [] }

    public init(_ members: [(key: String, value: JSONValue)]) { self.members = members }

    /// The number of members, counting repeated keys.
    public var count: Int { members.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The value of the last member with this key; setting replaces it or appends a new member, and
    /// setting `nil` removes every member with the key.
    public subscript(key: String) -> JSONValue? {
        get {
            for index in members.indices.reversed() where members[index].key == key {
                return members[index].value
            }
            return nil
        }
        set {
            guard let newValue else {
                members.removeAll { $0.key == key }
                return
            }
            if let index = members.lastIndex(where: { $0.key == key }) {
                members[index].value = newValue
            } else {
                members.append((key: key, value: newValue))
            }
        }
    }

    /// Appends a member without looking for an existing one; for building objects with fresh keys.
    public mutating func append(_ key: String, _ value: JSONValue) {
        members.append((key: key, value: value))
    }

    /// Appends a member only when the value is present, so optional fields are left out rather than `null`.
    public mutating func append(_ key: String, ifPresent value: JSONValue?) {
        if let value { members.append((key: key, value: value)) }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }
}
