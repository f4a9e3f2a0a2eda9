using System.Text.Json.Serialization;

namespace IncidentFunctions.Model;

public enum IncidentStatus
{
    Open,
    Acknowledged,
    Resolved,
}

/// <summary>An incident as the API returns it.</summary>
public sealed record Incident(
    string Id,
    string Title,
    Severity Severity,
    IncidentStatus Status,
    string Integration,
    string DedupKey,
    string? Source,
    string? Description,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<AlertLink> Links,
    int AlertCount,
    DateTimeOffset OpenedAt,
    DateTimeOffset FirstAlertAt,
    DateTimeOffset LastAlertAt,
    DateTimeOffset? SourceResolvedAt,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy,
    Priority? Priority,
    string? Service,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    string? PolicyVersion)
{
    /// <summary>Where the response stands, next to the paging <see cref="Status"/>.</summary>
    public Stage Stage => Response.Stage;

    /// <summary>Stage, milestones, roles, participants and the rest of the people's side of the incident.</summary>
    public IncidentResponse Response { get; init; } = new();

    /// <summary>
    /// Seconds spent at each severity it has had, from the opening to its resolution (or now). Set where one incident is
    /// read or changed; absent from lists.
    /// </summary>
    public IReadOnlyDictionary<Severity, double>? SecondsAtSeverity { get; init; }
}

/// <summary>A page of results; <see cref="ContinuationToken"/> is null on the last page.</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>P1 is the most urgent. Computed from an alert's severity and its service's impact tier.</summary>
public enum Priority
{
    [JsonStringEnumMemberName("P1")] P1 = 1,
    [JsonStringEnumMemberName("P2")] P2 = 2,
    [JsonStringEnumMemberName("P3")] P3 = 3,
    [JsonStringEnumMemberName("P4")] P4 = 4,
}

/// <summary>The incident as an email shows it.</summary>
public sealed record IncidentSnapshot(
    string Id,
    string Title,
    Severity Severity,
    Priority Priority,
    IncidentStatus Status,
    string ServiceName,
    int AlertCount,
    DateTimeOffset FirstAlertAt,
    DateTimeOffset LastAlertAt,
    string? Description,
    string? Source,
    IReadOnlyList<AlertLink> Links,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt,
    string? ResolvedBy,
    DateTimeOffset? ResolvedAt);
