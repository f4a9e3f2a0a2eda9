using System.Security.Cryptography;
using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// Which incidents the list shows: <see cref="Active"/> (open or acknowledged, the default), one status, or all (the
/// active ones and the most recently opened resolved ones).
/// </summary>
public enum ListStatus
{
    Active,
    Open,
    Acknowledged,
    Resolved,
    All,
}

/// <summary>
/// The list's filters, as the page's GET form sends them (so that the list works, and a filtered list can be linked,
/// without script). A value that is not one of the choices reads as "any": a hand-edited address shows more, never an
/// error page.
/// </summary>
public sealed record IncidentListFilter(ListStatus Status, Stage? Stage, Priority? Priority, string? Service, string? Category, bool Mine)
{
    public const string StatusField = "status";
    public const string StageField = "stage";
    public const string PriorityField = "priority";
    public const string ServiceField = "service";
    public const string CategoryField = "category";
    public const string MineField = "mine";

    /// <summary>The version a live list carries, so that a poll can be told "nothing changed".</summary>
    public const string VersionField = "v";

    public static readonly IncidentListFilter Default = new(ListStatus.Active, null, null, null, null, false);

    /// <summary>Whether the list reads the resolved incidents (the most recent of them) besides the active ones.</summary>
    public bool ReadsResolved => Status is ListStatus.Resolved or ListStatus.All;

    public static IncidentListFilter From(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        string? Text(string name) => query[name].ToString() is { Length: > 0 } value ? value.Trim() : null;
        return new(
            Choice<ListStatus>(Text(StatusField)) ?? ListStatus.Active,
            Choice<Stage>(Text(StageField)),
            Choice<Priority>(Text(PriorityField)),
            Text(ServiceField),
            Text(CategoryField),
            Text(MineField) is "true" or "on" or "1");
    }

    /// <summary>The choice of that name, in any case; null for anything else (a number included, which Enum.TryParse would take).</summary>
    static TEnum? Choice<TEnum>(string? text)
        where TEnum : struct, Enum =>
        text is null ? null : Enum.GetValues<TEnum>().Where(v => string.Equals(v.ToString(), text, StringComparison.OrdinalIgnoreCase)).Select(v => (TEnum?)v).FirstOrDefault();

    /// <summary>The filters as a query string (with its '?', empty for the default), for links and the live list's poll.</summary>
    public string Query(ListStatus? status = null)
    {
        var pairs = new List<(string, string)>();
        if ((status ?? Status) is var s && s != ListStatus.Active)
        {
            pairs.Add((StatusField, Name(s)));
        }

        if (Stage is { } stage)
        {
            pairs.Add((StageField, Name(stage)));
        }

        if (Priority is { } priority)
        {
            pairs.Add((PriorityField, priority.ToString()));
        }

        if (Service is { } service)
        {
            pairs.Add((ServiceField, service));
        }

        if (Category is { } category)
        {
            pairs.Add((CategoryField, category));
        }

        if (Mine)
        {
            pairs.Add((MineField, "true"));
        }

        return pairs.Count == 0 ? string.Empty : "?" + string.Join("&", pairs.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
    }

    /// <summary>How a choice is spelled in the form and the address: the API's spelling (camel case).</summary>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>Whether the incident passes every filter but the status (the buckets read decide that).</summary>
    public bool Matches(ListedIncident incident, Caller viewer)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var summary = incident.Summary;
        return (Stage is null || summary.Stage == Stage)
            && (Priority is null || summary.Priority == Priority)
            && (Service is null || string.Equals(summary.ServiceId, Service, StringComparison.Ordinal))
            && (Category is null || string.Equals(summary.Category, Category, StringComparison.Ordinal))
            && (!Mine || IsMine(incident, viewer));
    }

    /// <summary>
    /// "Mine": the viewer commands the incident, holds one of its roles or takes part in it (was paged, acknowledged,
    /// was assigned, wrote), as the policy person they are or, for someone the policy does not know, as their key.
    /// </summary>
    public static bool IsMine(ListedIncident incident, Caller viewer)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(viewer);
        var people = incident.Response?.People ?? incident.Participants;
        return people.Contains(viewer.ParticipantId, StringComparer.Ordinal)
            || (viewer.PersonId is { } person && incident.Summary.Commander == person);
    }
}

/// <summary>
/// What the list shows a viewer: the incidents they may see that pass the filters, newest first; how many of what they
/// may see are open and acknowledged (and, when read, recently resolved) and, within the status chosen, of each
/// priority; and a version of all of it, which changes when anything the list would show changes.
/// </summary>
public sealed record IncidentListing(
    IncidentListFilter Filter,
    IReadOnlyList<IncidentSummary> Shown,
    IReadOnlyDictionary<IncidentStatus, int> ByStatus,
    IReadOnlyList<(Priority? Priority, int Count)> ByPriority,
    bool Truncated,
    string Version)
{
    /// <summary>
    /// <paramref name="active"/> is what the open and acknowledged buckets gave, <paramref name="resolved"/> the most
    /// recently opened resolved incidents (empty unless the filter reads them); <paramref name="truncated"/> says a
    /// bucket held more than was read.
    /// </summary>
    public static IncidentListing Of(
        IncidentListFilter filter, Caller viewer, IReadOnlyList<ListedIncident> active, IReadOnlyList<ListedIncident> resolved, bool truncated)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(viewer);
        var visible = active.Concat(resolved)
            .Where(i => IncidentAccess.CanSee(viewer, IncidentAccessFacts.Of(i)))
            .OrderByDescending(i => i.Summary.OpenedAt)
            .ThenBy(i => i.Summary.Id, StringComparer.Ordinal)
            .ToList();
        var inStatus = visible.Where(i => InStatus(filter.Status, i.Summary.Status)).ToList();
        var byStatus = visible.GroupBy(i => i.Summary.Status).ToDictionary(g => g.Key, g => g.Count());
        var byPriority = inStatus.GroupBy(i => i.Summary.Priority).OrderBy(g => g.Key ?? (Priority)int.MaxValue).Select(g => (g.Key, g.Count())).ToList();
        var shown = inStatus.Where(i => filter.Matches(i, viewer)).Select(i => i.Summary).ToList();
        return new(filter, shown, byStatus, byPriority, truncated, VersionOf(visible));
    }

    static bool InStatus(ListStatus status, IncidentStatus incident) => status switch
    {
        ListStatus.Active => incident != IncidentStatus.Resolved,
        ListStatus.Open => incident == IncidentStatus.Open,
        ListStatus.Acknowledged => incident == IncidentStatus.Acknowledged,
        ListStatus.Resolved => incident == IncidentStatus.Resolved,
        _ => true,
    };

    /// <summary>
    /// A hash of what the viewer may see of the rows read (not of their storage ETags): the same rows give the same
    /// version on every instance, a change to an incident the viewer may not see gives none (so a poll tells them
    /// nothing about it), and a re-index that changed nothing shown gives none either.
    /// </summary>
    public static string VersionOf(IEnumerable<ListedIncident> visible)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var incident in visible)
        {
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(incident.Summary, JsonDefaults.Options));
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(incident.Response, JsonDefaults.Options));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    public int Count(IncidentStatus status) => ByStatus.GetValueOrDefault(status);

    /// <summary>The index's revision when the rows were read (hashed short; empty when unknown): see <see cref="Token"/>.</summary>
    public string Revision { get; init; } = string.Empty;

    /// <summary>
    /// What the live list carries and its poll sends back: the index's revision, which a poll compares with one point
    /// read (nothing written since: 204 at once), and the <see cref="Version"/> of what the viewer sees, which it
    /// compares after reading the rows again when something was written (nothing of theirs changed: 204 still).
    /// </summary>
    public string Token => $"{Revision}.{Version}";

    /// <summary>The two parts of a token a poll sent (empty parts for anything else).</summary>
    public static (string Revision, string Version) ParseToken(string? token) =>
        token?.Split('.') is [var revision, var version] ? (revision, version) : (string.Empty, string.Empty);

    /// <summary>An index revision (a storage ETag) as a token part: short, and safe in an address.</summary>
    public static string RevisionOf(string? etag) =>
        etag is null ? "none" : Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(etag)))[..16];
}
