using Microsoft.Extensions.Options;

namespace IncidentFunctions.Housekeeping;

/// <summary>
/// Bound from the "Housekeeping" section (Housekeeping__KeepFinishedFor, __MaxPurgedPerRun, __PostponeAfterLatePage).
/// The schedule is not here: the host reads it for the timer trigger (<see cref="Schedules.HousekeepingSetting"/>).
/// </summary>
public sealed class HousekeepingOptions
{
    public const string Section = "Housekeeping";
    public const int MaxMaxPurgedPerRun = 10_000;
    public static readonly TimeSpan DefaultKeepFinishedFor = TimeSpan.FromDays(1);
    public static readonly TimeSpan DefaultPostponeAfterLatePage = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an incident's Durable history is kept after its orchestration finished: long enough to look at how a
    /// fresh incident ran, short enough that the task hub's tables stay small. Zero purges at the next run.
    /// </summary>
    public TimeSpan KeepFinishedFor { get; set; } = DefaultKeepFinishedFor;

    /// <summary>
    /// The most instances one run purges; the rest wait for the next run. Each purge deletes an instance's rows one
    /// batch at a time, so this bounds the storage requests a run adds.
    /// </summary>
    public int MaxPurgedPerRun { get; set; } = 500;

    /// <summary>A run is postponed while a page went out late within this long; zero never postpones.</summary>
    public TimeSpan PostponeAfterLatePage { get; set; } = DefaultPostponeAfterLatePage;
}

/// <summary>Checked on start. Messages name the setting and say what it takes.</summary>
public sealed class HousekeepingOptionsValidator : IValidateOptions<HousekeepingOptions>
{
    public ValidateOptionsResult Validate(string? name, HousekeepingOptions options)
    {
        const string s = HousekeepingOptions.Section;
        var failures = new List<string>();
        if (options.KeepFinishedFor < TimeSpan.Zero)
        {
            failures.Add($"{s}:KeepFinishedFor must be zero or more, as days.hours:minutes:seconds (default {HousekeepingOptions.DefaultKeepFinishedFor:c}, one day).");
        }

        if (options.MaxPurgedPerRun is < 1 or > HousekeepingOptions.MaxMaxPurgedPerRun)
        {
            failures.Add($"{s}:MaxPurgedPerRun must be between 1 and {HousekeepingOptions.MaxMaxPurgedPerRun}: the most finished orchestrations one run purges.");
        }

        if (options.PostponeAfterLatePage < TimeSpan.Zero || options.PostponeAfterLatePage > TimeSpan.FromDays(1))
        {
            failures.Add($"{s}:PostponeAfterLatePage must be from 00:00:00 (never postpone) to 1.00:00:00 (default {HousekeepingOptions.DefaultPostponeAfterLatePage:c}).");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
