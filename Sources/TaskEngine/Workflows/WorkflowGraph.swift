import JSON

/// A workflow's dependency graph by step index: cycle detection, topological order and the critical path,
/// each linear in steps and edges.
struct WorkflowGraph {
    /// Step names, by index.
    let names: [String]
    /// For each step, the indexes of the steps it depends on.
    let dependencies: [[Int]]

    /// Builds the graph of named steps; a dependency that is not a step is `invalid_workflow`.
    init(names: [String], dependsOn: [[String]]) throws(EngineError) {
        var index: [String: Int] = [:]
        index.reserveCapacity(names.count)
        for (position, name) in names.enumerated() { index[name] = position }
        var dependencies: [[Int]] = []
        dependencies.reserveCapacity(names.count)
        for (position, list) in dependsOn.enumerated() {
            var row: [Int] = []
            for name in list {
                guard let target = index[name] else {
                    throw .invalidWorkflow(
                        message: "Step \(names[position]) depends on \(name), which is not a step of the workflow",
                        details: ["step": .string(names[position]), "depends_on": .string(name)])
                }
                row.append(target)
            }
            dependencies.append(row)
        }
        self.names = names
        self.dependencies = dependencies
    }

    /// A dependency cycle as step names from a step back to itself (`["A", "B", "A"]`: A depends on B, B on
    /// A), or `nil` when there is none. Iterative depth-first search, so 1,000 chained steps cannot overflow
    /// the stack.
    func cycle() -> [String]? {
        // 0 unvisited, 1 on the current path, 2 done.
        var color = [UInt8](repeating: 0, count: names.count)
        var path: [Int] = []
        var next: [Int] = []
        for root in names.indices where color[root] == 0 {
            path = [root]
            next = [0]
            color[root] = 1
            while let top = path.last {
                let edges = dependencies[top]
                if next[next.count - 1] < edges.count {
                    let target = edges[next[next.count - 1]]
                    next[next.count - 1] += 1
                    if color[target] == 1 {
                        let start = path.lastIndex(of: target) ?? 0
                        return (path[start...] + [target]).map { names[$0] }
                    }
                    if color[target] == 0 {
                        color[target] = 1
                        path.append(target)
                        next.append(0)
                    }
                } else {
                    color[top] = 2
                    path.removeLast()
                    next.removeLast()
                }
            }
        }
        return nil
    }

    /// Step indexes with every step after the steps it depends on (the graph has no cycle).
    func topologicalOrder() -> [Int] {
        var waiting = dependencies.map(\.count)
        var dependents = [[Int]](repeating: [], count: names.count)
        for (step, list) in dependencies.enumerated() { for dependency in list { dependents[dependency].append(step) } }
        var order = names.indices.filter { waiting[$0] == 0 }
        var position = 0
        while position < order.count {
            for dependent in dependents[order[position]] {
                waiting[dependent] -= 1
                if waiting[dependent] == 0 { order.append(dependent) }
            }
            position += 1
        }
        return order
    }

    /// The longest chain of `remaining` hours through the graph: the time the last step can finish if every
    /// step starts as soon as its dependencies finish.
    func criticalPath(remaining: [Double]) -> Double {
        var finish = [Double](repeating: 0, count: names.count)
        var longest = 0.0
        for step in topologicalOrder() {
            var start = 0.0
            for dependency in dependencies[step] { start = max(start, finish[dependency]) }
            finish[step] = start + remaining[step]
            longest = max(longest, finish[step])
        }
        return longest
    }
}
