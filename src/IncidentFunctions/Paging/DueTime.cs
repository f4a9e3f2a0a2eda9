namespace IncidentFunctions.Paging;

/// <summary>
/// A page is never sent before it is due, and its due time is kept without spinning the orchestration.
/// <para>
/// A durable timer on Azure Storage fires up to a second early: the provider delays the timer's queue message by the
/// time left, and a queue delay is whole seconds, rounded down. Re-arming for the rest (under a second, so no delay at
/// all) fired again at once, one orchestration episode (a history read, a queue round trip) after another until the
/// clock passed the due time: measured, about six timers per wait and a third of the task hub's storage requests.
/// </para>
/// <para>
/// So an escalation goes on once its timer has fired within <see cref="EarlyAllowance"/> of the due time, and the
/// activity that pages waits out the rest in process (<see cref="Remaining"/>), one Task.Delay instead of a queue loop.
/// </para>
/// </summary>
public static class DueTime
{
    /// <summary>How early a timer may fire and still count as due: the queue's whole second, and some clock slack.</summary>
    public static readonly TimeSpan EarlyAllowance = TimeSpan.FromSeconds(2);

    /// <summary>True when a timer for <paramref name="due"/> that fired at <paramref name="now"/> can be acted on.</summary>
    public static bool Reached(DateTimeOffset now, DateTimeOffset due) => now >= due - EarlyAllowance;

    /// <summary>
    /// How long a page due at <paramref name="due"/> must still wait at <paramref name="now"/>: zero when due (or
    /// without a due time), and never more than <see cref="EarlyAllowance"/>, so a wrong due time cannot hold a page.
    /// </summary>
    public static TimeSpan Remaining(DateTimeOffset now, DateTimeOffset? due) =>
        due is { } at && at > now ? (at - now < EarlyAllowance ? at - now : EarlyAllowance) : TimeSpan.Zero;

    /// <summary>
    /// Where to re-arm a timer for <paramref name="due"/> that fired too early to act on: a second past it. The queue
    /// delay for that is over a second, rounded down to whole seconds, so it fires at or after <paramref name="due"/>,
    /// once, instead of firing again at once.
    /// </summary>
    public static DateTimeOffset Rearm(DateTimeOffset due) => due.AddSeconds(1);
}
