/// Where something is in a script: a 1-based line and a 1-based column counted in characters.
package struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// The line, from 1.
    package var line: Int
    /// The column, from 1.
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line 3, column 14`, the way every error message starts.
    package var description: String { "line \(line), column \(column)" }
}
