using IncidentFunctions.Ingestion;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Incidents;

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
    string? PolicyVersion);

/// <summary>A page of results; <see cref="ContinuationToken"/> is null on the last page.</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, string? ContinuationToken);
