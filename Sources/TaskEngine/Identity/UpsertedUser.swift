package import JSON

/// What `users.upsert` returns: the user as stored now, whether it was new, and which fields changed.
package struct UpsertedUser: Sendable {
    package var user: User
    package var created: Bool
    /// The fields that changed (`name`, `avatar_url`, `email`, `role`); empty when nothing changed.
    package var updatedFields: [String]

    /// The user's ``User/json`` plus `created` and `updated_fields`.
    package var json: JSONValue {
        var object = user.json.objectValue ?? [:]
        object.append("created", .bool(created))
        object.append("updated_fields", .array(updatedFields.map(JSONValue.string)))
        return .object(object)
    }
}
