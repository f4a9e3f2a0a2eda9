using System.Globalization;
using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.WebConsole;

/// <summary>How the incident page words times, durations, people and priorities.</summary>
public static class IncidentText
{
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Machine(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>"3 d 4 h", "2 h 5 min", "7 min", "40 s": the two largest units, enough to read at a glance.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h"
            : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min"
            : $"{(int)span.TotalSeconds} s";
    }

    /// <summary>How long the incident has run: from opening to its resolution, or to now while it is not resolved.</summary>
    public static TimeSpan DurationOf(Incident incident, DateTimeOffset now) =>
        (incident.ResolvedAt ?? now) - incident.OpenedAt;

    /// <summary>
    /// A policy person's name. Someone the policy does not know is named by their participant id (<c>Caller.Key</c>),
    /// read back by <see cref="Caller.NameIn"/>: the name they signed in with, without its identity provider's prefix,
    /// or the id as it is when all it holds is an Entra object id.
    /// </summary>
    public static string Person(IncidentPolicy policy, string? id) =>
        id is null ? "nobody" : policy.People.Person(id)?.Name ?? Caller.NameIn(id);

    public static string PriorityClass(Priority? priority) => priority?.ToString().ToLowerInvariant() ?? "p5";

    public static string TaskStatus(IncidentTaskStatus status) => JsonNamingPolicy.KebabCaseLower.ConvertName(status.ToString());

    /// <summary>Overdue: due before now and neither done nor decided against.</summary>
    public static bool IsOverdue(IncidentTask task, DateTimeOffset now) =>
        task.DueAt is { } due && due < now && task.Status is IncidentTaskStatus.Open or IncidentTaskStatus.InProgress;

    public static string Assignee(IncidentPolicy policy, TaskAssignee? assignee) => assignee switch
    {
        { Person: { } person } => Person(policy, person),
        { Role: { } role } => $"whoever holds {role}",
        _ => "unassigned",
    };
}
