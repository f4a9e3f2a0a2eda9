using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Responding;

namespace IncidentFunctions.Tests.Unit.Responding;

/// <summary>The coordination run's own decisions: which changes it has delivered, and the stage its events announce.</summary>
public sealed class CoordinationRunTests
{
    [Fact]
    public void ChangesDeliveredOutOfOrderAreEachKnownAndTheFloorRisesOverTheGaplessOnes()
    {
        var delivered = DeliveredRevisions.None.With(2).With(4);

        Assert.Equal([false, true, false, true, false], new long[] { 1, 2, 3, 4, 5 }.Select(delivered.Contains));

        delivered = delivered.With(1).With(3);
        Assert.Equal((4, 0), (delivered.Floor, delivered.Above.Count));
        Assert.Same(delivered, delivered.With(2));
    }

    [Fact]
    public void OnlyTheLastFewRevisionsAboveTheFloorAreKept()
    {
        var delivered = Enumerable.Range(0, DeliveredRevisions.Kept + 10).Aggregate(DeliveredRevisions.None, (d, i) => d.With(100 + (2 * i)));

        Assert.Equal(DeliveredRevisions.Kept, delivered.Above.Count);
        Assert.True(delivered.Contains(100));
        Assert.True(delivered.Contains(delivered.Above[^1]));
        Assert.False(delivered.Contains(delivered.Above[^1] + 1));
    }

    [Theory]
    [InlineData(LifecycleEventKind.Closed, null, Stage.Closed)]
    [InlineData(LifecycleEventKind.Merged, null, Stage.Merged)]
    [InlineData(LifecycleEventKind.StageChanged, "in-progress", null)]
    [InlineData(LifecycleEventKind.StageChanged, "mitigated", Stage.Mitigated)]
    [InlineData(LifecycleEventKind.SeverityChanged, "mitigated", null)]
    public void AnEventAnnouncesTheStageItsChangeNames(LifecycleEventKind kind, string? to, Stage? stage)
    {
        var data = to is null ? null : new Dictionary<string, string> { ["to"] = to };

        Assert.Equal(stage, CoordinationOrchestration.StageAfter(kind, data));
    }

    [Fact]
    public void AnAcknowledgementOnlyAsksForALook()
    {
        Assert.False(CoordinationOrchestration.HasDelivery(CoordinationOrchestration.Look("INC-1")));
        var note = new TimelineEvent("r1-1", DateTimeOffset.UnixEpoch, TimelineEventTypes.NoteAdded, "alice", Channels.Api, "a note");
        Assert.True(CoordinationOrchestration.HasDelivery(new CoordinationChange("INC-1", 1, [note], [])));
    }
}
