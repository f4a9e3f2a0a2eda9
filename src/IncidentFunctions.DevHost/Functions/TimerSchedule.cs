using System.Globalization;
using IncidentFunctions.DevHost.Local;
using NCrontab;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// A timer function's schedule as the Functions host reads it: %setting% references resolved from configuration, then
/// an NCRONTAB expression of six fields, seconds first ("0 7 * * * *" is every hour at minute 7), parsed by the library
/// the Functions host uses. Occurrences are in UTC, the time zone of Functions in Azure unless WEBSITE_TIME_ZONE is set.
/// </summary>
public sealed class TimerSchedule
{
    static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };

    readonly CrontabSchedule cron;

    TimerSchedule(string expression, CrontabSchedule cron)
    {
        Expression = expression;
        this.cron = cron;
    }

    /// <summary>The expression after resolving settings.</summary>
    public string Expression { get; }

    /// <summary>The first occurrence strictly after <paramref name="utc"/>.</summary>
    public DateTime NextAfter(DateTime utc) => DateTime.SpecifyKind(cron.GetNextOccurrence(utc), DateTimeKind.Utc);

    /// <summary>Parses an expression, or throws a <see cref="FormatException"/> that says what a schedule looks like.</summary>
    public static TimerSchedule Parse(string expression)
    {
        if (expression.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out _))
        {
            throw new FormatException(
                $"'{expression}' is a TimeSpan schedule, which the Functions host runs only on App Service plans, not on the Flex " +
                "Consumption plan this app deploys to; write it in NCRONTAB, such as '0 */5 * * * *' for every five minutes.");
        }

        try
        {
            return new TimerSchedule(expression, CrontabSchedule.Parse(expression, WithSeconds));
        }
        catch (CrontabException e)
        {
            throw new FormatException(
                $"'{expression}' is not an NCRONTAB schedule of six fields, seconds first, such as '0 7 * * * *' (every hour at minute 7): {e.Message}", e);
        }
    }

    /// <summary>The schedule a timer function's attribute names, resolved; a start-up refusal naming the function if it cannot run.</summary>
    public static TimerSchedule Of(FunctionDescriptor function, IConfiguration configuration)
    {
        try
        {
            return Parse(AppSettingExpressions.Resolve(function.Timer.Schedule, configuration));
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new DevHostStartException($"Function {function.Name} has no schedule it can run on: {e.Message}");
        }
    }
}
