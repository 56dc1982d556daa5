package import JSON

extension TaskItem {
    /// One item of a task's checklist: `{text, done}`.
    package struct ChecklistItem: Sendable, Equatable {
        package var text: String
        package var done: Bool

        package init(text: String, done: Bool = false) {
            self.text = text
            self.done = done
        }

        /// `{"text": …, "done": …}`.
        package var json: JSONValue { ["text": .string(text), "done": .bool(done)] }

        /// Reads a checklist from its JSON form; `nil` when it is not an array of `{text, done}`.
        static func items(_ value: JSONValue) -> [ChecklistItem]? {
            guard let array = value.arrayValue else { return nil }
            var items: [ChecklistItem] = []
            for element in array {
                guard let object = element.objectValue, object.count == 2, let text = object["text"]?.stringValue,
                    let done = object["done"]?.boolValue
                else { return nil }
                items.append(ChecklistItem(text: text, done: done))
            }
            return items
        }
    }

    /// One tick of `tasks.update`'s `check`: the item at `index` (0-based) becomes `done`.
    package struct ChecklistCheck: Sendable, Equatable {
        package var index: Int
        package var done: Bool

        package init(index: Int, done: Bool) {
            self.index = index
            self.done = done
        }
    }
}
