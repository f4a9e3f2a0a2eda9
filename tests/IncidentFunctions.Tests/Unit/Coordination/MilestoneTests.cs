using IncidentFunctions.Coordination;
using IncidentFunctions.Model;

namespace IncidentFunctions.Tests.Unit.Coordination;

public sealed class MilestoneTests
{
    static readonly DateTimeOffset T0 = TestResponse.Opened;
    static readonly DateTimeOffset Now = T0.AddHours(3);

    /// <summary>Detected at 9:00, acknowledged 9:05, mitigated 9:40, resolved 10:00.</summary>
    static readonly IReadOnlyDictionary<Milestone, DateTimeOffset> Set = new Dictionary<Milestone, DateTimeOffset>
    {
        [Milestone.Detected] = T0,
        [Milestone.Acknowledged] = T0.AddMinutes(5),
        [Milestone.Mitigated] = T0.AddMinutes(40),
        [Milestone.Resolved] = T0.AddMinutes(60),
    };

    [Fact]
    public void RecordingKeepsTheFirstTime()
    {
        var recorded = Milestones.Record(Set, Milestone.Acknowledged, T0.AddMinutes(50));

        Assert.Equal(T0.AddMinutes(5), recorded.Accepted![Milestone.Acknowledged]);
    }

    [Fact]
    public void RecordingAMilestoneAsItHappensAddsIt()
    {
        var recorded = Milestones.Record(Set, Milestone.Closed, T0.AddMinutes(90));

        Assert.Equal(T0.AddMinutes(90), recorded.Accepted![Milestone.Closed]);
        Assert.Equal(5, recorded.Accepted.Count);
    }

    [Fact]
    public void RecordingOutOfOrderIsRefusedNamingTheMilestone()
    {
        var withoutAck = Set.Where(m => m.Key != Milestone.Acknowledged).ToDictionary();

        var refused = Milestones.Record(withoutAck, Milestone.Acknowledged, T0.AddMinutes(45)).Refused!;

        Assert.Equal("milestones.acknowledged", refused.Field);
        Assert.Equal("must be at or after detected (2026-11-27T09:00:00.0000000+00:00) and at or before mitigated (2026-11-27T09:40:00.0000000+00:00)", refused.Message);
    }

    [Fact]
    public void ACorrectionThatBreaksTheOrderIsAConflictAndOneInTheFutureABadRequest()
    {
        var outOfOrder = Milestones.Correct(Set, Milestone.Mitigated, T0.AddMinutes(70), "later", "bob", Now).Refused!;
        var future = Milestones.Correct(Set, Milestone.Mitigated, Now.AddMinutes(1), "later", "bob", Now).Refused!;

        Assert.Equal(("milestones.mitigated", true), (outOfOrder.Field, outOfOrder.Conflict));
        Assert.Equal(("milestones.mitigated", false), (future.Field, future.Conflict));
    }

    [Fact]
    public void ACorrectionThatKeepsTheOrderIsAcceptedWithItsOldAndNewTimeReasonAndAuthor()
    {
        var correction = Milestones.Correct(Set, Milestone.Mitigated, T0.AddMinutes(30), " the fix went out at 9:30 ", "bob", Now).Accepted!;

        Assert.Equal(
            (Milestone.Mitigated, (DateTimeOffset?)T0.AddMinutes(40), T0.AddMinutes(30), "the fix went out at 9:30", "bob", Now),
            (correction.Milestone, correction.Old, correction.New, correction.Reason, correction.By, correction.At));
        Assert.Equal(T0.AddMinutes(30), correction.Milestones[Milestone.Mitigated]);
        Assert.Equal(T0.AddMinutes(40), Set[Milestone.Mitigated]);
    }

    [Theory]
    [InlineData(Milestone.Mitigated, -1, "milestones.mitigated", "must be at or after acknowledged (2026-11-27T09:05:00.0000000+00:00) and at or before resolved (2026-11-27T10:00:00.0000000+00:00)")]
    [InlineData(Milestone.Detected, 6, "milestones.detected", "must be at or before acknowledged (2026-11-27T09:05:00.0000000+00:00)")]
    [InlineData(Milestone.ImpactStarted, 1, "milestones.impactStarted", "must be at or before detected (2026-11-27T09:00:00.0000000+00:00)")]
    public void ACorrectionThatBreaksTheOrderIsRefusedNamingTheMilestone(Milestone milestone, int minutes, string field, string message)
    {
        var refused = Milestones.Correct(Set, milestone, T0.AddMinutes(minutes), "checked the logs", "bob", Now).Refused!;

        Assert.Equal((field, message), (refused.Field, refused.Message));
    }

    [Fact]
    public void EqualTimesKeepTheOrder() =>
        Assert.NotNull(Milestones.Correct(Set, Milestone.Acknowledged, T0, "paged and answered at once", "bob", Now).Accepted);

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    public void ACorrectionNeedsAReason(string? reason) =>
        Assert.Equal("reason", Milestones.Correct(Set, Milestone.Mitigated, T0.AddMinutes(30), reason, "bob", Now).Refused!.Field);

    [Fact]
    public void ACorrectionCannotBeInTheFuture() =>
        Assert.Equal(
            ("milestones.closed", "cannot be in the future"),
            Milestones.Correct(Set.Append(new(Milestone.Closed, T0.AddMinutes(70))).ToDictionary(), Milestone.Closed, Now.AddMinutes(1), "typo", "bob", Now).Refused is { } r ? (r.Field, r.Message) : default);

    [Fact]
    public void ACorrectionToTheSameTimeIsRefused() =>
        Assert.Equal("milestones.resolved", Milestones.Correct(Set, Milestone.Resolved, T0.AddMinutes(60), "same", "bob", Now).Refused!.Field);

    [Theory]
    [InlineData(Milestone.Acknowledged)]
    [InlineData(Milestone.Resolved)]
    [InlineData(Milestone.Closed)]
    public void AMilestoneOfAnEventCannotBeSetBeforeTheEventHappens(Milestone milestone)
    {
        var refused = Milestones.Correct(new Dictionary<Milestone, DateTimeOffset> { [Milestone.Detected] = T0 }, milestone, T0.AddMinutes(1), "r", "bob", Now).Refused!;

        Assert.Equal(Milestones.Field(milestone), refused.Field);
        Assert.StartsWith("the incident has not been", refused.Message);
    }

    [Fact]
    public void ImpactStartedMayBeSetByAPersonBeforeDetection()
    {
        var correction = Milestones.Correct(Set, Milestone.ImpactStarted, T0.AddMinutes(-20), "errors began at 8:40 in the logs", "bob", Now).Accepted!;

        Assert.Null(correction.Old);
        Assert.Equal(T0.AddMinutes(-20), correction.Milestones[Milestone.ImpactStarted]);
    }
}
