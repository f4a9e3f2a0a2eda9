using IncidentFunctions.Model;
using IncidentFunctions.Paging;

namespace IncidentFunctions.Tests.Unit;

public sealed class LatenessTests
{
    static readonly DateTimeOffset Due = new(2026, 12, 3, 3, 0, 0, TimeSpan.Zero);

    static NotifyRequest Page(DateTimeOffset? dueAt) => new("INC-1", "n", NotificationKind.Page, 2, [], Due, DueAt: dueAt);

    [Fact]
    public void APageUnderTheThresholdIsOnTimeAndOneAtItIsLate()
    {
        Assert.Null(Lateness.Of(Page(Due), Due + Lateness.Threshold - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(Lateness.Threshold, Lateness.Of(Page(Due), Due + Lateness.Threshold));
    }

    [Fact]
    public void ANotificationWithoutADueTimeIsNeverLate() =>
        Assert.Null(Lateness.Of(Page(null), Due.AddHours(1)));

    [Theory]
    [InlineData(7.9, "7 s")]
    [InlineData(184, "3 min 4 s")]
    [InlineData(7500, "2 h 5 min")]
    public void LatenessReadsAsPeopleSayIt(double seconds, string expected) =>
        Assert.Equal(expected, Lateness.Describe(TimeSpan.FromSeconds(seconds)));
}
