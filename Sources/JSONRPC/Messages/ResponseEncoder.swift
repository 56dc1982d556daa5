public import JSON

/// Writes JSON-RPC responses as compact bytes with the members in the order `jsonrpc`, `id`,
/// `result` or `error`.
public enum ResponseEncoder {
    /// Appends a success response.
    public static func appendSuccess(id: RequestID, result: JSONValue, to output: inout [UInt8]) {
        output.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        JSONWriter.write(id.json, into: &output)
        output.append(contentsOf: #","result":"#.utf8)
        JSONWriter.write(result, into: &output)
        output.append(UInt8(ascii: "}"))
    }

    /// Appends an error response.
    public static func appendFailure(id: RequestID, error: ResponseError, to output: inout [UInt8]) {
        output.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        JSONWriter.write(id.json, into: &output)
        output.append(contentsOf: #","error":"#.utf8)
        JSONWriter.write(error.json, into: &output)
        output.append(UInt8(ascii: "}"))
    }

    /// A success response.
    public static func success(id: RequestID, result: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128)
        appendSuccess(id: id, result: result, to: &output)
        return output
    }

    /// An error response.
    public static func failure(id: RequestID, error: ResponseError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(160)
        appendFailure(id: id, error: error, to: &output)
        return output
    }

    /// A batch reply: the already encoded responses as one JSON array. Never call it with no responses;
    /// a batch that needs no reply gets nothing at all.
    public static func batch(_ responses: [[UInt8]]) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "[")]
        output.reserveCapacity(responses.reduce(2) { $0 + $1.count + 1 })
        for (offset, response) in responses.enumerated() {
            if offset > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: response)
        }
        output.append(UInt8(ascii: "]"))
        return output
    }
}
