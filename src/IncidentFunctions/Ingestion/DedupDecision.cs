using IncidentFunctions.Incidents;
using IncidentFunctions.Model;

namespace IncidentFunctions.Ingestion;

public enum DedupAction
{
    /// <summary>No incident takes this key: claim the key for a new incident.</summary>
    OpenNew,

    /// <summary>The key was claimed for an incident that is not written yet (its creator is mid-way or crashed).</summary>
    CompleteOpening,

    /// <summary>Count the alert into the open incident.</summary>
    Append,

    /// <summary>The source says the problem is gone: record it on the open incident and signal its lifecycle.</summary>
    SourceResolved,

    /// <summary>The source acknowledges the open incident of the key: acknowledge it as a responder would.</summary>
    SourceAcknowledged,

    /// <summary>An acknowledgement for a key with no open incident (never opened, or resolved): nothing to acknowledge.</summary>
    DropAcknowledge,

    /// <summary>A resolve for an incident that is already resolved: note it on that incident's timeline only.</summary>
    NoteOnResolved,

    /// <summary>A resolve for a key that never opened an incident: nothing to attach it to.</summary>
    DropUnmatchedResolve,

    /// <summary>A resolve or acknowledgement for an incident still being opened: try again shortly (the queue retries).</summary>
    RetryLater,

    /// <summary>
    /// A resolve for a key whose incident was merged into another: noted on that one, which it does not resolve (the
    /// incident it was merged into has alerts of its own, whose sources still speak for it).
    /// </summary>
    NoteOnMergedInto,
}

/// <summary>
/// The pure decision at the heart of deduplication, from the alert's status and what storage holds. The incident is the
/// one the key leads to: the incident it names, or, when that one was merged as a duplicate, the incident it was merged
/// into (<paramref name="viaMerge"/>), into which its alerts count from then on.
/// </summary>
public static class DedupDecision
{
    public static DedupAction Decide(AlertStatus status, AlertKeyEntity? key, IncidentEntity? incident, bool viaMerge = false)
    {
        var live = incident is not null && incident.StatusValue != IncidentStatus.Resolved;
        if (viaMerge && status == AlertStatus.Resolved && incident is not null)
        {
            return live ? DedupAction.NoteOnMergedInto : DedupAction.NoteOnResolved;
        }

        return (status, key, incident) switch
        {
            (AlertStatus.Firing, null, _) => DedupAction.OpenNew,
            (AlertStatus.Firing, _, null) => DedupAction.CompleteOpening,
            (AlertStatus.Firing, _, _) => live ? DedupAction.Append : DedupAction.OpenNew,
            (AlertStatus.Resolved, null, _) => DedupAction.DropUnmatchedResolve,
            (AlertStatus.Resolved, _, null) => DedupAction.RetryLater,
            (AlertStatus.Resolved, _, _) => live ? DedupAction.SourceResolved : DedupAction.NoteOnResolved,
            (AlertStatus.Acknowledged, null, _) => DedupAction.DropAcknowledge,
            (AlertStatus.Acknowledged, _, null) => DedupAction.RetryLater,
            (AlertStatus.Acknowledged, _, _) => live ? DedupAction.SourceAcknowledged : DedupAction.DropAcknowledge,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown alert status."),
        };
    }
}
