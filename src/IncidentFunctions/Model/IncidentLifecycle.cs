namespace IncidentFunctions.Model;

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

/// <summary>Starts and signals incident orchestrations; the seam between the app and Durable Functions.</summary>
public interface IIncidentLifecycle
{
    /// <summary>Starts the incident's orchestration unless one exists; never creates a second run.</summary>
    Task<bool> EnsureStartedAsync(string incidentId, CancellationToken ct);

    Task SignalAsync(string incidentId, LifecycleSignal signal, CancellationToken ct);
}
