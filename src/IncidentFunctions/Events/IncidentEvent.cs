using Azure.Messaging;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Links;

namespace IncidentFunctions.Events;

/// <summary>The incident transitions published as lifecycle events.</summary>
public enum IncidentEventKind
{
    Opened,
    Acknowledged,
    Escalated,

    /// <summary>An acknowledgement went stale and paging started again: acknowledged back to open.</summary>
    Retriggered,
    Resolved,

    /// <summary>
    /// Reserved for the post-incident review phase, which does not exist yet: nothing records a close, so nothing is
    /// published with this type. Its name is fixed here so that subscribers can already filter on it.
    /// </summary>
    Closed,
}

/// <summary>
/// One transition of one incident, as recorded on its timeline. <see cref="EventId"/> is that timeline event's id, so
/// publishing the same transition again (an activity retry, a replay) yields the same CloudEvents id and message id.
/// </summary>
public sealed record IncidentTransition(
    string IncidentId,
    string EventId,
    IncidentEventKind Kind,
    DateTimeOffset At,
    string Actor,
    string Channel,
    int? Level = null);

/// <summary>The event's data: a small snapshot of the incident just after the transition.</summary>
public sealed record IncidentEventData(
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
    Uri Url);

/// <summary>A lifecycle event ready to publish; <see cref="ToCloudEvent"/> gives its CloudEvents 1.0 form.</summary>
public sealed record IncidentEvent(string Id, Uri Source, string Type, DateTimeOffset Time, IncidentEventData Data)
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
public sealed class IncidentEvents(LinkSigner links)
{
    public const string TypePrefix = "io.incidentfunctions.incident.";

    // The fields whose length a sender or a sign-in decides; cut here too, so the message's bound (a few KB, far
    // below Service Bus's 256 KB) does not rest on every path into the incident row.
    internal const int MaxTitle = GenericAlertFormat.MaxTitle;
    internal const int MaxActor = 256;

    public static string TypeOf(IncidentEventKind kind) => TypePrefix + kind.ToString().ToLowerInvariant();

    /// <summary>
    /// The event for a recorded transition. Status and the transition's own times come from the transition, never from
    /// the row as it is now, which may have moved on (re-acknowledged, resolved) by the time a retry runs.
    /// </summary>
    public IncidentEvent Create(IncidentTransition transition, IncidentEntity incident)
    {
        var kind = transition.Kind;
        return new IncidentEvent(
            transition.EventId,
            links.IncidentsUrl,
            TypeOf(kind),
            transition.At,
            new IncidentEventData(
                incident.Id,
                TextLimits.Shorten(incident.Title, MaxTitle),
                StatusAfter(kind),
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
                    IncidentEventKind.Acknowledged => transition.At,

                    // A resolved incident's row no longer changes: its acknowledgement, if any, is the last one.
                    IncidentEventKind.Resolved or IncidentEventKind.Closed => incident.AcknowledgedAt,
                    _ => null,
                },
                kind switch
                {
                    IncidentEventKind.Resolved => transition.At,
                    IncidentEventKind.Closed => incident.ResolvedAt,
                    _ => null,
                },
                links.IncidentUrl(incident.Id)));
    }

    static string StatusAfter(IncidentEventKind kind) => kind switch
    {
        IncidentEventKind.Acknowledged => "acknowledged",
        IncidentEventKind.Resolved => "resolved",
        IncidentEventKind.Closed => "closed",
        _ => "open",
    };
}
