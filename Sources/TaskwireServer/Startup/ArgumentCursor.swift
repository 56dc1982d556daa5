/// Walks the words of a command line for every parser of taskwire's commands: `--flag value`,
/// `--flag=value`, bare flags and positional words.
struct ArgumentCursor {
    /// One word, split into the flag's name and its inline `=value` when it has one.
    struct Word {
        /// The word as written.
        var argument: String
        /// The flag name (`--data-dir`), or the whole word when it has no `=`.
        var name: String
        /// The part after `=` in `--flag=value`.
        var inlineValue: String?
    }

    private var remaining: ArraySlice<String>

    init(_ arguments: ArraySlice<String>) { remaining = arguments }

    /// The next word, or `nil` at the end.
    mutating func next() -> Word? {
        guard let argument = remaining.popFirst() else { return nil }
        if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
            return Word(
                argument: argument, name: String(argument[..<equals]),
                inlineValue: String(argument[argument.index(after: equals)...]))
        }
        return Word(argument: argument, name: argument, inlineValue: nil)
    }

    /// The value of `word`: its inline value, else the next word.
    mutating func value(of word: Word) throws(CommandLineError) -> String {
        if let inlineValue = word.inlineValue { return inlineValue }
        guard let next = remaining.popFirst() else { throw CommandLineError("\(word.name) needs a value.") }
        return next
    }
}
