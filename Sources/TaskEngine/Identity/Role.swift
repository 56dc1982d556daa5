/// What a user may do in general: the role half of every permission check (see ``AccessPolicy``).
package enum Role: String, Sendable, CaseIterable {
    /// May do anything, including managing users and tokens. The built-in `system` user is one.
    case admin
    /// A bot or service: may change any task on its own behalf and may act `on_behalf_of` a member.
    case agent
    /// A person: reads every task, changes only tasks they created or are assigned to.
    case member
}
