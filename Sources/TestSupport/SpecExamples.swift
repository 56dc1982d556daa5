/// Examples from the product spec (`tasks-api.md`), byte for byte, that several suites run.
package enum SpecExamples {
    /// The snippet of "Integration with BASIC", without a final newline.
    package static let basic = """
        ' Create task from conversation
        task_id = CREATE TASK "Follow up with customer", "user456"
        SET TASK PRIORITY task_id, "high"
        SET TASK DUE DATE task_id, NOW() + 24 * 3600
        ' Check task status
        status = GET TASK STATUS task_id
        IF status = "completed" THEN
        TALK "Task has been completed"
        END IF
        """
}
