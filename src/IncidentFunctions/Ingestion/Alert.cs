namespace IncidentFunctions.Ingestion;

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

/// <summary>The alerts of one accepted request; they travel in one queue message so a request is all-or-nothing.</summary>
public sealed record AlertBatch(string Id, string Integration, DateTimeOffset ReceivedAt, IReadOnlyList<Alert> Alerts);

/// <summary>
/// The queue message: the batches of one or more requests accepted together, or the name of a blob holding one batch
/// too large for a queue message.
/// </summary>
public sealed record AlertMessage(IReadOnlyList<AlertBatch>? Batches = null, string? PayloadBlob = null);
