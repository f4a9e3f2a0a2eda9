using IncidentFunctions.Model;
using IncidentFunctions.Paging;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

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

public sealed class LatePagesTests
{
    [Fact]
    public void TheFirstLatePageWarnsAtOnceAndABacklogWarnsOncePerIntervalWithItsCountAndWorst()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 3, 3, 0, 0, TimeSpan.Zero));
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var late = new LatePages(clock, loggers.CreateLogger<LatePages>());

        late.Record("INC-1", "page, level 2", TimeSpan.FromSeconds(3));
        for (var i = 0; i < 50; i++)
        {
            late.Record($"INC-{i + 2}", "page, level 2", TimeSpan.FromSeconds(i == 20 ? 95 : 4));
        }

        clock.Now += LatePages.Every;
        late.Record("INC-99", "page, level 1", TimeSpan.FromSeconds(6));

        var warnings = logs.Messages.Where(m => m.Level == LogLevel.Warning).Select(m => m.Text).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("1 page(s) late since the last warning, the worst 3.0 s", warnings[0]);
        Assert.Contains("51 page(s) late since the last warning, the worst 95.0 s", warnings[1]);
        Assert.Contains("INC-99", warnings[1]);
    }

    /// <summary>Work that can wait (history housekeeping) asks when a page last ran late, warned of or not.</summary>
    [Fact]
    public void TheLatestLatePageIsRememberedEvenWhenItsWarningIsHeldBack()
    {
        var start = new DateTimeOffset(2026, 12, 3, 3, 0, 0, TimeSpan.Zero);
        var clock = new ManualClock(start);
        using var loggers = LoggerFactory.Create(_ => { });
        var late = new LatePages(clock, loggers.CreateLogger<LatePages>());
        Assert.Null(late.LastLateAt);

        late.Record("INC-1", "page, level 1", TimeSpan.FromSeconds(3));
        clock.Now += TimeSpan.FromSeconds(4);
        late.Record("INC-2", "page, level 1", TimeSpan.FromSeconds(3));

        Assert.Equal(start.AddSeconds(4), late.LastLateAt);
    }
}
