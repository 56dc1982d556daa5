extension EngineState {
    /// How long before its due date a task's `task_due_soon` fires, in seconds; `nil` means no reminder.
    ///
    /// The one place the lead is decided: the `remind_before_minutes` of the assignee's own notification
    /// configuration, else that of the server-wide default configuration, else `--remind-before-minutes`
    /// (``defaultReminderLeadSeconds``); 0 at any level means no reminder. Whatever it reads, a change of
    /// it must be followed by ``Engine/replanReminders()`` (or ``Engine/replanReminders(assignedTo:)``) so
    /// the scheduler's timers follow.
    func reminderLeadSeconds(for task: TaskItem) -> Int64? {
        let configured =
            task.assignee.flatMap { notifications.configs[$0]?.remindBeforeMinutes }
            ?? notifications.defaultConfig.remindBeforeMinutes
        if let minutes = configured { return minutes > 0 ? Int64(minutes) * 60 : nil }
        guard let lead = defaultReminderLeadSeconds, lead > 0 else { return nil }
        return lead
    }
}
