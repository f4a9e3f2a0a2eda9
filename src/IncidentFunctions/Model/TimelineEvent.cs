
namespace IncidentFunctions.Model;

/// <summary>
/// One line of an incident's append-only history. <see cref="Id"/> is chosen by the writer deterministically (an alert
/// id, or a GUID from the orchestration context), so writing the same event twice stores it once. <see cref="At"/> is
/// when it was recorded; <see cref="OccurredAt"/>, when set, is when it happened, as the person who wrote it said (a
/// note about a deploy an hour ago). The timeline stays in recording order; readers sort by either.
/// </summary>
public sealed record TimelineEvent(
    string Id,
    DateTimeOffset At,
    string Type,
    string Actor,
    string Channel,
    string Summary,
    IReadOnlyDictionary<string, string>? Data = null,
    DateTimeOffset? OccurredAt = null);

/// <summary>Timeline event types. Stable strings: reports and exports key on them.</summary>
public static class TimelineEventTypes
{
    public const string AlertReceived = "alert.received";
    public const string AlertRepeated = "alert.repeated";
    public const string AlertResolved = "alert.resolved";
    public const string IncidentOpened = "incident.opened";
    public const string IncidentResolved = "incident.resolved";
    public const string IncidentTriaged = "incident.triaged";
    public const string IncidentRouted = "incident.routed";
    public const string IncidentAcknowledged = "incident.acknowledged";
    public const string IncidentEscalated = "incident.escalated";
    public const string IncidentRetriggered = "incident.retriggered";
    public const string EscalationExhausted = "escalation.exhausted";
    public const string AutoResolveSkipped = "incident.autoresolve-skipped";
    public const string MaintenanceSuppressed = "incident.maintenance";
    public const string MaintenanceEnded = "incident.maintenance-ended";
    public const string Flapping = "incident.flapping";
    public const string FlappingEnded = "incident.flapping-ended";
    public const string NotificationSent = "notification.sent";
    public const string NotificationSuppressed = "notification.suppressed";
    public const string NotificationFailed = "notification.failed";

    /// <summary>A lifecycle event could not be published after retries; data names the event id and its type.</summary>
    public const string EventPublishFailed = "event.publish-failed";
}

/// <summary>How an actor reached us.</summary>
public static class Channels
{
    public const string Source = "source";
    public const string System = "system";
    public const string Api = "api";
    public const string EmailLink = "email-link";

    /// <summary>Notifications the app sent by email.</summary>
    public const string Email = "email";
}
