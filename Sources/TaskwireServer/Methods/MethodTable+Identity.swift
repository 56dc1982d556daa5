package import TaskEngine

extension MethodTable {
    /// Registers `users.*` and `auth.*` on `engine`; `clock` times the login throttle.
    package mutating func registerIdentity(engine: Engine, clock: any TimeSource = SystemTimeSource()) {
        register(UpsertUser.name) { try await UpsertUser.handle($0, $1, engine: engine) }
        register(GetUser.name) { try await GetUser.handle($0, $1, engine: engine) }
        register(ListUsers.name) { try await ListUsers.handle($0, $1, engine: engine) }
        register(Login.name) { try await Login.handle($0, $1, engine: engine, clock: clock) }
        register(WhoAmI.name) { try await WhoAmI.handle($0, $1, engine: engine) }
        register(CreateToken.name) { try await CreateToken.handle($0, $1, engine: engine) }
        register(RevokeToken.name) { try await RevokeToken.handle($0, $1, engine: engine) }
        register(ListTokens.name) { try await ListTokens.handle($0, $1, engine: engine) }
    }
}
