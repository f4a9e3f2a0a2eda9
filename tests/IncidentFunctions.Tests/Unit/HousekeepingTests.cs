using IncidentFunctions.Housekeeping;
using IncidentFunctions.Paging;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Unit;

/// <summary>What history housekeeping purges, and when it stands aside for pages.</summary>
public sealed class HousekeepingTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 3, 3, 7, 0, TimeSpan.Zero);
    static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    [Fact]
    public void HousekeepingRunsWhenNoPageWasLate() =>
        Assert.Null(HistoryHousekeeping.PostponedBy(lastLatePageAt: null, Now, FiveMinutes));

    [Fact]
    public void HousekeepingIsPostponedWhileAPageWasLateWithinThePeriodAndSaysHowLongAgo() =>
        Assert.Equal(TimeSpan.FromSeconds(30), HistoryHousekeeping.PostponedBy(Now.AddSeconds(-30), Now, FiveMinutes));

    [Fact]
    public void HousekeepingRunsAgainOnceThePeriodAfterTheLastLatePageHasPassed() =>
        Assert.Null(HistoryHousekeeping.PostponedBy(Now - FiveMinutes, Now, FiveMinutes));

    [Fact]
    public void APeriodOfZeroNeverPostpones() =>
        Assert.Null(HistoryHousekeeping.PostponedBy(Now, Now, TimeSpan.Zero));

    [Theory]
    [InlineData(OrchestrationRuntimeStatus.Completed, true)]
    [InlineData(OrchestrationRuntimeStatus.Failed, true)]
    [InlineData(OrchestrationRuntimeStatus.Terminated, true)]
    [InlineData(OrchestrationRuntimeStatus.Running, false)]
    [InlineData(OrchestrationRuntimeStatus.Pending, false)]
    [InlineData(OrchestrationRuntimeStatus.Suspended, false)]
    public void OnlyAnOrchestrationThatFinishedIsEverPurged(OrchestrationRuntimeStatus status, bool purged) =>
        Assert.Equal(purged, HistoryHousekeeping.IsDue(Instance(status, lastUpdatedAt: Now.AddDays(-30)), Now));

    [Fact]
    public void ThoseEverPurgedAreExactlyTheFinishedStatuses() =>
        Assert.Equal(
            Enum.GetValues<OrchestrationRuntimeStatus>().Where(s => HistoryHousekeeping.IsDue(Instance(s, Now), Now)).Order(),
            HistoryHousekeeping.Finished.Order());

    /// <summary>An incident that opened long ago but resolved a moment ago keeps its history for the whole period.</summary>
    [Fact]
    public void AnOrchestrationThatFinishedWithinThePeriodIsKept() =>
        Assert.False(HistoryHousekeeping.IsDue(Instance(OrchestrationRuntimeStatus.Completed, lastUpdatedAt: Now.AddSeconds(1)), Now));

    /// <summary>Postponed, the run never reaches the task hub: the client here is null and would throw if used.</summary>
    [Fact]
    public async Task APostponedRunPurgesNothingAndSaysWhyAtInformation()
    {
        var clock = new ManualClock(Now);
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var late = new LatePages(clock, loggers.CreateLogger<LatePages>());
        late.Record("INC-1", "page, level 2", TimeSpan.FromSeconds(40));
        clock.Now += TimeSpan.FromSeconds(90);
        var housekeeping = new HistoryHousekeeping(Options.Create(new HousekeepingOptions()), late, clock, loggers.CreateLogger<HistoryHousekeeping>());

        Assert.Equal(0, await housekeeping.PurgeFinishedAsync(client: null!, CancellationToken.None));

        Assert.Contains((LogLevel.Information, "History housekeeping postponed: pages ran late 90 s ago"), logs.Messages);
    }

    [Fact]
    public void TheDefaultsKeepADayPurgeAtMost500AndWaitFiveMinutesAfterALatePage()
    {
        using var services = Services();
        services.GetRequiredService<IStartupValidator>().Validate();

        var options = services.GetRequiredService<IOptions<HousekeepingOptions>>().Value;
        Assert.Equal((TimeSpan.FromDays(1), 500, FiveMinutes), (options.KeepFinishedFor, options.MaxPurgedPerRun, options.PostponeAfterLatePage));
    }

    [Fact]
    public void SettingsAreReadFromTheHousekeepingSection()
    {
        using var services = Services(("Housekeeping__KeepFinishedFor", "00:00:00"), ("Housekeeping__MaxPurgedPerRun", "10"), ("Housekeeping__PostponeAfterLatePage", "00:00:00"));
        services.GetRequiredService<IStartupValidator>().Validate();

        var options = services.GetRequiredService<IOptions<HousekeepingOptions>>().Value;
        Assert.Equal((TimeSpan.Zero, 10, TimeSpan.Zero), (options.KeepFinishedFor, options.MaxPurgedPerRun, options.PostponeAfterLatePage));
    }

    [Theory]
    [InlineData("Housekeeping__KeepFinishedFor", "-00:00:01", "Housekeeping:KeepFinishedFor must be zero or more")]
    [InlineData("Housekeeping__MaxPurgedPerRun", "0", "Housekeeping:MaxPurgedPerRun must be between 1 and 10000")]
    [InlineData("Housekeeping__MaxPurgedPerRun", "10001", "Housekeeping:MaxPurgedPerRun must be between 1 and 10000")]
    [InlineData("Housekeeping__PostponeAfterLatePage", "-00:01:00", "Housekeeping:PostponeAfterLatePage must be from 00:00:00")]
    [InlineData("Housekeeping__PostponeAfterLatePage", "2.00:00:00", "Housekeeping:PostponeAfterLatePage must be from 00:00:00")]
    public void ABadSettingStopsTheStartNamingItself(string key, string value, string expected)
    {
        using var services = Services((key, value));

        Assert.Contains(expected, StartupSettings.Failure(services), StringComparison.Ordinal);
    }

    static ServiceProvider Services(params (string Key, string? Value)[] changes) =>
        StartupSettings.Services((services, configuration) => services.AddHousekeeping(configuration), new Dictionary<string, string?>(), changes);

    static OrchestrationMetadata Instance(OrchestrationRuntimeStatus status, DateTimeOffset lastUpdatedAt) =>
        new("IncidentOrchestrator", "INC-20261203-7K3QX9MD") { RuntimeStatus = status, CreatedAt = lastUpdatedAt.AddHours(-1), LastUpdatedAt = lastUpdatedAt };
}
