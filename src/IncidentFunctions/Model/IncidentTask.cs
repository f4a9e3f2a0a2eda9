using System.Text.Json.Serialization;

namespace IncidentFunctions.Model;

/// <summary>
/// A task's state. <see cref="NotDoing"/> is a decision not to do it (with a reason); <see cref="Cancelled"/> is for a
/// task that should not have existed. Named so as not to be confused with <see cref="System.Threading.Tasks.TaskStatus"/>.
/// </summary>
public enum IncidentTaskStatus
{
    [JsonStringEnumMemberName("open")] Open,
    [JsonStringEnumMemberName("in-progress")] InProgress,
    [JsonStringEnumMemberName("done")] Done,
    [JsonStringEnumMemberName("not-doing")] NotDoing,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
}

/// <summary>How pressing a task is; playbooks and people set it, nothing is paged by it.</summary>
public enum TaskPriority
{
    Urgent,
    High,
    Medium,
    Low,
}

/// <summary>Who a task is for: a person (policy person id) or whoever holds an incident role; at most one of the two.</summary>
public sealed record TaskAssignee(string? Person, string? Role)
{
    public static TaskAssignee ToPerson(string person) => new(person, null);

    public static TaskAssignee ToRole(string role) => new(null, role);
}

/// <summary>
/// A piece of work in a response, as the API returns it. <see cref="Id"/> is chosen deterministically (a playbook's
/// task id, or the id derived from the request that created it), so creating it twice stores it once.
/// </summary>
public sealed record IncidentTask(
    string Id,
    string Title,
    string? Description,
    TaskAssignee? Assignee,
    TaskPriority Priority,
    DateTimeOffset? DueAt,
    IncidentTaskStatus Status,
    string? Reason,
    bool Required,
    string? Link,
    string? Category,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset UpdatedAt);
