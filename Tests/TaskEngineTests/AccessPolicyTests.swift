import Foundation
import Testing

@testable import TaskEngine

/// The permission table in docs/security.md, cell by cell, against the one function that decides.
struct AccessPolicyTests {
    struct Row: Sendable, CustomStringConvertible {
        var action: AccessPolicy.Action
        var relation: AccessPolicy.Relation
        /// admin, agent, member, agent for a member.
        var allowed: [Bool]
        var description: String { "\(action.rawValue)/\(relation.rawValue)" }
    }

    /// The rows of the "Permissions" table of docs/security.md.
    static func documentedRows() throws -> [Row] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/security.md"), encoding: .utf8)
        var rows: [Row] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 6, cells[0].hasPrefix("`"), cells[1].hasPrefix("`") else { continue }
            let action = try #require(AccessPolicy.Action(rawValue: cells[0].trimmingCharacters(in: ["`"])))
            let relation = try #require(AccessPolicy.Relation(rawValue: cells[1].trimmingCharacters(in: ["`"])))
            let allowed = try cells[2...].map { cell -> Bool in
                guard cell == "yes" || cell == "no" else { throw PolicyTableError(line: String(line)) }
                return cell == "yes"
            }
            rows.append(Row(action: action, relation: relation, allowed: allowed))
        }
        return rows
    }

    struct PolicyTableError: Error { var line: String }

    @Test func theDocumentedTableCoversEveryActionAndRelationOnce() throws {
        let rows = try Self.documentedRows()
        let documented = rows.map { "\($0.action.rawValue)/\($0.relation.rawValue)" }
        var expected: [String] = []
        for action in AccessPolicy.Action.allCases {
            for relation in AccessPolicy.relations(for: action) {
                expected.append("\(action.rawValue)/\(relation.rawValue)")
            }
        }
        #expect(documented.sorted() == expected.sorted())
        #expect(Set(documented).count == documented.count)
    }

    @Test func everyCellOfTheDocumentedTableMatchesThePolicy() throws {
        for row in try Self.documentedRows() {
            let columns: [Role] = [.admin, .agent, .member, .member]
            for (role, allowed) in zip(columns, row.allowed) {
                #expect(AccessPolicy.allows(role, row.action, row.relation) == allowed, "\(row) for \(role)")
            }
        }
    }

    @Test func pairsOutsideTheTableAreRefusedForEveryRole() {
        for action in AccessPolicy.Action.allCases {
            for relation in AccessPolicy.Relation.allCases where !AccessPolicy.relations(for: action).contains(relation)
            {
                for role in Role.allCases { #expect(!AccessPolicy.allows(role, action, relation)) }
            }
        }
    }

    @Test func relationPrefersCreatorThenAssignee() {
        var task = TaskItem(rawID: 1, title: "T", createdAt: Timestamp(microseconds: 0), createdBy: "ann")
        task.assignee = "ann"
        #expect(AccessPolicy.relation(of: "ann", to: task) == .creator)
        task.assignee = "bob"
        #expect(AccessPolicy.relation(of: "bob", to: task) == .assignee)
        #expect(AccessPolicy.relation(of: "cid", to: task) == .unrelated)
    }

    @Test(arguments: [
        ("ann", "ann", Role?.some(.member), Role.member, AccessPolicy.Action.editProfile),
        ("ann", "ann", .member, .agent, .upsertPrivileged),
        ("bot", "ann", nil, .member, .upsertMember),
        ("bot", "ann", .member, .member, .upsertMember),
        ("bot", "ann", .agent, .member, .upsertPrivileged),
        ("bot", "ann", nil, .admin, .upsertPrivileged),
        ("bot", "ann", .member, .agent, .upsertPrivileged),
    ])
    func upsertsMapToTheirAction(
        caller: String, target: String, existing: Role?, new: Role, action: AccessPolicy.Action
    ) {
        #expect(
            AccessPolicy.userAction(caller: UserID(caller), target: UserID(target), existing: existing, new: new)
                == action)
    }
}
