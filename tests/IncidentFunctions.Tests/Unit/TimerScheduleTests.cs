using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Functions;
using Microsoft.Extensions.Configuration;

namespace IncidentFunctions.Tests.Unit;

/// <summary>Timer schedules as the dev host reads them: the Functions host's NCRONTAB with seconds, after %setting% references.</summary>
public sealed class TimerScheduleTests
{
    static readonly DateTime At = new(2026, 12, 3, 3, 6, 59, 500, DateTimeKind.Utc);

    static readonly FunctionDescriptor Housekeeping =
        new FunctionCatalog(typeof(IncidentServices).Assembly).Functions.Single(f => f.Name == nameof(HousekeepingFunctions.PurgeFinishedHistory));

    static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Fact]
    public void AnHourlyScheduleRunsAtItsMinuteEveryHourInUtc()
    {
        var schedule = TimerSchedule.Parse("0 7 * * * *");

        var next = schedule.NextAfter(At);
        Assert.Equal(new DateTime(2026, 12, 3, 3, 7, 0, DateTimeKind.Utc), next);
        Assert.Equal(DateTimeKind.Utc, next.Kind);
        Assert.Equal(new DateTime(2026, 12, 3, 4, 7, 0, DateTimeKind.Utc), schedule.NextAfter(next));
    }

    [Fact]
    public void AScheduleWithSecondsTicksEverySecondAndNeverAtTheInstantGiven()
    {
        var schedule = TimerSchedule.Parse("*/1 * * * * *");

        Assert.Equal(new DateTime(2026, 12, 3, 3, 7, 0, DateTimeKind.Utc), schedule.NextAfter(At));
        Assert.Equal(new DateTime(2026, 12, 3, 3, 7, 1, DateTimeKind.Utc), schedule.NextAfter(new DateTime(2026, 12, 3, 3, 7, 0, DateTimeKind.Utc)));
    }

    /// <summary>Five fields is the common cron mistake: the Functions host wants seconds first.</summary>
    [Fact]
    public void AFiveFieldCronIsRefusedSayingWhatAScheduleLooksLike()
    {
        var error = Assert.Throws<FormatException>(() => TimerSchedule.Parse("7 * * * *"));

        Assert.Contains("six fields, seconds first", error.Message, StringComparison.Ordinal);
        Assert.Contains("'0 7 * * * *' (every hour at minute 7)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATimeSpanScheduleIsRefusedAsOnTheFlexConsumptionPlan() =>
        Assert.Contains("App Service plans", Assert.Throws<FormatException>(() => TimerSchedule.Parse("00:05:00")).Message, StringComparison.Ordinal);

    [Fact]
    public void EverySettingReferenceIsReplacedByItsValue() =>
        Assert.Equal(
            "incidents-eu-poison",
            AppSettingExpressions.Resolve("%Queues:Prefix%-%Queues:Region%-poison", Settings(("Queues:Prefix", "incidents"), ("Queues:Region", "eu"))));

    [Fact]
    public void AValueWithoutAReferenceIsTakenAsItIs() =>
        Assert.Equal(QueueNames.Alerts, AppSettingExpressions.Resolve(QueueNames.Alerts, Settings()));

    [Fact]
    public void TheHousekeepingScheduleComesFromItsSettingSoATestCanRunItEverySecond()
    {
        var schedule = TimerSchedule.Of(Housekeeping, Settings((Schedules.HousekeepingSetting, "*/1 * * * * *")));

        Assert.Equal("*/1 * * * * *", schedule.Expression);
        Assert.Equal(At.AddMilliseconds(500), schedule.NextAfter(At));
    }

    /// <summary>A timer that cannot run stops the dev host's start with one line naming the function and the setting.</summary>
    [Theory]
    [InlineData(null, "names the setting Housekeeping:Schedule, which is not set (as an environment variable or app setting: Housekeeping__Schedule)")]
    [InlineData("", "names the setting Housekeeping:Schedule, which is not set")]
    [InlineData("0 7 * * *", "is not an NCRONTAB schedule of six fields")]
    public void AHousekeepingScheduleThatCannotRunRefusesTheStartNamingTheFunction(string? value, string expected)
    {
        var settings = value is null ? Settings() : Settings((Schedules.HousekeepingSetting, value));

        var error = Assert.Throws<DevHostStartException>(() => TimerSchedule.Of(Housekeeping, settings));

        Assert.StartsWith($"Function {nameof(HousekeepingFunctions.PurgeFinishedHistory)} has no schedule it can run on: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
