/// The permission rules, in one place: a pure function of the caller's role, the action, and how the
/// caller relates to the task or account the action concerns.
///
/// `docs/security.md` shows the same rules as a table, and a test walks that table cell by cell against
/// ``allows(_:_:_:)``. An agent acting `on_behalf_of` a member is checked with the member's role.
package enum AccessPolicy {
    /// What a caller wants to do.
    package enum Action: String, Sendable, CaseIterable {
        case create, read, update, complete, delete, comment, attach, watch
        /// Read the user directory (`users.get`, `users.list`).
        case readUsers = "read_users"
        /// Change one's own profile (name, avatar, email) without changing one's role.
        case editProfile = "edit_profile"
        /// Create a member, or change a member who is not oneself, keeping the role `member`.
        case upsertMember = "upsert_member"
        /// Create an admin or agent, or change anyone's role to or from admin or agent.
        case upsertPrivileged = "upsert_privileged"
        case createToken = "create_token"
        case revokeToken = "revoke_token"
        case listTokens = "list_tokens"
        /// Create a workflow (its steps' tasks are created with it).
        case createWorkflow = "create_workflow"
        /// Change or cancel a workflow (`workflows.update`, `workflows.cancel`).
        case manageWorkflow = "manage_workflow"
        /// Create, update or delete a task template (reading and using one is `read` and `create`).
        case manageTemplates = "manage_templates"
        /// Create, update or delete an automation (reading one is `read`).
        case manageAutomations = "manage_automations"
        /// Report a host event that fires automations (`events.publish`).
        case publishEvents = "publish_events"
    }

    /// How the caller relates to the object of the action.
    package enum Relation: String, Sendable, CaseIterable {
        /// No particular task or account (creating a task, listing, reading the directory).
        case general
        /// The caller created the task.
        case creator
        /// The caller is the task's assignee and did not create it.
        case assignee
        /// The task is someone else's.
        case unrelated
        /// The account (user, token) is the caller's own.
        case ownAccount = "own_account"
        /// The account is someone else's.
        case otherAccount = "other_account"
    }

    /// The relations that make sense for an action; ``allows(_:_:_:)`` refuses every other pair.
    package static func relations(for action: Action) -> [Relation] {
        switch action {
        case .create, .readUsers, .createWorkflow, .manageWorkflow, .manageTemplates, .manageAutomations,
            .publishEvents:
            [.general]
        case .read: [.general, .creator, .assignee, .unrelated]
        case .update, .complete, .delete, .comment, .attach, .watch: [.creator, .assignee, .unrelated]
        case .editProfile: [.ownAccount]
        case .upsertMember: [.otherAccount]
        case .upsertPrivileged, .createToken, .revokeToken, .listTokens: [.ownAccount, .otherAccount]
        }
    }

    /// Whether a caller with `role` may do `action` on an object it relates to by `relation`.
    package static func allows(_ role: Role, _ action: Action, _ relation: Relation) -> Bool {
        guard relations(for: action).contains(relation) else { return false }
        switch role {
        case .admin:
            return true
        case .agent:
            switch action {
            case .upsertPrivileged, .createToken: return false
            case .revokeToken, .listTokens: return relation == .ownAccount
            default: return true
            }
        case .member:
            switch action {
            case .create, .read, .readUsers, .editProfile: return true
            case .update, .complete, .delete, .comment, .attach, .watch:
                return relation == .creator || relation == .assignee
            case .upsertMember, .upsertPrivileged, .createToken, .manageTemplates, .manageAutomations, .publishEvents:
                return false
            // Members act on their steps' tasks like on any task; shaping workflows is for admins and agents.
            case .createWorkflow, .manageWorkflow: return false
            case .revokeToken, .listTokens: return relation == .ownAccount
            }
        }
    }

    /// How `userID` relates to a task: creator first, then assignee.
    package static func relation(of userID: UserID, to task: TaskItem) -> Relation {
        if task.createdBy == userID { return .creator }
        if task.assignee == userID { return .assignee }
        return .unrelated
    }

    /// The action a `users.upsert` amounts to: editing oneself without a role change, managing a member, or
    /// anything touching the admin and agent roles.
    package static func userAction(caller: UserID, target: UserID, existing: Role?, new: Role) -> Action {
        if caller == target { return existing == new ? .editProfile : .upsertPrivileged }
        if new == .member, existing == nil || existing == .member { return .upsertMember }
        return .upsertPrivileged
    }

    /// The sentence of the 403 for an action.
    static func denial(_ action: Action) -> String {
        switch action {
        case .create, .read, .readUsers: "You don't have permission to do this"
        case .update, .complete, .delete, .comment, .attach, .watch: "You don't have permission to modify this task"
        case .editProfile, .upsertMember, .upsertPrivileged: "You don't have permission to change this user"
        case .createToken: "Only an admin may create tokens"
        case .revokeToken, .listTokens: "You don't have permission to manage this user's tokens"
        case .createWorkflow, .manageWorkflow: "Only an admin or an agent may create or change workflows"
        case .manageTemplates: "Only an admin or an agent may change templates"
        case .manageAutomations: "Only an admin or an agent may change automations"
        case .publishEvents: "Only an admin or an agent may publish events"
        }
    }
}
