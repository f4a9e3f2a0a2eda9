using System.Text.Json;

namespace IncidentFunctions.Responding;

/// <summary>
/// A change the coordination has to hear of (not a quiet one: see <see cref="IncidentEditor.IsQuiet"/>): its revision,
/// when it was recorded (the time of its timeline events, whose ids are <c>r{revision}-{n}</c>) and its lifecycle events.
/// </summary>
public sealed record RecentChange(long Revision, DateTimeOffset At, IReadOnlyList<IncidentTransitionRef> Transitions);

/// <summary>
/// The last few such changes, kept on the incident row (<c>RecentChanges</c>) so that a coordination run can find every
/// change whose signal it lost, not only the last one. A signal is lost when it is raised while the run is only being
/// created (the Durable provider discards it: docs/paging-and-links.md); two people changing an incident in that window
/// lose two. The row keeps revisions and lifecycle events only (small, whatever the change said); the events themselves
/// are read back from the timeline, where they were recorded before any signal was raised.
/// </summary>
public static class RecentChanges
{
    /// <summary>Far more than can be recorded while one run is being created.</summary>
    public const int Kept = 16;

    /// <summary>How long before a run began a change may have been signalled to it and lost: generous, as creating a run takes well under a second.</summary>
    public static readonly TimeSpan CreationWindow = TimeSpan.FromMinutes(5);

    public static IReadOnlyList<RecentChange> Read(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<RecentChange>>(json, JsonDefaults.Options) ?? [];

    /// <summary>The row's list with <paramref name="change"/> added, the oldest dropped past <see cref="Kept"/>.</summary>
    public static string With(string? json, RecentChange change) =>
        JsonSerializer.Serialize(Read(json).Where(c => c.Revision != change.Revision).Append(change).OrderBy(c => c.Revision).TakeLast(Kept).ToList(), JsonDefaults.Options);

    /// <summary>
    /// The kept changes a run has not delivered, oldest first: recorded since <paramref name="since"/> (so that changes
    /// an earlier run delivered, before its history was purged, are never sent again), other than
    /// <paramref name="except"/> (the row's last change, which the row holds whole).
    /// </summary>
    public static IReadOnlyList<RecentChange> Undelivered(IReadOnlyList<RecentChange> kept, DeliveredRevisions delivered, DateTimeOffset since, long except) =>
        [.. kept.Where(c => c.Revision != except && c.At >= since && !delivered.Contains(c.Revision)).OrderBy(c => c.Revision)];
}
