namespace IncidentFunctions.Model;

/// <summary>
/// An incident as a listing shows it. Kept on the incident's rows of the status index, so that a page of a listing is
/// one query, and rewritten whenever what it shows changes (status, people's changes); the alert count and the last
/// alert's time, which change with every repeated alert, are left to the incident itself.
/// </summary>
public sealed record IncidentSummary(
    string Id,
    string Title,
    Severity Severity,
    Priority? Priority,
    IncidentStatus Status,
    Stage Stage,
    string? ServiceId,
    string? Service,
    string? Category,
    Visibility Visibility,
    string? Commander,
    bool Declared,
    string Integration,
    string DedupKey,
    DateTimeOffset OpenedAt,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy);

/// <summary>A listed incident and who may see it when it is restricted (its participants and the people granted access).</summary>
public sealed record ListedIncident(IncidentSummary Summary, IReadOnlyList<string> Participants, IReadOnlyList<string> Grants);
