using IncidentFunctions.Paging;

namespace IncidentFunctions.Tests.Unit;

public sealed class DueTimeTests
{
    static readonly DateTimeOffset Due = new(2026, 12, 3, 22, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, true)]
    [InlineData(-0.9, true)]
    [InlineData(-2, true)]
    [InlineData(5, true)]
    [InlineData(-2.1, false)]
    [InlineData(-60, false)]
    public void ATimerThatFiresUpToTheAllowanceEarlyCountsAsDue(double firedSecondsFromDue, bool reached) =>
        Assert.Equal(reached, DueTime.Reached(Due.AddSeconds(firedSecondsFromDue), Due));

    [Fact]
    public void APageAheadOfItsDueTimeWaitsOutTheRest() =>
        Assert.Equal(TimeSpan.FromMilliseconds(700), DueTime.Remaining(Due.AddMilliseconds(-700), Due));

    [Fact]
    public void APageAtOrPastItsDueTimeOrWithoutOneDoesNotWait()
    {
        Assert.Equal(TimeSpan.Zero, DueTime.Remaining(Due, Due));
        Assert.Equal(TimeSpan.Zero, DueTime.Remaining(Due.AddSeconds(3), Due));
        Assert.Equal(TimeSpan.Zero, DueTime.Remaining(Due, null));
    }

    [Fact]
    public void AWrongDueTimeFarAheadHoldsAPageNoLongerThanTheAllowance() =>
        Assert.Equal(DueTime.EarlyAllowance, DueTime.Remaining(Due, Due.AddHours(1)));

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    [InlineData(1.5)]
    [InlineData(30)]
    public void ATimerReArmedAfterAnEarlyFireComesDueAfterItsDueTimeDespiteWholeSecondQueueDelays(double earlyBySeconds)
    {
        // The provider delays a timer's message by the time left, and the queue takes the delay in whole seconds, rounded down.
        var firedAt = Due.AddSeconds(-earlyBySeconds);
        var delay = DueTime.Rearm(Due) - firedAt;
        var visibleAt = firedAt.AddSeconds(Math.Floor(delay.TotalSeconds));

        Assert.True(visibleAt >= Due, $"re-armed at {firedAt:O}, it fires at {visibleAt:O}, before {Due:O}");
    }
}
