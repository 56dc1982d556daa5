public import JSON

/// What one frame body holds: one message, a batch of messages, or nothing usable at all.
public enum IncomingBody: Sendable, Hashable {
    /// One message.
    case single(Incoming)
    /// A non-empty batch, in the order its members were written.
    case batch([Incoming])
    /// The body as a whole is unusable (not JSON, an empty batch, a batch over the limit): one error reply
    /// with `id: null`.
    case failure(ResponseError)

    /// The default largest number of members in one batch.
    public static let defaultMaxBatchMembers = 10_000

    /// Parses and classifies one frame body.
    public static func classify(_ body: [UInt8], maxBatchMembers: Int = defaultMaxBatchMembers) -> IncomingBody {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            return .failure(.parseError(error.description))
        }
        return classify(value, maxBatchMembers: maxBatchMembers)
    }

    /// Classifies one parsed frame body.
    public static func classify(_ value: JSONValue, maxBatchMembers: Int = defaultMaxBatchMembers) -> IncomingBody {
        guard case .array(let members) = value else { return .single(Incoming(value)) }
        if members.isEmpty { return .failure(.invalidRequest("a batch must not be empty")) }
        if members.count > maxBatchMembers {
            return .failure(
                ResponseError(
                    code: .tooLarge,
                    message: "A batch may hold at most \(maxBatchMembers) messages; this one holds \(members.count).",
                    error: "too_large",
                    details: ["limit": .int(maxBatchMembers)]
                )
            )
        }
        return .batch(members.map(Incoming.init))
    }
}
