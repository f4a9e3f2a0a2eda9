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

/// <summary>
/// What the opener had done when the first page reached everyone on it: the triage it stored on the incident (the row's
/// JSON), when the incident opened and when the page went out. Handed to the orchestration as it starts, so that it
/// need not look any of it up: one activity (a queue round trip and a history episode) fewer per incident.
/// </summary>
public sealed record OpeningDone(string Triage, string Integration, DateTimeOffset OpenedAt, DateTimeOffset FirstPageSentAt);

/// <summary>Starts and signals incident orchestrations; the seam between the app and Durable Functions.</summary>
public interface IIncidentLifecycle
{
    /// <summary>
    /// Starts the incident's orchestration unless one exists; never creates a second run. <paramref name="opening"/>
    /// is what the opener did, when its first page reached everyone; null makes the orchestration read the incident.
    /// </summary>
    Task<bool> EnsureStartedAsync(string incidentId, OpeningDone? opening, CancellationToken ct);

    Task SignalAsync(string incidentId, LifecycleSignal signal, CancellationToken ct);
}
