namespace IncidentFunctions.Lifecycle;

/// <summary>The input of an incident's orchestration; the instance id is the incident id.</summary>
public sealed record IncidentLifecycleInput(string IncidentId);

public enum SignalKind
{
    Acknowledge,
    Resolve,

    /// <summary>The monitoring source says the problem is gone; the policy decides whether that resolves the incident.</summary>
    SourceResolved,
}

/// <summary>
/// Wakes the orchestration. The incident row already holds the change (or, for SourceResolved, the source's resolution
/// time); the orchestration re-reads it, so a signal is a nudge, never the source of truth.
/// </summary>
public sealed record LifecycleSignal(SignalKind Kind, string Actor, string Channel, DateTimeOffset At);

/// <summary>A timeline event the orchestration asks an activity to write; ids come from the orchestration context.</summary>
public sealed record LifecycleNote(string IncidentId, string EventId, DateTimeOffset At);

public sealed record ResolveRequest(string IncidentId, string EventId, DateTimeOffset At, LifecycleSignal Signal);

/// <summary>What the orchestration needs to know about stored state when it starts (signals may predate it).</summary>
public sealed record IncidentState(string IncidentId, bool Exists, string? Integration, DateTimeOffset? SourceResolvedAt, bool Resolved);

/// <summary>External event names raised to an incident's orchestration.</summary>
public static class LifecycleEvents
{
    public const string Signal = nameof(Signal);
}

/// <summary>The orchestration's custom status: which phase of the lifecycle an incident is in right now.</summary>
public static class LifecyclePhases
{
    public const string AwaitingResolution = "awaiting resolution";
}

/// <summary>Starts and signals incident orchestrations; the seam between alert processing and Durable Functions.</summary>
public interface IIncidentLifecycle
{
    /// <summary>Starts the incident's orchestration unless one exists; never creates a second run.</summary>
    Task<bool> EnsureStartedAsync(string incidentId, CancellationToken ct);

    Task SignalAsync(string incidentId, LifecycleSignal signal, CancellationToken ct);
}
