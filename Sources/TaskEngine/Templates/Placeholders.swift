/// The `{{name}}` placeholders of template texts, found and filled.
///
/// A placeholder is `{{`, optional spaces or tabs, a name of one or more of `A-Z a-z 0-9 _ . -`, optional
/// spaces or tabs, and `}}`: `{{issue_id}}` and `{{ issue_id }}` are the same placeholder. Anything else
/// between braces (`{{}}`, `{{two words}}`, a lone `{`) is plain text and stays as written; there is no
/// escaping, no nesting and no default value. Filling is one pass: a value that itself contains `{{x}}`
/// is written as it is, never filled again.
package enum Placeholders {
    /// One piece of a text: literal text or a placeholder's name.
    enum Piece: Equatable {
        case text(Substring)
        case placeholder(String)
    }

    /// The text cut into literal pieces and placeholders.
    static func pieces(of text: String) -> [Piece] {
        var pieces: [Piece] = []
        let scalars = text.unicodeScalars
        var literalStart = scalars.startIndex
        var index = scalars.startIndex
        while index < scalars.endIndex {
            guard scalars[index] == "{", let (name, end) = placeholder(in: scalars, at: index) else {
                index = scalars.index(after: index)
                continue
            }
            if literalStart < index { pieces.append(.text(Substring(scalars[literalStart..<index]))) }
            pieces.append(.placeholder(name))
            index = end
            literalStart = end
        }
        if literalStart < scalars.endIndex { pieces.append(.text(Substring(scalars[literalStart...]))) }
        return pieces
    }

    /// The placeholder starting at `start`, and the index just after its `}}`.
    private static func placeholder(
        in scalars: String.UnicodeScalarView, at start: String.UnicodeScalarView.Index
    ) -> (String, String.UnicodeScalarView.Index)? {
        var index = scalars.index(after: start)
        guard index < scalars.endIndex, scalars[index] == "{" else { return nil }
        index = scalars.index(after: index)
        func skipBlanks() {
            while index < scalars.endIndex, scalars[index] == " " || scalars[index] == "\t" {
                index = scalars.index(after: index)
            }
        }
        skipBlanks()
        let nameStart = index
        while index < scalars.endIndex, isNameScalar(scalars[index]) { index = scalars.index(after: index) }
        guard index > nameStart else { return nil }
        let name = String(scalars[nameStart..<index])
        skipBlanks()
        guard index < scalars.endIndex, scalars[index] == "}" else { return nil }
        index = scalars.index(after: index)
        guard index < scalars.endIndex, scalars[index] == "}" else { return nil }
        return (name, scalars.index(after: index))
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }

    /// The names of a text's placeholders, in order, repeats included.
    package static func names(in text: String) -> [String] {
        pieces(of: text).compactMap { piece in
            if case .placeholder(let name) = piece { return name }
            return nil
        }
    }

    /// The text with every placeholder replaced by its variable; a placeholder without one is
    /// ``EngineError/missingVariable(_:)``.
    static func fill(_ text: String, with variables: [String: String]) throws(EngineError) -> String {
        var result = ""
        for piece in pieces(of: text) {
            switch piece {
            case .text(let literal): result += literal
            case .placeholder(let name):
                guard let value = variables[name] else { throw .missingVariable(name) }
                result += value
            }
        }
        return result
    }
}
