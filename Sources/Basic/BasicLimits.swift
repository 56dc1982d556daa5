/// How much a script may do; going over any limit stops it with a clear error.
package struct BasicLimits: Sendable, Equatable {
    /// The longest script accepted, in UTF-8 bytes.
    package var maxSourceBytes: Int
    /// The most steps: statements evaluated (each statement of a taken branch or loop body counts, and the
    /// `IF` or loop itself) and loop turns.
    package var maxSteps: Int
    /// The longest a run may take, in seconds, checked before every statement and after every call.
    package var maxSeconds: Double
    /// The most `TALK` lines.
    package var maxTalkLines: Int
    /// The most bytes of `TALK` output in all (UTF-8, without line ends).
    package var maxTalkBytes: Int
    /// The longest string a script may build or receive, in UTF-8 bytes.
    package var maxStringBytes: Int
    /// How deeply expressions and `IF` blocks may nest: parentheses, unary operators, each operator of a
    /// chain (`a + b + c` nests two deep) and each `IF`, so that no script builds a tree deep enough to
    /// exhaust a thread's stack.
    package var maxDepth: Int

    package init(
        maxSourceBytes: Int = 65_536, maxSteps: Int = 100_000, maxSeconds: Double = 10, maxTalkLines: Int = 1_000,
        maxTalkBytes: Int = 65_536, maxStringBytes: Int = 65_536, maxDepth: Int = 200
    ) {
        self.maxSourceBytes = maxSourceBytes
        self.maxSteps = maxSteps
        self.maxSeconds = maxSeconds
        self.maxTalkLines = maxTalkLines
        self.maxTalkBytes = maxTalkBytes
        self.maxStringBytes = maxStringBytes
        self.maxDepth = maxDepth
    }

    /// The limits `basic.run` and `taskwire basic` use.
    package static let standard = BasicLimits()
}
