using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Model;

namespace IncidentFunctions.Incidents;

// Table layout (see docs/architecture.md, "Storage"):
//   incidents      PK = incident id   RK = "incident"                       the incident, updated with its ETag
//                  PK = incident id   RK = "alert-{ticks}-{alert id}"       each alert counted into it (write-once)
//                  PK = incident id   RK = "notify-{notification id}"       who is sending a notification, and since when
//   alertkeys      PK = "{integration}|{hash of dedup key}"  RK = ""        which incident a dedup key feeds now
//   incidentindex  PK = "open" | "acknowledged" | "resolved" | "all"  RK = "{inverted opened ticks}-{id}"
// An incident and its alert rows share a partition, so counting an alert and recording it commit in one transaction.

public sealed class IncidentEntity : ITableEntity
{
    public const string Row = "incident";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = Row;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Title { get; set; } = string.Empty;

    public string Severity { get; set; } = string.Empty;

    public string Status { get; set; } = nameof(IncidentStatus.Open);

    public string Integration { get; set; } = string.Empty;

    /// <summary>The key that opened the incident: the alert's dedup key, or its group key when the integration groups.</summary>
    public string DedupKey { get; set; } = string.Empty;

    /// <summary>Set when the incident is a group's (see <see cref="AlertGroups"/>).</summary>
    public string? GroupKey { get; set; }

    /// <summary>A grouped incident's member alerts that are firing now (JSON array of <see cref="AlertGroups.MemberOf"/>).</summary>
    public string? FiringMembers { get; set; }

    public string? Source { get; set; }

    public string? Description { get; set; }

    public string Labels { get; set; } = "{}";

    public string Links { get; set; } = "[]";

    public int AlertCount { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    public DateTimeOffset FirstAlertAt { get; set; }

    public DateTimeOffset LastAlertAt { get; set; }

    public DateTimeOffset? SourceResolvedAt { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public string? ResolvedBy { get; set; }

    /// <summary>The channel the resolution came through (email link, API, source).</summary>
    public string? ResolvedVia { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    public string? AcknowledgedBy { get; set; }

    public string? AcknowledgedVia { get; set; }

    /// <summary>The orchestration's re-trigger that last reopened this incident, so a retried re-trigger can finish its record.</summary>
    public string? LastRetriggerEventId { get; set; }

    /// <summary>Who held the acknowledgement that went stale at the last re-trigger.</summary>
    public string? StaleAcknowledgedBy { get; set; }

    /// <summary>"P1".."P4" once triaged; null before.</summary>
    public string? Priority { get; set; }

    public string? ServiceId { get; set; }

    public string? ServiceName { get; set; }

    /// <summary>The version of the policy the incident was triaged with; its escalation never follows a later one.</summary>
    public string? PolicyVersion { get; set; }

    /// <summary>The triage result (JSON), written once: a retried triage returns it instead of deciding again.</summary>
    public string? Triage { get; set; }

    /// <summary>Set when the incident opened while its key was flapping: paging is held until then.</summary>
    public DateTimeOffset? FlappingUntil { get; set; }

    /// <summary>How many incidents the key opened within the flap window, this one included.</summary>
    public int? FlapCount { get; set; }

    /// <summary>Set once the incident's orchestration is known to exist; until then every processor re-checks.</summary>
    public bool LifecycleStarted { get; set; }

    /// <summary>
    /// The people's side of the incident (JSON of <see cref="IncidentResponse"/>). Null until a person or a rule first
    /// changes it: an alert-opened incident reads as <see cref="IncidentResponse.ForAlert"/>, so the paging path writes
    /// nothing more than it did.
    /// </summary>
    public string? Response { get; set; }

    /// <summary>The events of the last change by a person (JSON), kept until the next so that a crash after the row write is repaired by recording them again.</summary>
    public string? LastChange { get; set; }

    /// <summary>The last few changes the coordination has to hear of (JSON, see Responding's RecentChanges): revisions, times and lifecycle events, not the changes' text.</summary>
    public string? RecentChanges { get; set; }

    /// <summary>Counts the people's changes (<see cref="Response"/> edits); names their timeline events, so a repeated record of one change stores it once.</summary>
    public long Revision { get; set; }

    [IgnoreDataMember]
    public IncidentResponse ResponseValue =>
        Response is null ? IncidentResponse.ForAlert(OpenedAt) : JsonSerializer.Deserialize<IncidentResponse>(Response, JsonDefaults.Options)!;

    public void SetResponse(IncidentResponse response) => Response = JsonSerializer.Serialize(response, JsonDefaults.Options);

    public string Id => PartitionKey;

    public IncidentEntity Copy() => (IncidentEntity)MemberwiseClone();

    public IncidentStatus StatusValue => Enum.Parse<IncidentStatus>(Status);

    public static IncidentEntity Open(string id, Alert alert, DateTimeOffset now) => new()
    {
        PartitionKey = id,
        Title = alert.Title,
        Severity = alert.Severity.ToString(),
        Integration = alert.Integration,
        DedupKey = alert.IncidentKey,
        GroupKey = alert.GroupKey,
        FiringMembers = alert.GroupKey is null ? null : JsonSerializer.Serialize(new[] { AlertGroups.MemberOf(alert.DedupKey) }),
        Source = alert.Source,
        Description = alert.Description,
        Labels = JsonSerializer.Serialize(alert.Labels, JsonDefaults.Options),
        Links = JsonSerializer.Serialize(alert.Links, JsonDefaults.Options),
        AlertCount = 1,
        OpenedAt = now,
        FirstAlertAt = alert.ReceivedAt,
        LastAlertAt = alert.ReceivedAt,
        SourceResolvedAt = alert.Status == AlertStatus.Resolved ? alert.ReceivedAt : null,
    };

    /// <summary>
    /// An incident a person declared: no alert opened it (<see cref="AlertCount"/> 0), and its key is its own id, so
    /// nothing but a merge ever feeds it. <see cref="ServiceId"/> is the service it was declared for, which triage takes
    /// as it is instead of routing.
    /// </summary>
    public static IncidentEntity Declare(string id, string title, Severity severity, string integration, string serviceId, string? summary, DateTimeOffset now) => new()
    {
        PartitionKey = id,
        Title = title,
        Severity = severity.ToString(),
        Integration = integration,
        DedupKey = id,
        Description = summary,
        ServiceId = serviceId,
        OpenedAt = now,
        FirstAlertAt = now,
        LastAlertAt = now,
    };

    /// <summary>
    /// Counts the alerts' firings and resolutions, in order, towards the source's view of the incident. For a single
    /// alert's incident a resolution is the source's last word; a group's incident is resolved by the source only when
    /// none of its member alerts is firing any more, and a member firing again withdraws that. The members are read and
    /// written once per call, so a write that counts many alerts of a group pays for them once.
    /// </summary>
    public void Observe(IEnumerable<Alert> alerts)
    {
        if (GroupKey is null)
        {
            foreach (var alert in alerts.Where(a => a.Status == AlertStatus.Resolved))
            {
                SourceResolvedAt ??= alert.ReceivedAt;
            }

            return;
        }

        var members = JsonSerializer.Deserialize<HashSet<string>>(FiringMembers ?? "[]") ?? [];
        foreach (var alert in alerts)
        {
            var member = AlertGroups.MemberOf(alert.DedupKey);
            switch (alert.Status)
            {
                case AlertStatus.Firing:
                    if (members.Count < AlertGroups.MaxMembers)
                    {
                        members.Add(member);
                    }

                    SourceResolvedAt = null;
                    break;
                case AlertStatus.Resolved:
                    members.Remove(member);
                    if (members.Count == 0)
                    {
                        SourceResolvedAt ??= alert.ReceivedAt;
                    }

                    break;
            }
        }

        FiringMembers = JsonSerializer.Serialize(members.Order(StringComparer.Ordinal));
    }

    public void Observe(Alert alert) => Observe([alert]);

    public Incident ToIncident() => new(
        Id,
        Title,
        Enum.Parse<Severity>(Severity),
        StatusValue,
        Integration,
        DedupKey,
        Source,
        Description,
        JsonSerializer.Deserialize<Dictionary<string, string>>(Labels, JsonDefaults.Options) ?? [],
        JsonSerializer.Deserialize<List<AlertLink>>(Links, JsonDefaults.Options) ?? [],
        AlertCount,
        OpenedAt,
        FirstAlertAt,
        LastAlertAt,
        SourceResolvedAt,
        ResolvedAt,
        ResolvedBy,
        PriorityValue,
        ServiceName,
        AcknowledgedAt,
        AcknowledgedBy,
        PolicyVersion)
    {
        Response = ResponseValue,
    };

    public Priority? PriorityValue => Priority is null ? null : Enum.Parse<Priority>(Priority);

    /// <summary>
    /// The people the incident's escalation pages (every level, repeats and the team told when it runs out), from the
    /// triage stored on the row; none before triage. A restricted incident counts them among its participants: a person
    /// paged about an incident must be able to open it.
    /// </summary>
    public IReadOnlyList<string> EscalationPeople()
    {
        if (Triage is null)
        {
            return [];
        }

        using var triage = JsonDocument.Parse(Triage);
        if (!triage.RootElement.TryGetProperty("escalation", out var plan))
        {
            return [];
        }

        var people = new List<string>();
        void Add(JsonElement recipients)
        {
            foreach (var recipient in recipients.EnumerateArray())
            {
                if (recipient.TryGetProperty("personId", out var id) && id.GetString() is { } person && !people.Contains(person, StringComparer.Ordinal))
                {
                    people.Add(person);
                }
            }
        }

        if (plan.TryGetProperty("levels", out var levels))
        {
            foreach (var level in levels.EnumerateArray())
            {
                if (level.TryGetProperty("recipients", out var recipients))
                {
                    Add(recipients);
                }
            }
        }

        if (plan.TryGetProperty("team", out var team))
        {
            Add(team);
        }

        return people;
    }

    /// <summary>Who takes part in the response, for access: its participants and, when it is restricted, everyone its escalation pages.</summary>
    public IReadOnlyList<string> AccessParticipants(IncidentResponse response) =>
        response.Visibility == Visibility.Standard ? response.Participants : [.. response.Participants.Union(EscalationPeople(), StringComparer.Ordinal)];

    public IncidentSummary ToSummary(IncidentResponse response) => new(
        Id,
        Title,
        Enum.Parse<Severity>(Severity),
        PriorityValue,
        StatusValue,
        response.Stage,
        ServiceId,
        ServiceName,
        response.Category,
        response.Visibility,
        response.Commander,
        response.Declared,
        Integration,
        DedupKey,
        OpenedAt,
        AcknowledgedAt,
        AcknowledgedBy,
        ResolvedAt,
        ResolvedBy);

    public IncidentSnapshot ToSnapshot() => new(
        Id,
        Title,
        Enum.Parse<Severity>(Severity),
        PriorityValue ?? Model.Priority.P4,
        StatusValue,
        ServiceName ?? "(not yet routed)",
        AlertCount,
        FirstAlertAt,
        LastAlertAt,
        Description,
        Source,
        JsonSerializer.Deserialize<List<AlertLink>>(Links, JsonDefaults.Options) ?? [],
        AcknowledgedBy,
        AcknowledgedAt,
        ResolvedBy,
        ResolvedAt);
}

/// <summary>The record that an alert was counted into an incident. Its unique row key makes counting idempotent.</summary>
public sealed class AlertEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string AlertId { get; set; } = string.Empty;

    public string Title { get; set; } = string.Empty;

    public string Severity { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public string? Source { get; set; }

    public string? Description { get; set; }

    public string Labels { get; set; } = "{}";

    public DateTimeOffset? OccurredAt { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>What the sender sent for this alert, when short enough to keep here (see <see cref="AlertEvidence"/>).</summary>
    public string? Raw { get; set; }

    /// <summary>Otherwise the blob in <see cref="BlobContainers.AlertEvidence"/> that holds it.</summary>
    public string? RawBlob { get; set; }

    public static string RowKeyOf(Alert alert) => $"alert-{alert.ReceivedAt.UtcTicks:D19}-{alert.Id}";

    public static AlertEntity From(string incidentId, Alert alert) => new()
    {
        PartitionKey = incidentId,
        RowKey = RowKeyOf(alert),
        AlertId = alert.Id,
        Title = alert.Title,
        Severity = alert.Severity.ToString(),
        Status = alert.Status.ToString(),
        Source = alert.Source,
        Description = alert.Description,
        Labels = JsonSerializer.Serialize(alert.Labels, JsonDefaults.Options),
        OccurredAt = alert.OccurredAt,
        ReceivedAt = alert.ReceivedAt,
        Raw = AlertEvidence.IsInline(alert) ? alert.Raw : null,
        RawBlob = AlertEvidence.IsInline(alert) ? null : AlertEvidence.BlobNameOf(alert),
    };
}

/// <summary>Points a dedup key at the incident it currently feeds; replaced (by ETag) when that incident is resolved.</summary>
public sealed class AlertKeyEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string DedupKey { get; set; } = string.Empty;

    public string IncidentId { get; set; } = string.Empty;

    /// <summary>When the key's recent incidents opened (JSON array, newest last), for flap detection.</summary>
    public string? Openings { get; set; }

    /// <summary>Dedup keys are caller text; hashing them keeps any character out of the table key.</summary>
    public static string PartitionKeyOf(string integration, string dedupKey) =>
        $"{integration}|{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dedupKey)))}";
}

/// <summary>
/// A lease on sending one notification of an incident. Two writers may set out to send the same notification (the
/// opener's first page and the orchestration's); the one holding the lease sends, the other waits for its
/// notification.sent events, or takes over when the lease runs out. <see cref="At"/> is fixed by the first claim: it
/// is the time on every event of the notification, so any later sender finds the events of an earlier one.
/// </summary>
public sealed class NotificationClaimEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The sender holding the lease; null once it let go.</summary>
    public string? Owner { get; set; }

    public DateTimeOffset LeaseUntil { get; set; }

    public static string RowKeyOf(string notificationId) => $"notify-{notificationId}";
}

public sealed class IndexEntity : ITableEntity
{
    public const string All = "all";

    /// <summary>The partition and row of the index's revision (see IncidentStore.IndexRevisionAsync), apart from every status bucket.</summary>
    public const string RevisionPartition = "revision";

    public const string RevisionRow = "revision";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string IncidentId { get; set; } = string.Empty;

    /// <summary>What a listing shows (JSON of <see cref="IncidentSummary"/>); null on rows written before it existed, which are listed from the incident row.</summary>
    public string? Summary { get; set; }

    /// <summary>For a restricted incident, who may see it besides admins and its commander (JSON of participants and grants); null when standard.</summary>
    public string? Access { get; set; }

    /// <summary>JSON of <see cref="ListedResponse"/>; null on rows written before it existed, which are listed from the incident row.</summary>
    public string? Response { get; set; }

    public static IndexEntity Of(string bucket, IncidentEntity incident)
    {
        var response = incident.ResponseValue;
        return new IndexEntity
        {
            PartitionKey = bucket,
            RowKey = RowKeyOf(incident),
            IncidentId = incident.Id,
            Summary = JsonSerializer.Serialize(incident.ToSummary(response), JsonDefaults.Options),
            Access = response.Visibility == Visibility.Standard ? null : JsonSerializer.Serialize(new IndexedAccess(incident.AccessParticipants(response), response.Grants), JsonDefaults.Options),
            Response = JsonSerializer.Serialize(ListedResponse.Of(response), JsonDefaults.Options),
        };
    }

    /// <summary>The listing's view of the incident, or null when the row predates it (or predates its <see cref="Response"/>).</summary>
    public ListedIncident? Listed()
    {
        if (Summary is null || Response is null)
        {
            return null;
        }

        var access = Access is null ? null : JsonSerializer.Deserialize<IndexedAccess>(Access, JsonDefaults.Options);
        return new ListedIncident(JsonSerializer.Deserialize<IncidentSummary>(Summary, JsonDefaults.Options)!, access?.Participants ?? [], access?.Grants ?? [])
        {
            Response = JsonSerializer.Deserialize<ListedResponse>(Response, JsonDefaults.Options),
        };
    }

    sealed record IndexedAccess(IReadOnlyList<string> Participants, IReadOnlyList<string> Grants);

    public static string BucketOf(IncidentStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Newest first: a range scan of a bucket returns the most recently opened incidents first.</summary>
    public static string RowKeyOf(IncidentEntity incident) =>
        $"{DateTimeOffset.MaxValue.UtcTicks - incident.OpenedAt.UtcTicks:D19}-{incident.Id}";
}
