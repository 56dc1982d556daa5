package import TaskEngine

/// The `users.*` and `auth.*` methods.
package enum IdentityMethods {
    /// Every `users.*` and `auth.*` method, on `engine`; `clock` times the login throttle.
    package static func declarations(
        engine: Engine, clock: any TimeSource = SystemTimeSource()
    ) -> [MethodDeclaration] {
        [
            UpsertUser.declaration(engine: engine),
            GetUser.declaration(engine: engine),
            ListUsers.declaration(engine: engine),
            Login.declaration(engine: engine, clock: clock),
            WhoAmI.declaration(engine: engine),
            CreateToken.declaration(engine: engine),
            RevokeToken.declaration(engine: engine),
            ListTokens.declaration(engine: engine),
        ]
    }
}
