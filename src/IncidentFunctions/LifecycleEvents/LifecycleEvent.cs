using Azure.Messaging;
using IncidentFunctions.Incidents;
using IncidentFunctions.Links;
using IncidentFunctions.Model;

namespace IncidentFunctions.LifecycleEvents;

/// <summary>The incident transitions published as lifecycle events.</summary>
public enum LifecycleEventKind
{
    Opened,
    Acknowledged,
    Escalated,

    /// <summary>An acknowledgement went stale and paging started again: acknowledged back to open.</summary>
    Retriggered,
    Resolved,

    /// <summary>A commander closed the incident (from resolved or review): the response is over.</summary>
    Closed,

    /// <summary>A person declared the incident (channel api), rather than an alert opening it.</summary>
    Declared,

    /// <summary>The response's stage changed (triage, investigating, ... , declined); the data carries the new stage.</summary>
    StageChanged,

    /// <summary>A person changed the severity with a reason; the priority is recomputed.</summary>
    SeverityChanged,

    /// <summary>A role was assigned or handed off.</summary>
    RoleAssigned,

    /// <summary>The incident was merged into another as a duplicate.</summary>
    Merged,
}

/// <summary>
/// One transition of one incident, as recorded on its timeline. <see cref="EventId"/> is that timeline event's id, so
/// publishing the same transition again (an activity retry, a replay) yields the same CloudEvents id and message id.
/// A person's change (see the coordination orchestration) also carries the response's <see cref="Stage"/> after it and
/// its <see cref="Details"/>: the timeline event's data (the new severity and priority, the role and its holder, the
/// incident merged into), so a subscriber need not read the incident back.
/// </summary>
public sealed record IncidentTransition(
    string IncidentId,
    string EventId,
    LifecycleEventKind Kind,
    DateTimeOffset At,
    string Actor,
    string Channel,
    int? Level = null,
    Stage? Stage = null,
    IReadOnlyDictionary<string, string>? Details = null);

/// <summary>The event's data: a small snapshot of the incident just after the transition.</summary>
public sealed record LifecycleEventData(
    string IncidentId,
    string Title,
    string Status,
    Severity Severity,
    string? Priority,
    string? ServiceId,
    string? Service,
    string Integration,
    string DedupKey,
    string Actor,
    string Channel,
    int? Level,
    DateTimeOffset OpenedAt,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? ResolvedAt,
    Uri Url,
    Stage Stage = Stage.Triage,
    IReadOnlyDictionary<string, string>? Details = null);

/// <summary>A lifecycle event ready to publish; <see cref="ToCloudEvent"/> gives its CloudEvents 1.0 form.</summary>
public sealed record LifecycleEvent(string Id, Uri Source, string Type, DateTimeOffset Time, LifecycleEventData Data)
{
    public const string DataContentType = "application/json";

    /// <summary>The incident the event is about; subscribers filter and group by it.</summary>
    public string Subject => Data.IncidentId;

    public CloudEvent ToCloudEvent() =>
        new(Source.AbsoluteUri, Type, BinaryData.FromObjectAsJson(Data, JsonDefaults.Options), DataContentType, CloudEventDataFormat.Json)
        {
            Id = Id,
            Subject = Subject,
            Time = Time,
        };
}

/// <summary>
/// Builds lifecycle events. The source is the app's incidents API (<c>{Links__BaseUrl}/api/incidents</c>): the same for
/// every instance of the app and every retry, as CloudEvents requires for source + id to identify an event, and the
/// subject appended to it is the incident's URL.
/// </summary>
public sealed class LifecycleEventBuilder(LinkSigner links)
{
    public const string TypePrefix = "io.incidentfunctions.incident.";

    // The fields whose length a sender or a sign-in decides; cut here too, so the message's bound (a few KB, far
    // below Service Bus's 256 KB) does not rest on every path into the incident row.
    internal const int MaxTitle = AlertLimits.MaxTitle;
    internal const int MaxActor = 256;

    // Details come from a person's change: bounded here like the title, whatever the change recorded.
    internal const int MaxDetails = 16;
    internal const int MaxDetail = 256;

    public static string TypeOf(LifecycleEventKind kind) => TypePrefix + kind.ToString().ToLowerInvariant();

    /// <summary>
    /// The event for a recorded transition. Status and the transition's own times come from the transition, never from
    /// the row as it is now, which may have moved on (re-acknowledged, resolved) by the time a retry runs.
    /// </summary>
    public LifecycleEvent Create(IncidentTransition transition, IncidentEntity incident)
    {
        var kind = transition.Kind;
        return new LifecycleEvent(
            transition.EventId,
            links.IncidentsUrl,
            TypeOf(kind),
            transition.At,
            new LifecycleEventData(
                incident.Id,
                TextLimits.Shorten(incident.Title, MaxTitle),
                StatusAfter(kind, incident),
                Enum.Parse<Severity>(incident.Severity),
                incident.Priority,
                incident.ServiceId,
                incident.ServiceName,
                incident.Integration,
                incident.DedupKey,
                TextLimits.Shorten(transition.Actor, MaxActor),
                transition.Channel,
                transition.Level,
                incident.OpenedAt,
                kind switch
                {
                    LifecycleEventKind.Acknowledged => transition.At,

                    // A resolved incident's row no longer changes: its acknowledgement, if any, is the last one.
                    LifecycleEventKind.Resolved or LifecycleEventKind.Closed => incident.AcknowledgedAt,
                    _ => null,
                },
                kind switch
                {
                    LifecycleEventKind.Resolved => transition.At,
                    LifecycleEventKind.Closed => incident.ResolvedAt,
                    _ => null,
                },
                links.IncidentUrl(incident.Id),
                transition.Stage ?? incident.ResponseValue.Stage,
                DetailsOf(transition.Details)));
    }

    static Dictionary<string, string>? DetailsOf(IReadOnlyDictionary<string, string>? details) =>
        details is null or { Count: 0 }
            ? null
            : details.Where(d => d.Key.Length <= MaxDetail).Take(MaxDetails).ToDictionary(d => d.Key, d => TextLimits.Shorten(d.Value, MaxDetail));

    /// <summary>
    /// The paging status the transition leaves. A person's change of the response (stage, severity, role, merge) leaves
    /// it as it is, so those read it off the row.
    /// </summary>
    static string StatusAfter(LifecycleEventKind kind, IncidentEntity incident) => kind switch
    {
        LifecycleEventKind.Acknowledged => "acknowledged",
        LifecycleEventKind.Resolved => "resolved",
        LifecycleEventKind.Closed => "closed",
        LifecycleEventKind.Opened or LifecycleEventKind.Escalated or LifecycleEventKind.Retriggered => "open",
        _ => incident.Status.ToLowerInvariant(),
    };
}
