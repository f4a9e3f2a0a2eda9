using System.Globalization;
using IncidentFunctions.Coordination;
using IncidentFunctions.Model;

namespace IncidentFunctions.Responding;

/// <summary>A task after a change, and the words and data its task.changed event records; no note when nothing changed.</summary>
public sealed record TaskChange(IncidentTask Task, ChangeNote? Note);

/// <summary>
/// The decisions about an incident's tasks, pure: the task a request creates, and what a change of one leads to (its
/// status by <see cref="TaskRules"/>, the other fields as sent).
/// </summary>
public static class TaskChanges
{
    /// <summary>
    /// A task's id: from the request's Idempotency-Key when it has one (with the caller and the incident, so two callers'
    /// keys never meet), so that a retry after a lost answer finds the task it created rather than making a second; else new.
    /// Never of the form of a playbook's task id.
    /// </summary>
    public static string NewId(string incidentId, string caller, string? idempotencyKey) =>
        idempotencyKey is null
            ? "task-" + Guid.NewGuid().ToString("N")
            : "task-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{incidentId}\n{caller}\n{idempotencyKey}")))[..32];

    public static IncidentTask Create(string id, CreateTaskRequest request, string createdBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(id, request.Title, request.Description, request.Assignee, request.Priority, request.DueAt, IncidentTaskStatus.Open, null,
            request.Required ?? false, request.Link, null, now, createdBy, now);
    }

    /// <summary>The task.created event of a task.</summary>
    public static ChangeNote Created(IncidentTask task) => new(
        TimelineEventTypes.TaskCreated,
        $"Task added: {task.Title}",
        Data(task));

    /// <summary>
    /// A change of <paramref name="task"/>: a status that <see cref="TaskRules"/> refuses is a conflict with the task's
    /// state (409) naming "status", a missing reason a 400 naming "reason". Fields sent with the value they have change nothing.
    /// </summary>
    public static Decision<TaskChange> Change(IncidentTask task, ChangeTaskRequest request, IReadOnlySet<string> cleared, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(cleared);
        var changed = new List<string>();
        var data = new Dictionary<string, string>(StringComparer.Ordinal) { ["task"] = task.Id };
        var next = task;
        if (request.Status is { } status)
        {
            var decided = TaskRules.Change(task.Status, status, task.Required, request.Reason);
            if (decided.Refused is { } refused)
            {
                return refused.Field == "status" ? refused with { Conflict = true } : refused;
            }

            if (decided.Accepted!.Changed)
            {
                next = next with { Status = status, Reason = decided.Accepted.Reason };
                changed.Add($"status {Wording(task.Status)} → {Wording(status)}");
                data["from"] = Wording(task.Status);
                data["status"] = Wording(status);
                if (decided.Accepted.Reason is { } reason)
                {
                    data["reason"] = reason;
                }
            }
        }
        else if (request.Reason is not null)
        {
            return new Refusal("reason", "a reason goes with a status change");
        }

        if (request.Title is { } title && title != task.Title)
        {
            next = next with { Title = title };
            changed.Add("title");
            data["title"] = title;
        }

        var assignee = cleared.Contains("assignee") ? null : request.Assignee ?? task.Assignee;
        if (assignee != task.Assignee)
        {
            next = next with { Assignee = assignee };
            changed.Add(assignee is null ? "unassigned" : $"assigned to {Describe(assignee)}");
            data["assignee"] = assignee is null ? string.Empty : Describe(assignee);
        }

        var dueAt = cleared.Contains("dueAt") ? null : request.DueAt ?? task.DueAt;
        if (dueAt != task.DueAt)
        {
            next = next with { DueAt = dueAt };
            changed.Add(dueAt is null ? "no due time" : $"due {dueAt:yyyy-MM-dd HH:mm} UTC");
            data["dueAt"] = dueAt?.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty;
        }

        if (request.Priority is { } priority && priority != task.Priority)
        {
            next = next with { Priority = priority };
            changed.Add($"priority {Wording(priority)}");
            data["priority"] = Wording(priority);
        }

        if (changed.Count == 0)
        {
            return new TaskChange(task, null);
        }

        next = next with { UpdatedAt = now };
        return new TaskChange(next, new ChangeNote(TimelineEventTypes.TaskChanged, $"Task {task.Title}: {string.Join(", ", changed)}", data));
    }

    static Dictionary<string, string> Data(IncidentTask task)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["task"] = task.Id,
            ["title"] = task.Title,
            ["priority"] = Wording(task.Priority),
            ["required"] = task.Required ? "true" : "false",
        };
        if (task.Assignee is { } assignee)
        {
            data["assignee"] = Describe(assignee);
        }

        if (task.DueAt is { } due)
        {
            data["dueAt"] = due.ToString("O", CultureInfo.InvariantCulture);
        }

        return data;
    }

    /// <summary>"person:alice" or "role:communications", as the timeline's data keeps an assignee.</summary>
    public static string Describe(TaskAssignee assignee) => assignee.Person is { } person ? $"person:{person}" : $"role:{assignee.Role}";

    static string Wording<T>(T value)
        where T : struct, Enum => System.Text.Json.JsonSerializer.Serialize(value, JsonDefaults.Options).Trim('"');
}
