using System.Text.RegularExpressions;

namespace IncidentFunctions.Model;

public enum Severity
{
    Critical,
    High,
    Warning,
    Info,
}

public enum AlertStatus
{
    Firing,
    Resolved,

    /// <summary>
    /// The source says someone is on it (a PagerDuty Events "acknowledge", or a generic alert with this status): it
    /// acknowledges the open incident of its dedup key, and never opens one.
    /// </summary>
    Acknowledged,
}

public sealed record AlertLink(string Href, string? Text)
{
    /// <summary>The only links an alert may carry, and an email may make clickable: absolute http or https URLs.</summary>
    public static bool IsWebUrl(string href) =>
        Uri.TryCreate(href, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>
/// An alert after validation, in the one shape every integration format is turned into. <see cref="Id"/> is assigned
/// on receipt and stays the same across queue retries, which is what makes processing idempotent.
/// <see cref="DedupKey"/> identifies the alert; <see cref="GroupKey"/>, set when the integration groups alerts by
/// labels (see <see cref="AlertGroups"/>), names the incident several alerts share. <see cref="Raw"/> is the JSON the
/// sender sent for this alert (the element of a batch, or the whole event), kept as evidence with the alert's row.
/// </summary>
public sealed record Alert(
    string Id,
    string Integration,
    string DedupKey,
    string Title,
    Severity Severity,
    AlertStatus Status,
    string? Source,
    string? Description,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<AlertLink> Links,
    DateTimeOffset? OccurredAt,
    DateTimeOffset ReceivedAt,
    string? GroupKey = null,
    string? Raw = null)
{
    /// <summary>The key that picks the alert's incident: its group's, or its own.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string IncidentKey => GroupKey ?? DedupKey;
}

/// <summary>What an integration may be called: the alert URL, its settings and the policy's routes all use the name.</summary>
public static partial class IntegrationNames
{
    /// <summary>
    /// The integration of incidents people declare rather than alerts open; reserved, so that no alert can claim a
    /// declared incident's key.
    /// </summary>
    public const string Declared = "declared";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    public static partial Regex Pattern();
}

/// <summary>
/// How long an alert's parts may be, whatever format it came in: these keep one alert inside a Table Storage entity (a
/// string property holds at most 32K characters). Formats refuse or shorten beyond them, as suits their senders.
/// </summary>
public static class AlertLimits
{
    public const int MaxTitle = 1024;
    public const int MaxDescription = 16 * 1024;
    public const int MaxDedupKey = 255;
    public const int MaxSource = 255;
    public const int MaxLabels = 64;
    public const int MaxLabelKey = 128;
    public const int MaxLabelValue = 256;
    public const int MaxLinks = 20;
    public const int MaxHref = 2048;
    public const int MaxLinkText = 256;
}
