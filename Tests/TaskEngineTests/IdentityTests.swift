import JSON
import StoreTestSupport
import TaskStore
import Testing

@testable import TaskEngine

/// Users, tokens and permissions in the engine alone: a `MemoryStore` and a hand-driven clock.
@Suite(.closesTestStores)
struct IdentityTests {
    static let admin = Caller.system
    static let agent = Caller(user: "bot", role: .agent)
    static let ann = Caller(user: "ann", role: .member)
    static let bob = Caller(user: "bob", role: .member)

    /// A fixture with an agent `bot` and members `ann` and `bob`.
    func populated(
        snapshotThreshold: Int = 100_000, on backend: TestStore.Backend = .thisPass
    ) async throws
        -> Fixture
    {
        let fixture = try Fixture(snapshotThreshold: snapshotThreshold, on: backend)
        _ = try await fixture.engine.upsertUser(
            UserInput(userID: "bot", name: "Support bot", role: "agent"), by: Self.admin)
        for id in ["ann", "bob"] {
            _ = try await fixture.engine.upsertUser(
                UserInput(userID: UserID(id), name: id == "ann" ? "Ann" : "Bob", role: "member"), by: Self.agent)
        }
        return fixture
    }

    // MARK: Users

    @Test(arguments: [
        (UserInput(userID: "", name: "X", role: "member"), "user_id"),
        (UserInput(userID: "has space", name: "X", role: "member"), "user_id"),
        (UserInput(userID: UserID(String(repeating: "a", count: 65)), name: "X", role: "member"), "user_id"),
        (UserInput(userID: "ok", name: "  ", role: "member"), "name"),
        (UserInput(userID: "ok", name: String(repeating: "n", count: 201), role: "member"), "name"),
        (UserInput(userID: "ok", name: "X", avatarURL: "ftp://x/a.png", role: "member"), "avatar_url"),
        (UserInput(userID: "ok", name: "X", avatarURL: "https:///a.png", role: "member"), "avatar_url"),
        (UserInput(userID: "ok", name: "X", email: "no-at-sign", role: "member"), "email"),
        (UserInput(userID: "ok", name: "X", email: "a@b", role: "member"), "email"),
        (UserInput(userID: "ok", name: "X", role: "owner"), "role"),
    ])
    func upsertRefusesBadFieldsNamingThem(input: UserInput, field: String) async throws {
        let fixture = try Fixture()
        let error = await engineError { _ = try await fixture.engine.upsertUser(input, by: Self.admin) }
        #expect(error?.details["field"] == .string(field))
        #expect(error?.name == "invalid_params")
        #expect(await fixture.engine.lastSeq == 0)
    }

    @Test func upsertRecordsOnlyRealChanges() async throws {
        let fixture = try Fixture()
        let input = UserInput(
            userID: "user456", name: "Jane Smith", avatarURL: "https://example.com/avatar.jpg",
            email: "jane@example.com", role: "member")
        let created = try await fixture.engine.upsertUser(input, by: Self.admin).value
        #expect(created.created && created.user.role == .member && created.user.email == "jane@example.com")
        let again = try await fixture.engine.upsertUser(input, by: Self.admin).value
        #expect(!again.created && again.updatedFields.isEmpty)
        #expect(await fixture.engine.lastSeq == 1)
        var renamed = input
        renamed.name = "Jane Doe"
        renamed.email = nil
        fixture.clock.advance(seconds: 5)
        let changed = try await fixture.engine.upsertUser(renamed, by: Self.admin).value
        #expect(changed.updatedFields == ["name", "email"])
        #expect(changed.user.createdAt.rfc3339 == "2024-01-15T10:00:00Z")
        #expect(changed.user.updatedAt.rfc3339 == "2024-01-15T10:00:05Z")
        #expect(try await fixture.engine.user("user456").email == nil)
    }

    @Test func systemAlwaysExistsAndStaysAnAdmin() async throws {
        let fixture = try Fixture()
        #expect(try await fixture.engine.user("system").role == .admin)
        #expect(try await fixture.engine.users().users.map(\.userID) == ["system"])
        let demote = await engineError {
            _ = try await fixture.engine.upsertUser(
                UserInput(userID: "system", name: "S", role: "member"), by: Self.admin)
        }
        #expect(demote?.name == "permission_denied")
        _ = try await fixture.engine.upsertUser(
            UserInput(userID: "system", name: "Operator", role: "admin"), by: Self.admin)
        #expect(try await fixture.engine.user("system").name == "Operator")
        #expect(await engineError { _ = try await fixture.engine.user("nobody") } == .userNotFound("nobody"))
    }

    @Test func whoMayUpsertWhom() async throws {
        let fixture = try await populated()
        let engine = fixture.engine
        func attempt(_ input: UserInput, by caller: Caller) async -> String? {
            await engineError { _ = try await engine.upsertUser(input, by: caller) }?.name
        }
        // Agents register members, but never create or promote admins and agents.
        #expect(await attempt(UserInput(userID: "cid", name: "Cid", role: "member"), by: Self.agent) == nil)
        #expect(
            await attempt(UserInput(userID: "eve", name: "Eve", role: "admin"), by: Self.agent) == "permission_denied")
        #expect(
            await attempt(UserInput(userID: "ann", name: "Ann", role: "agent"), by: Self.agent) == "permission_denied")
        #expect(
            await attempt(UserInput(userID: "bot", name: "Bot 2", role: "member"), by: Self.agent)
                == "permission_denied")
        // Members edit their own profile only, and cannot change their role.
        #expect(await attempt(UserInput(userID: "ann", name: "Ann B.", role: "member"), by: Self.ann) == nil)
        #expect(
            await attempt(UserInput(userID: "ann", name: "Ann", role: "admin"), by: Self.ann) == "permission_denied")
        #expect(
            await attempt(UserInput(userID: "bob", name: "Bobby", role: "member"), by: Self.ann) == "permission_denied")
        // Admins do anything.
        #expect(await attempt(UserInput(userID: "ann", name: "Ann", role: "agent"), by: Self.admin) == nil)
        #expect(try await engine.user("ann").role == .agent)
        let page = try await engine.users(role: "member", page: 1, limit: 1)
        #expect(page.total == 2 && page.users.map(\.userID) == ["bob"])
    }

    @Test func tasksGetExpandsTheAssigneeFromTheEnginesOwnUsers() async throws {
        let fixture = try Fixture()
        let input = UserInput(
            userID: "user456", name: "Jane Smith", avatarURL: "https://example.com/avatar.jpg", role: "member")
        _ = try await fixture.engine.upsertUser(input, by: Self.admin)
        let known = try await fixture.create("Known") { $0.assignee = "user456" }
        let unknown = try await fixture.create("Unknown") { $0.assignee = "user999" }
        #expect(
            try await fixture.engine.taskDetail(known.id)["assignee"]
                == ["user_id": "user456", "name": "Jane Smith", "avatar_url": "https://example.com/avatar.jpg"])
        #expect(try await fixture.engine.taskDetail(unknown.id)["assignee"] == ["user_id": "user999"])
        var renamed = input
        renamed.name = "Jane Doe"
        _ = try await fixture.engine.upsertUser(renamed, by: Self.admin)
        #expect(fixture.engine.directory.profile(of: "user456")?.name == "Jane Doe")
        #expect(try await fixture.reopen().taskDetail(known.id)["assignee"]?["name"] == "Jane Doe")
    }

    // MARK: Permissions on tasks

    @Test func membersChangeOnlyTasksTheyCreatedOrAreAssignedTo() async throws {
        let fixture = try await populated()
        let engine = fixture.engine
        var input = NewTask(title: "Ann's")
        input.assignee = "bob"
        let task = try await engine.create(input, by: Self.ann).value.task
        let mine = try await engine.create(NewTask(title: "Cid's"), by: Caller(user: "cid", role: .member)).value.task
        // Reading is open to every member.
        #expect(try await engine.task(mine.id, for: Self.ann).id == mine.id)
        #expect(try await engine.list(TaskQuery(), for: Self.bob).total == 2)
        // The assignee and the creator may change it; someone else may not, and nothing changes.
        var patch = TaskPatch()
        patch.status = "in_progress"
        _ = try await engine.update(task.id, patch, by: Self.bob)
        let refused = await engineError { _ = try await engine.update(mine.id, patch, by: Self.ann) }
        #expect(refused == .permissionDenied("You don't have permission to modify this task"))
        #expect(await engineError { _ = try await engine.delete(mine.id, by: Self.bob) }?.name == "permission_denied")
        #expect(
            await engineError { _ = try await engine.complete(mine.id, Completion(), by: Self.bob) }?.name
                == "permission_denied")
        #expect(try await engine.task(mine.id).version == 1)
        // Agents and admins change any task.
        _ = try await engine.update(mine.id, patch, by: Self.agent)
        _ = try await engine.complete(mine.id, Completion(), by: Self.admin)
        _ = try await engine.delete(task.id, by: Self.ann)
    }

    @Test func anAgentActingForAMemberIsRecordedBesideTheMember() async throws {
        let fixture = try await populated()
        let forAnn = Caller(user: "ann", agent: "bot", role: .member)
        let task = try await fixture.engine.create(NewTask(title: "Via bot"), by: forAnn).value.task
        #expect(task.createdBy == "ann")
        let history = try await fixture.engine.history(task.id)
        #expect(history.events.first?.actor == "ann" && history.events.first?.agent == "bot")
        #expect(history.json["history"]?.arrayValue?.first?["agent"] == "bot")
    }

    // MARK: Tokens

    @Test func tokensLogInUntilRevokedOrExpired() async throws {
        let fixture = try await populated()
        let engine = fixture.engine
        let issued = try await engine.createToken(
            for: "ann", label: "laptop", expiresAt: .text("2024-01-15T11:00:00Z"), by: Self.admin, secret: "tw_ann"
        ).value
        #expect(issued.record.tokenID.description.hasPrefix("tok_") && issued.token == "tw_ann")
        #expect(issued.json["token"] == "tw_ann" && issued.json["label"] == "laptop")
        let login = try await engine.login(token: "tw_ann")
        #expect(login.user.userID == "ann" && login.token.tokenID == issued.record.tokenID)
        #expect(try await engine.principal(userID: "ann", tokenID: issued.record.tokenID).role == .member)
        #expect(await engineError { _ = try await engine.login(token: "tw_wrong") }?.name == "unauthorized")

        fixture.clock.advance(seconds: 3600)
        #expect(await engineError { _ = try await engine.login(token: "tw_ann") }?.name == "unauthorized")
        #expect(
            await engineError {
                _ = try await engine.principal(userID: "ann", tokenID: issued.record.tokenID)
            }?.name
                == "unauthorized")
        #expect(
            try await engine.tokens(of: "ann", for: Self.ann).json["tokens"]?.arrayValue?.first?["status"] == "expired")

        let second = try await engine.createToken(for: "ann", by: Self.admin, secret: "tw_ann2").value
        #expect(try await engine.login(token: "tw_ann2").user.userID == "ann")
        let revoked = try await engine.revokeToken(second.record.tokenID, by: Self.ann).value
        #expect(revoked.revokedAt != nil)
        #expect(await engineError { _ = try await engine.login(token: "tw_ann2") }?.name == "unauthorized")
        // Revoking twice changes nothing.
        let seq = await engine.lastSeq
        _ = try await engine.revokeToken(second.record.tokenID, by: Self.admin)
        #expect(await engine.lastSeq == seq)
    }

    @Test func onlyAdminsIssueTokensAndOnlyOwnersOrAdminsManageThem() async throws {
        let fixture = try await populated()
        let engine = fixture.engine
        for caller in [Self.agent, Self.ann] {
            #expect(
                await engineError { _ = try await engine.createToken(for: caller.user, by: caller) }?.name
                    == "permission_denied")
        }
        #expect(
            await engineError { _ = try await engine.createToken(for: "ghost", by: Self.admin) }
                == .userNotFound("ghost"))
        let bobs = try await engine.createToken(for: "bob", by: Self.admin).value.record.tokenID
        _ = try await engine.createToken(for: "ann", by: Self.admin)
        #expect(await engineError { _ = try await engine.revokeToken(bobs, by: Self.ann) }?.name == "permission_denied")
        #expect(
            await engineError { _ = try await engine.revokeToken(try tokenID("tok_0000000000000"), by: Self.admin) }?
                .name
                == "token_not_found")
        #expect(
            await engineError { _ = try await engine.tokens(of: "bob", for: Self.ann) }?.name == "permission_denied")
        #expect(try await engine.tokens(of: nil, for: Self.ann).tokens.map(\.userID) == ["ann"])
        #expect(try await engine.tokens(of: nil, for: Self.admin).tokens.count == 2)
        #expect(try await engine.tokens(of: nil, for: Self.admin).json["tokens"]?.arrayValue?.first?["hash"] == nil)
        let past = await engineError {
            _ = try await engine.createToken(for: "ann", expiresAt: .text("2024-01-15T09:00:00Z"), by: Self.admin)
        }
        #expect(past?.details["field"] == "expires_at")
    }

    @Test func theJournalHoldsTheHashNeverTheToken() async throws {
        let fixture = try await populated(on: .memory)
        let secret = TokenSecret.generate()
        _ = try await fixture.engine.createToken(for: "ann", by: Self.admin, secret: secret)
        let journal = try fixture.memory.records.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        #expect(!journal.contains(secret))
        #expect(journal.contains(TokenSecret.hash(secret)))
        let export = JSONWriter.string(await fixture.engine.exportDocument())
        #expect(!export.contains(secret) && export.contains(TokenSecret.hash(secret)))
    }

    @Test func identityEventsAreInternalAndInNoTaskHistory() async throws {
        let fixture = try await populated()
        let task = try await fixture.create("T")
        _ = try await fixture.engine.createToken(for: "bob", by: Self.admin)
        let events = try await fixture.engine.events(after: 0, limit: 100)
        #expect(events.map(\.type) == [.userUpserted, .userUpserted, .userUpserted, .taskCreated, .tokenCreated])
        #expect(events.map(\.isInternal) == [true, true, true, false, true])
        #expect(events[0].json["user_id"] == "bot" && events[0].json["task_id"] == nil)
        #expect(events[4].json["token_id"]?.stringValue?.hasPrefix("tok_") == true)
        #expect(try await fixture.engine.history(task.id).events.map(\.seq) == [4])
    }

    @Test func secretsAndTokenIDsHaveTheirShape() {
        let first = TokenSecret.generate()
        let second = TokenSecret.generate()
        #expect(first != second)
        #expect(first.hasPrefix("tw_") && first.utf8.count == 46)
        #expect(first.dropFirst(3).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(TokenSecret.base64URL(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(TokenSecret.base64URL(Array("fo".utf8)) == "Zm8")
        #expect(TokenSecret.base64URL([0xFB, 0xFF]) == "-_8")
        let id = TokenID(raw: 0x0123_4567_89AB_CDEF).description
        #expect(TokenID(id)?.raw == 0x0123_4567_89AB_CDEF)
        #expect(TokenID("tsk_0000000000000")?.raw == nil)
    }

    // MARK: Durability

    /// Users (with a renamed `system`), live, expired and revoked tokens, and tasks among them.
    func identityHistory(_ fixture: Fixture) async throws -> TokenID {
        let engine = fixture.engine
        _ = try await engine.upsertUser(UserInput(userID: "system", name: "Operator", role: "admin"), by: Self.admin)
        _ = try await fixture.create("Between")
        _ = try await engine.createToken(for: "ann", expiresAt: .epochSeconds(1_705_316_400 + 60), by: Self.admin)
        let revoked = try await engine.createToken(for: "bob", by: Self.admin, secret: "tw_bob").value.record.tokenID
        _ = try await engine.revokeToken(revoked, by: Self.admin)
        _ = try await engine.createToken(for: "bot", label: "prod", by: Self.admin, secret: "tw_bot")
        _ = try await engine.upsertUser(
            UserInput(userID: "ann", name: "Ann", email: "ann@example.com", role: "member"), by: Self.ann)
        _ = try await fixture.create("After")
        return revoked
    }

    func expectSameIdentity(_ engine: Engine, as original: Engine, write: Bool = true) async throws {
        #expect(await engine.exportDocument() == (await original.exportDocument()))
        #expect(try await engine.users().json == (try await original.users().json))
        #expect(try await engine.login(token: "tw_bot").token.label == "prod")
        #expect(await engineError { _ = try await engine.login(token: "tw_bob") }?.name == "unauthorized")
        #expect(try await engine.user("system").name == "Operator")
        #expect(engine.directory.profile(of: "ann")?.name == "Ann")
        guard write else { return }
        // New ids keep growing after a restart.
        let next = try await engine.createToken(for: "ann", by: Self.admin).value.record.tokenID
        let previous =
            try await original.tokens(of: nil, for: Self.admin).tokens.map(\.tokenID).max() ?? TokenID(raw: 0)
        #expect(next > previous)
    }

    @Test func usersAndTokensSurviveJournalReplay() async throws {
        let fixture = try await populated()
        _ = try await identityHistory(fixture)
        try await expectSameIdentity(try fixture.reopen(), as: fixture.engine)
    }

    @Test func usersAndTokensSurviveSnapshots() async throws {
        let fixture = try await populated(snapshotThreshold: 4)
        _ = try await identityHistory(fixture)
        #expect(try await TestStore.tookSnapshot(fixture.store, threshold: 4))
        try await expectSameIdentity(try fixture.reopen(), as: fixture.engine)
    }

    @Test func usersAndTokensSurviveExportAndImport() async throws {
        let fixture = try await populated()
        _ = try await identityHistory(fixture)
        let document = try JSONParser.parse(JSONWriter.string(await fixture.engine.exportDocument()))
        #expect(document["users"]?.arrayValue?.count == 4)
        #expect(document["tokens"]?.arrayValue?.count == 3)
        let store = MemoryStore()
        let imported = try Engine.importDocument(document, into: store, clock: fixture.clock)
        try await expectSameIdentity(imported, as: fixture.engine, write: false)
        try await expectSameIdentity(try Engine.open(store: store, clock: fixture.clock), as: fixture.engine)

        // A document whose users disagree with its events is refused, not half-loaded.
        guard case .object(var object) = document, case .array(var users)? = object["users"],
            case .object(var first)? = users.first
        else { throw EngineError.damaged("unexpected export shape") }
        first["name"] = "Mallory"
        users[0] = .object(first)
        object["users"] = .array(users)
        let refused = await engineError { _ = try Engine.importDocument(.object(object), into: MemoryStore()) }
        #expect(refused?.name == "unavailable")
    }
}
