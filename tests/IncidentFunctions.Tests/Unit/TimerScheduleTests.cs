using IncidentFunctions.DevHost.Functions;
using Microsoft.Extensions.Configuration;

namespace IncidentFunctions.Tests.Unit;

/// <summary>Timer schedules as the dev host reads them: the Functions host's NCRONTAB with seconds, after %setting% references.</summary>
public sealed class TimerScheduleTests
{
    static readonly DateTime At = new(2026, 12, 3, 3, 6, 59, 500, DateTimeKind.Utc);

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
}
