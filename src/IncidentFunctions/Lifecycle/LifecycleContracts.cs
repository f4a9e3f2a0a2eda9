using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.Lifecycle;

/// <summary>
/// The input of an incident's orchestration; the instance id is the incident id. <see cref="Start"/> is set when the
/// opener already triaged the incident and paged everyone on its first level (then the orchestration begins without
/// an activity); otherwise the orchestration's first activity reads the incident (<see cref="BeginRequest"/>).
/// <see cref="Revision"/> is the orchestration code's revision the instance was started under: an instance in flight
/// when the code changes replays its history as that revision wrote it, or the Durable runtime fails it as
/// nondeterministic. Inputs stored before revisions existed read as 0; new instances are started with <see cref="Current"/>.
/// </summary>
public sealed record IncidentLifecycleInput(string IncidentId, IncidentStart? Start = null, int Revision = 0)
{
    /// <summary>
    /// 1: an escalation timer that fires within <see cref="Paging.DueTime.EarlyAllowance"/> of its due time is acted on
    /// (before: re-armed until past it); an orchestration begun from the opener's hand-over reads the incident once
    /// before its first escalation page (before: only when signalled).
    /// 2: while nobody has acknowledged, unfilled required roles remind the escalation's current level from
    /// <see cref="TriageResult.RequiredRolesWithinMinutes"/> after opening (<see cref="CoordinationActivityNames.RemindUnfilledRoles"/>).
    /// 3: a page (an escalation level, a re-trigger's, escalation exhausted) goes through
    /// <see cref="LifecycleActivities.PageIfOpen"/>, which reads the incident first and pages only while it is open and
    /// its source's resolve is one the orchestration has seen; so the hand-over's separate read is gone (one activity
    /// fewer per incident), and a page no longer follows an acknowledgement whose signal has not arrived yet.
    /// </summary>
    public const int Current = 3;
}

/// <summary>
/// Activities of the response's coordination (Responding) that the paging orchestration calls by name, since the
/// lifecycle does not depend on the response's features.
/// </summary>
public static class CoordinationActivityNames
{
    /// <summary>Takes an <see cref="UnfilledRolesReminder"/>; returns when to remind next (null: no more).</summary>
    public const string RemindUnfilledRoles = "RemindUnfilledRoles";
}

/// <summary>
/// Remind the level an unacknowledged incident is paging (<see cref="CurrentLevel"/>; the whole team once escalation
/// is exhausted) of the required roles nobody holds. <see cref="Level"/> is null after exhaustion.
/// </summary>
public sealed record UnfilledRolesReminder(string IncidentId, int? Level, IReadOnlyList<Recipient> CurrentLevel);

/// <summary>What the orchestration knows of the stored incident; re-read whenever a signal arrives.</summary>
public sealed record IncidentState(
    string IncidentId,
    IncidentStatus Status,
    string Integration,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTimeOffset? SourceResolvedAt,
    string? AcknowledgedVia = null,
    DateTimeOffset? ResolvedAt = null,
    string? ResolvedBy = null,
    string? ResolvedVia = null,
    string? LastRetriggerEventId = null,
    DateTimeOffset? FlappingUntil = null,
    int? FlapCount = null);

/// <summary>A timeline event the orchestration decided on; its id and time come from the orchestration context.</summary>
public sealed record TimelineEntry(string IncidentId, TimelineEvent Event);

/// <summary>
/// Triage the incident and record its opening (see <see cref="Opening.IncidentOpener.BeginAsync"/>). A record, not a bare id, so that
/// the inputs of orchestrations begun by earlier versions (which also carried event ids and a time) still bind.
/// </summary>
public sealed record BeginRequest(string IncidentId);

/// <summary>
/// The triage decision and the incident's state as the orchestration begins (it may be acknowledged already), how
/// to publish its lifecycle events (null: events are off), when the incident opened, when its first page was claimed
/// by the opener (null: not yet, and the orchestration sends it) and whether everyone on it was emailed.
/// </summary>
public sealed record IncidentStart(
    TriageResult Triage,
    IncidentState State,
    EventPublishingPlan? Events = null,
    DateTimeOffset OpenedAt = default,
    DateTimeOffset? FirstPagedAt = null,
    bool FirstPageSent = false);

/// <summary>Re-trigger if the acknowledgement made at <see cref="AcknowledgedAt"/> is still the current one.</summary>
public sealed record RetriggerRequest(string IncidentId, DateTimeOffset AcknowledgedAt, double AfterMinutes, string EventId, DateTimeOffset At);

public sealed record SourceResolveRequest(string IncidentId, DateTimeOffset SourceResolvedAt);

/// <summary>External event names raised to an incident's orchestration.</summary>
public static class LifecycleSignals
{
    /// <summary>The one external event: "something changed on the incident row, read it again".</summary>
    public const string Name = "Signal";
}

/// <summary>The orchestration's custom status: where the incident's lifecycle is now, and when it escalates next.</summary>
public sealed record LifecycleStatus(string Phase, int? Level = null, int? Cycle = null, DateTimeOffset? NextAt = null);

public static class LifecyclePhases
{
    public const string Triggered = "triggered";
    public const string Exhausted = "escalation exhausted";
    public const string Acknowledged = "acknowledged";

    /// <summary>Opened in a maintenance window: recorded, not paged until the window ends.</summary>
    public const string Maintenance = "maintenance";

    /// <summary>Opened while its key was flapping: recorded, not paged until the flap window has passed.</summary>
    public const string Flapping = "flapping";
    public const string Resolved = "resolved";
}

/// <summary>
/// Page, unless the incident has changed in a way the orchestration has not seen: it is no longer open, or its source
/// reported a resolve other than <see cref="SourceResolveSeen"/> (the last the orchestration took in; null: none). A
/// resolve cleared since (a grouped alert fired again) is nothing new.
/// </summary>
public sealed record PageRequest(Paging.NotifyRequest Notify, DateTimeOffset? SourceResolveSeen);

/// <summary>
/// What <see cref="LifecycleActivities.PageIfOpen"/> did: paged (<see cref="SentAt"/>, null when nobody was left to
/// email) or, when the incident had changed, nothing, with the state it found (<see cref="Changed"/>).
/// </summary>
public sealed record PageOutcome(DateTimeOffset? SentAt, IncidentState? Changed);
