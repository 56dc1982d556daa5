import JSON

extension TaskItem {
    /// Whether the task uses none of the fields kept out of line but the reminder marks: the tasks
    /// ``appendSnapshotLine(history:to:)`` writes directly.
    private var hasOnlyPlainFields: Bool {
        workflowID == nil && step == nil && blockedBy.isEmpty && checklist.isEmpty && templateID == nil
    }

    /// Appends the task's snapshot line (`{"kind":"task",…persistentJSON…,"history":[…]}` and its newline)
    /// straight as bytes, the same bytes ``SnapshotWriter/write(_:_:)`` makes of ``persistentJSON``, without
    /// building the JSON tree: a snapshot of a million tasks writes a million of these.
    func appendSnapshotLine(history: [Int], to writer: inout SnapshotWriter) {
        guard hasOnlyPlainFields else {
            var object = persistentJSON
            object.append("history", .array(history.map { .int($0) }))
            writer.write(.task, object)
            return
        }
        writer.appendRaw { bytes in
            func key(_ literal: StaticString) {
                bytes.append(UInt8(ascii: ","))
                bytes.append(UInt8(ascii: "\""))
                bytes.append(
                    contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
                bytes.append(UInt8(ascii: "\""))
                bytes.append(UInt8(ascii: ":"))
            }
            func string(_ text: String) { JSONWriter.writeString(text, into: &bytes) }
            func optional(_ text: String?) {
                if let text { string(text) } else { bytes.append(contentsOf: "null".utf8) }
            }
            func time(_ time: Timestamp?) { optional(time?.rfc3339) }
            func integer(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }
            func strings(_ values: [String]) {
                bytes.append(UInt8(ascii: "["))
                for (offset, value) in values.enumerated() {
                    if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                    string(value)
                }
                bytes.append(UInt8(ascii: "]"))
            }
            bytes.append(contentsOf: #"{"kind":"task","task_id":"#.utf8)
            string(id.description)
            key("title")
            string(title)
            key("description")
            optional(description)
            key("status")
            string(status.rawValue)
            key("priority")
            string(priority.rawValue)
            key("assignee")
            optional(assignee?.text)
            key("due_date")
            time(dueDate)
            key("tags")
            strings(tags)
            key("context")
            bytes.append(UInt8(ascii: "{"))
            for (offset, entry) in context.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                string(entry.key)
                bytes.append(UInt8(ascii: ":"))
                string(entry.value)
            }
            bytes.append(UInt8(ascii: "}"))
            key("progress")
            integer(progress)
            key("time_spent_minutes")
            integer(timeSpentMinutes)
            key("created_at")
            time(createdAt)
            key("created_by")
            string(createdBy.text)
            key("updated_at")
            time(updatedAt)
            key("completed_at")
            time(completedAt)
            key("completed_by")
            optional(completedBy?.text)
            key("resolution")
            optional(resolution)
            key("outcomes")
            strings(outcomes)
            key("comments_count")
            integer(commentsCount)
            key("attachments_count")
            integer(attachmentsCount)
            key("watchers")
            strings(watchers.map(\.text))
            key("version")
            integer(version)
            key("deleted")
            bytes.append(contentsOf: (isDeleted ? "true" : "false").utf8)
            if let overdueFiredFor {
                key("overdue_for")
                time(overdueFiredFor)
            }
            if let dueSoonFiredFor {
                key("due_soon_for")
                time(dueSoonFiredFor)
            }
            key("history")
            bytes.append(UInt8(ascii: "["))
            for (offset, seq) in history.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                integer(seq)
            }
            bytes.append(contentsOf: "]}\n".utf8)
        }
    }
}
