package import TaskEngine

/// `basic.run`: the spec's BASIC, run as the caller over the task API.
package enum BasicMethods {
    /// The BASIC methods; task keywords reach the API through `invoker`, `NOW()` reads `clock`.
    package static func declarations(
        invoker: MethodInvoker, clock: any TimeSource = SystemTimeSource()
    )
        -> [MethodDeclaration]
    {
        [RunBasic.declaration(invoker: invoker, clock: clock)]
    }
}
