import JSON
import JSONRPC
import TaskEngine

extension ParamReader {
    /// The required `template_id`, parsed; text that is no template id is 404 `template_not_found` from
    /// ``finish()``, as for ``taskID()``.
    mutating func templateID() throws(ResponseError) -> TemplateID {
        let text = try required("template_id", as: String.self)
        guard let id = TemplateID(text) else {
            deferError(EngineError.templateNotFound(text).responseError)
            return TemplateID(raw: 0)
        }
        return id
    }

    /// A checklist given as texts or as `{text, done}` objects (`done` optional, default `false`).
    mutating func checklist(_ key: String) throws(ResponseError) -> [TaskItem.ChecklistItem]? {
        guard let value = value(key) else { return nil }
        guard let array = value.arrayValue else {
            throw .invalidParams("Field \(key) must be an array, not \(value.typeName).", field: key)
        }
        var items: [TaskItem.ChecklistItem] = []
        for element in array {
            if let text = element.stringValue {
                items.append(TaskItem.ChecklistItem(text: text))
                continue
            }
            guard let object = element.objectValue, let text = object["text"]?.stringValue,
                object.keys.allSatisfy({ $0 == "text" || $0 == "done" })
            else {
                throw .invalidParams(
                    "Items of \(key) must be strings or objects {text, done}.", field: key)
            }
            let done = object["done"]
            guard done == nil || done?.boolValue != nil else {
                throw .invalidParams("Field done of a \(key) item must be a boolean.", field: key)
            }
            items.append(TaskItem.ChecklistItem(text: text, done: done?.boolValue ?? false))
        }
        return items
    }

    /// `check`: an array of `{index, done}` (`done` optional, default `true`).
    mutating func checks(_ key: String) throws(ResponseError) -> [TaskItem.ChecklistCheck]? {
        guard let value = value(key) else { return nil }
        guard let array = value.arrayValue else {
            throw .invalidParams("Field \(key) must be an array of {index, done}, not \(value.typeName).", field: key)
        }
        var checks: [TaskItem.ChecklistCheck] = []
        for (position, element) in array.enumerated() {
            let field = "\(key)[\(position)]"
            guard let object = element.objectValue, object.keys.allSatisfy({ $0 == "index" || $0 == "done" }) else {
                throw .invalidParams("Items of \(key) must be objects {index, done}.", field: field)
            }
            guard let index = object["index"]?.intValue else {
                throw .invalidParams("Field index of \(field) must be an integer.", field: "\(field).index")
            }
            let done = object["done"]
            guard done == nil || done?.boolValue != nil else {
                throw .invalidParams("Field done of \(field) must be a boolean.", field: "\(field).done")
            }
            checks.append(TaskItem.ChecklistCheck(index: index, done: done?.boolValue ?? true))
        }
        return checks
    }
}
