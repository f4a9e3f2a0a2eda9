namespace IncidentFunctions.Coordination;

/// <summary>
/// A reminder series: the first reminder at <see cref="Start"/>, then one every <see cref="Every"/>. Kept to whole slots so
/// that reminders are stateless: the slot due now is the last one at or before now, and its time names it.
/// </summary>
internal readonly record struct ReminderSlots(DateTimeOffset Start, TimeSpan Every)
{
    /// <summary>The number and time of the last slot at or before <paramref name="now"/>, if the series has begun.</summary>
    public (long Number, DateTimeOffset At)? LastAtOrBefore(DateTimeOffset now)
    {
        if (now < Start)
        {
            return null;
        }

        var number = (now - Start).Ticks / Every.Ticks;
        return (number, Start + TimeSpan.FromTicks(number * Every.Ticks));
    }

    /// <summary>The first slot after <paramref name="now"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset now) =>
        LastAtOrBefore(now) is { } last ? last.At + Every : Start;
}
