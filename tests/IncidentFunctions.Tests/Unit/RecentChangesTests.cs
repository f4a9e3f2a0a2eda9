using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Responding;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// Which recorded changes a coordination run must still deliver: every kept one it has not, recorded since a little
/// before it began; never an earlier run's, never the row's last change twice.
/// </summary>
public sealed class RecentChangesTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 4, 3, 0, 0, TimeSpan.Zero);

    static RecentChange Change(long revision, double minutes) =>
        new(revision, T0.AddMinutes(minutes), [new IncidentTransitionRef($"r{revision}-1", LifecycleEventKind.StageChanged, T0.AddMinutes(minutes), "alice", "api")]);

    [Fact]
    public void TheRowKeepsTheLastSixteenChangesInRevisionOrder()
    {
        string? json = null;
        for (var revision = 1; revision <= 20; revision++)
        {
            json = RecentChanges.With(json, Change(revision, revision));
        }

        var kept = RecentChanges.Read(json);

        Assert.Equal(RecentChanges.Kept, kept.Count);
        Assert.Equal(Enumerable.Range(5, 16).Select(r => (long)r), kept.Select(c => c.Revision));
    }

    [Fact]
    public void RecordingARevisionAgainKeepsItOnce()
    {
        var json = RecentChanges.With(RecentChanges.With(null, Change(3, 1)), Change(3, 1));

        Assert.Single(RecentChanges.Read(json));
    }

    [Fact]
    public void EveryUndeliveredChangeSinceTheRunBeganIsHandedBackOldestFirst()
    {
        IReadOnlyList<RecentChange> kept = [Change(7, 10), Change(5, 9), Change(6, 9.5)];

        var missed = RecentChanges.Undelivered(kept, DeliveredRevisions.None.With(5), since: T0.AddMinutes(8), except: 8);

        Assert.Equal([6L, 7L], missed.Select(c => c.Revision));
    }

    [Fact]
    public void ChangesRecordedBeforeTheRunAndTheRowsLastChangeAreNotHandedBack()
    {
        IReadOnlyList<RecentChange> kept = [Change(1, 0), Change(2, 1), Change(3, 30)];

        var missed = RecentChanges.Undelivered(kept, DeliveredRevisions.None, since: T0.AddMinutes(25), except: 3);

        Assert.Empty(missed);
    }
}
