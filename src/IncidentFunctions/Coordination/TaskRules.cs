using IncidentFunctions.Model;

namespace IncidentFunctions.Coordination;

/// <summary>A task's status change as the timeline records it; <see cref="From"/> equals <see cref="To"/> when nothing changed.</summary>
public sealed record TaskStatusChange(IncidentTaskStatus From, IncidentTaskStatus To, string? Reason)
{
    public bool Changed => From != To;
}

/// <summary>
/// The life of a task.
/// <list type="bullet">
/// <item>open and in-progress move freely between each other, and to done, not-doing or cancelled.</item>
/// <item>done, not-doing and cancelled are finished; a finished task can only be reopened (back to open), when the work
/// turns out not to be done after all or the decision not to do it is reversed.</item>
/// <item>not-doing needs a reason: skipping work is a decision the record must explain.</item>
/// <item>A required task cannot be cancelled, which would hide it: it is done, or not done with a reason (not-doing).
/// Cancelled is for a task that should never have existed.</item>
/// </list>
/// </summary>
public static class TaskRules
{
    public static bool IsFinished(IncidentTaskStatus status) =>
        status is IncidentTaskStatus.Done or IncidentTaskStatus.NotDoing or IncidentTaskStatus.Cancelled;

    public static IReadOnlyList<IncidentTaskStatus> AllowedNext(IncidentTaskStatus from, bool required)
    {
        IncidentTaskStatus[] next = from switch
        {
            IncidentTaskStatus.Open => [IncidentTaskStatus.InProgress, IncidentTaskStatus.Done, IncidentTaskStatus.NotDoing, IncidentTaskStatus.Cancelled],
            IncidentTaskStatus.InProgress => [IncidentTaskStatus.Open, IncidentTaskStatus.Done, IncidentTaskStatus.NotDoing, IncidentTaskStatus.Cancelled],
            _ => [IncidentTaskStatus.Open],
        };
        return required ? next.Where(s => s != IncidentTaskStatus.Cancelled).ToArray() : next;
    }

    /// <summary>A requested status. Asking for the current one changes nothing and is not refused.</summary>
    public static Decision<TaskStatusChange> Change(IncidentTaskStatus from, IncidentTaskStatus to, bool required, string? reason)
    {
        if (to == from)
        {
            return new TaskStatusChange(from, to, null);
        }

        if (to == IncidentTaskStatus.Cancelled && required)
        {
            return new Refusal("status", "a required task cannot be cancelled; mark it not-doing with a reason, or done");
        }

        var allowed = AllowedNext(from, required);
        if (!allowed.Contains(to))
        {
            return new Refusal("status", $"cannot move a task from {Name(from)} to {Name(to)}; allowed next: {string.Join(", ", allowed.Select(Name))}");
        }

        if (to == IncidentTaskStatus.NotDoing && string.IsNullOrWhiteSpace(reason))
        {
            return new Refusal("reason", "not-doing needs a reason");
        }

        return new TaskStatusChange(from, to, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim());
    }

    /// <summary>Overdue: its due time has passed and nobody has finished it.</summary>
    public static bool IsOverdue(DateTimeOffset? dueAt, IncidentTaskStatus status, DateTimeOffset now) =>
        dueAt is { } due && now > due && !IsFinished(status);

    /// <summary>
    /// When the task next reminds its assignee: at its due time, then every <paramref name="every"/> (the policy's
    /// taskReminderMinutes), while the incident is active and the task unfinished. Null when it never will.
    /// </summary>
    public static DateTimeOffset? NextReminder(DateTimeOffset? dueAt, IncidentTaskStatus status, bool incidentActive, TimeSpan every, DateTimeOffset now) =>
        dueAt is { } due && incidentActive && !IsFinished(status) ? new ReminderSlots(due, every).NextAfter(now) : null;

    static string Name(IncidentTaskStatus status) => status switch
    {
        IncidentTaskStatus.InProgress => "in-progress",
        IncidentTaskStatus.NotDoing => "not-doing",
        _ => Wording.Of(status),
    };
}
