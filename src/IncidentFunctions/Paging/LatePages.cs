using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Paging;

/// <summary>
/// Warns when pages go out late (see <see cref="Lateness"/>), with the figures: the first late page at once, then at
/// most one warning every <see cref="Every"/> that counts the late pages since the last one and the worst of them. A
/// backlog of thousands of pages is then a few lines an operator can read, not thousands.
/// </summary>
public sealed partial class LatePages(TimeProvider time, ILogger<LatePages> logger)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    readonly Lock gate = new();
    DateTimeOffset? warnedAt;
    DateTimeOffset? lastLateAt;
    int count;
    TimeSpan worst;

    /// <summary>
    /// When a page last went out late in this process; null if none has. Work that can wait (history housekeeping)
    /// reads it to stay out of the way while the system is behind: due pages go first (issue 14).
    /// </summary>
    public DateTimeOffset? LastLateAt
    {
        get
        {
            lock (gate)
            {
                return lastLateAt;
            }
        }
    }

    public void Record(string incidentId, string notification, TimeSpan late)
    {
        int pages;
        TimeSpan worstSince;
        lock (gate)
        {
            count++;
            worst = late > worst ? late : worst;
            var now = time.GetUtcNow();
            lastLateAt = now;
            if (warnedAt is { } last && now - last < Every)
            {
                return;
            }

            (pages, worstSince, warnedAt, count, worst) = (count, worst, now, 0, TimeSpan.Zero);
        }

        LogLate(logger, pages, worstSince.TotalSeconds, incidentId, notification, late.TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Escalations are running late: {Pages} page(s) late since the last warning, the worst {WorstSeconds:0.0} s; latest incident {IncidentId}, {Notification}, {LateSeconds:0.0} s late")]
    static partial void LogLate(ILogger logger, int pages, double worstSeconds, string incidentId, string notification, double lateSeconds);
}
