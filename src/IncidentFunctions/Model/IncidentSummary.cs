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

/// <summary>
/// A listed incident and who may see it when it is restricted (its participants and the people granted access);
/// <see cref="Response"/> is what the console's lists read besides (null only on a listing built by hand).
/// </summary>
public sealed record ListedIncident(IncidentSummary Summary, IReadOnlyList<string> Participants, IReadOnlyList<string> Grants)
{
    public ListedResponse? Response { get; init; }
}

/// <summary>
/// What the console's lists read of the people's side besides the summary, kept on the index rows with it: who is
/// involved (participants and every role's holders, for "mine") and the last update for each audience (for the update
/// cadence the dashboard checks).
/// </summary>
public sealed record ListedResponse(IReadOnlyList<string> People, UpdateRecord InternalUpdates, UpdateRecord StakeholderUpdates)
{
    public static ListedResponse Of(IncidentResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var people = response.Participants.Concat(response.Roles.Values.SelectMany(h => h)).Distinct(StringComparer.Ordinal).ToArray();
        return new(people, response.InternalUpdates, response.StakeholderUpdates);
    }
}
