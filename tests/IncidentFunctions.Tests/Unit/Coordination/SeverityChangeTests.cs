using IncidentFunctions.Coordination;
using IncidentFunctions.Model;

namespace IncidentFunctions.Tests.Unit.Coordination;

public sealed class SeverityChangeTests
{
    static readonly DateTimeOffset T0 = TestResponse.Opened;

    static SeverityChange Change(DateTimeOffset at, Severity from, Severity to) => new(at, from, to, Priority.P1, "r", "bob");

    [Theory]
    [InlineData(Severity.Critical, 1, Priority.P1)]
    [InlineData(Severity.Critical, 2, Priority.P2)]
    [InlineData(Severity.Warning, 1, Priority.P3)]
    public void AChangeRecomputesThePriorityByTheTriageRule(Severity to, int tier, Priority expected)
    {
        var change = SeverityChanges.Change(Severity.High, tier, to, "checkout fails for all EU customers", "bob", T0).Accepted!;

        Assert.Equal((Severity.High, to, expected, "checkout fails for all EU customers", "bob", T0), (change.From, change.To, change.Priority, change.Reason, change.By, change.At));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void AChangeNeedsAReason(string? reason) =>
        Assert.Equal("reason", SeverityChanges.Change(Severity.High, 1, Severity.Critical, reason, "bob", T0).Refused!.Field);

    [Fact]
    public void AskingForTheCurrentSeverityChangesNothing() =>
        Assert.False(SeverityChanges.Change(Severity.High, 1, Severity.High, "still high", "bob", T0).Accepted!.Changed);

    [Fact]
    public void TimeAtSeverityAddsEachPeriodUpToTheGivenTime()
    {
        var changes = new[] { Change(T0.AddMinutes(10), Severity.High, Severity.Critical), Change(T0.AddMinutes(40), Severity.Critical, Severity.Warning) };

        var time = SeverityChanges.TimeAtSeverity(Severity.High, T0, changes, T0.AddMinutes(100));

        Assert.Equal(TimeSpan.FromMinutes(10), time[Severity.High]);
        Assert.Equal(TimeSpan.FromMinutes(30), time[Severity.Critical]);
        Assert.Equal(TimeSpan.FromMinutes(60), time[Severity.Warning]);
        Assert.False(time.ContainsKey(Severity.Info));
    }

    [Fact]
    public void ASeverityHeldTwiceHasItsPeriodsAddedUpAndChangesLaterThanTheGivenTimeDoNotCountYet()
    {
        var changes = new[]
        {
            Change(T0.AddMinutes(50), Severity.Critical, Severity.High),
            Change(T0.AddMinutes(20), Severity.High, Severity.Critical),
            Change(T0.AddMinutes(90), Severity.High, Severity.Info),
        };

        var time = SeverityChanges.TimeAtSeverity(Severity.High, T0, changes, T0.AddMinutes(60));

        Assert.Equal(TimeSpan.FromMinutes(30), time[Severity.High]);
        Assert.Equal(TimeSpan.FromMinutes(30), time[Severity.Critical]);
        Assert.False(time.ContainsKey(Severity.Info));
    }

    [Fact]
    public void WithoutChangesAllTheTimeIsAtTheOpeningSeverity() =>
        Assert.Equal(TimeSpan.FromHours(2), Assert.Single(SeverityChanges.TimeAtSeverity(Severity.Warning, T0, [], T0.AddHours(2))).Value);
}
