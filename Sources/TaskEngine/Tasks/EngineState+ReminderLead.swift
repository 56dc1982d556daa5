extension EngineState {
    /// How long before its due date a task's `task_due_soon` fires, in seconds; `nil` means no reminder.
    ///
    /// The one place the lead is decided: today the server-wide ``defaultReminderLeadSeconds``
    /// (`--remind-before-minutes`). Whatever it reads, a change of it must be followed by
    /// ``Engine/replanReminders()`` so the scheduler's timers follow.
    func reminderLeadSeconds(for task: TaskItem) -> Int64? {
        guard let lead = defaultReminderLeadSeconds, lead > 0 else { return nil }
        return lead
    }
}
