
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

    // People coordinating the response (issue 15). Recorded by Responding's IncidentEditor with actor and channel.
    public const string IncidentDeclared = "incident.declared";
    public const string IncidentEdited = "incident.edited";

    /// <summary>The category was set or changed; data: category (and previous). Applying its playbook follows.</summary>
    public const string IncidentCategorized = "incident.categorized";
    public const string StageChanged = "incident.stage-changed";
    public const string SeverityChanged = "incident.severity-changed";
    public const string MilestoneCorrected = "incident.milestone-corrected";
    public const string IncidentMerged = "incident.merged";
    public const string DuplicateMerged = "incident.duplicate-merged";
    public const string IncidentDeclined = "incident.declined";
    public const string IncidentClosed = "incident.closed";
    public const string RoleAssigned = "role.assigned";
    public const string RoleReleased = "role.released";
    public const string RespondersAdded = "responders.added";
    public const string AccessGranted = "access.granted";
    public const string AccessRevoked = "access.revoked";
    public const string Subscribed = "subscription.added";
    public const string Unsubscribed = "subscription.removed";
    public const string TaskCreated = "task.created";
    public const string TaskChanged = "task.changed";
    public const string PlaybookApplied = "playbook.applied";
    public const string NoteAdded = "note.added";
    public const string UpdatePosted = "update.posted";
    public const string DecisionRecorded = "decision.recorded";
    public const string EvidenceAdded = "evidence.added";
    public const string EventPinned = "event.pinned";
    public const string EventUnpinned = "event.unpinned";

    /// <summary>A coordination reminder was sent (a required role unfilled, a task or an update overdue).</summary>
    public const string ReminderSent = "reminder.sent";
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
