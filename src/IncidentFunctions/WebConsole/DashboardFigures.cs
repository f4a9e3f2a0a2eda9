using IncidentFunctions.Access;
using IncidentFunctions.Coordination;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// One week of the dashboard (weeks start on Monday, UTC; an incident counts in the week it opened): how many
/// incidents opened, and the time to acknowledge and to resolve of those that were, as median and 90th percentile.
/// </summary>
public sealed record WeekFigures(
    DateOnly WeekOf, int Opened, int Acknowledged, TimeSpan? AcknowledgeMedian, TimeSpan? AcknowledgeP90, int Resolved, TimeSpan? ResolveMedian, TimeSpan? ResolveP90);

/// <summary>An incident whose next update for an audience is overdue, by the communication protocol, since <see cref="DueAt"/>.</summary>
public sealed record CadenceBreach(IncidentSummary Incident, UpdateAudience Audience, DateTimeOffset DueAt);

/// <summary>
/// What the leadership dashboard shows a viewer, from the incidents they may see: the open ones (open or acknowledged)
/// by priority and by service, the weeks of the period, and the open incidents whose update is overdue now.
/// Declined and merged incidents are left out of the weeks: they were not incidents, or are counted in another.
/// </summary>
public sealed record DashboardFigures(
    int Days,
    DateTimeOffset At,
    int Open,
    IReadOnlyList<(Priority? Priority, int Count)> OpenByPriority,
    IReadOnlyList<(string Service, int Count)> OpenByService,
    IReadOnlyList<WeekFigures> Weeks,
    int LeftOut,
    IReadOnlyList<CadenceBreach> Breaches)
{
    /// <summary>The periods the dashboard offers, in days; the first is the default.</summary>
    public static readonly IReadOnlyList<int> Periods = [30, 90];

    /// <summary>
    /// <paramref name="active"/>: the open and acknowledged incidents; <paramref name="history"/>: the incidents opened
    /// in at least the last <paramref name="days"/> days (more is cut here). Both before the viewer's access is applied.
    /// </summary>
    public static DashboardFigures Of(
        int days, DateTimeOffset now, Caller viewer, IEnumerable<ListedIncident> active, IEnumerable<ListedIncident> history, ResponsePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        ArgumentNullException.ThrowIfNull(policy);
        var open = active.Where(i => i.Summary.Status != IncidentStatus.Resolved && IncidentAccess.CanSee(viewer, IncidentAccessFacts.Of(i))).ToList();
        var since = now.AddDays(-days);
        var period = history.Where(i => i.Summary.OpenedAt >= since && i.Summary.OpenedAt <= now && IncidentAccess.CanSee(viewer, IncidentAccessFacts.Of(i))).ToList();
        var counted = period.Where(i => Counts(i.Summary)).Select(i => i.Summary).ToList();
        return new(
            days,
            now,
            open.Count,
            [.. open.GroupBy(i => i.Summary.Priority).OrderBy(g => g.Key ?? (Priority)int.MaxValue).Select(g => (g.Key, g.Count()))],
            [.. open.GroupBy(i => i.Summary.Service ?? "not routed").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Count()))],
            WeeksOf(counted, since, now),
            period.Count - counted.Count,
            [.. open.SelectMany(i => BreachesOf(i, policy, now)).OrderBy(b => b.DueAt)]);
    }

    /// <summary>Whether an incident counts in the weeks: not declined (not an incident) and not merged (counted in the one it joined).</summary>
    public static bool Counts(IncidentSummary incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return incident.Stage is not (Stage.Declined or Stage.Merged);
    }

    /// <summary>Every week from the one <paramref name="since"/> falls in to the current one, empty weeks included.</summary>
    public static IReadOnlyList<WeekFigures> WeeksOf(IReadOnlyList<IncidentSummary> incidents, DateTimeOffset since, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        var byWeek = incidents.ToLookup(i => WeekOf(i.OpenedAt));
        var weeks = new List<WeekFigures>();
        for (var week = WeekOf(since); week <= WeekOf(now); week = week.AddDays(7))
        {
            var opened = byWeek[week].ToList();
            var acknowledge = opened.Where(i => i.AcknowledgedAt is not null).Select(i => i.AcknowledgedAt!.Value - i.OpenedAt).Order().ToList();
            var resolve = opened.Where(i => i.ResolvedAt is not null).Select(i => i.ResolvedAt!.Value - i.OpenedAt).Order().ToList();
            weeks.Add(new WeekFigures(
                week, opened.Count,
                acknowledge.Count, Percentile(acknowledge, 50), Percentile(acknowledge, 90),
                resolve.Count, Percentile(resolve, 50), Percentile(resolve, 90)));
        }

        return weeks;
    }

    /// <summary>The Monday (UTC) of the week a time falls in.</summary>
    public static DateOnly WeekOf(DateTimeOffset at)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    /// <summary>
    /// The <paramref name="percent"/>th percentile of durations sorted ascending, interpolated between the two nearest
    /// ranks (as a spreadsheet's PERCENTILE.INC: the median of 1, 2, 3 and 4 minutes is 2.5); null when there are none.
    /// </summary>
    public static TimeSpan? Percentile(IReadOnlyList<TimeSpan> sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = percent / 100 * (sorted.Count - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((sorted[above] - sorted[below]) * (rank - below));
    }

    /// <summary>The audiences whose next update is overdue now, by the same rule the reminders follow (<see cref="UpdateCadence"/>).</summary>
    public static IEnumerable<CadenceBreach> BreachesOf(ListedIncident incident, ResponsePolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(incident);
        if (incident.Response is not { } response)
        {
            yield break;
        }

        var summary = incident.Summary;
        foreach (var (audience, last) in new[] { (UpdateAudience.Internal, response.InternalUpdates), (UpdateAudience.Stakeholders, response.StakeholderUpdates) })
        {
            if (UpdateCadence.Next(policy, summary.Priority ?? Priority.P4, summary.Stage, summary.OpenedAt, audience, last, now) is { Overdue: true } due)
            {
                yield return new CadenceBreach(summary, audience, due.DueAt);
            }
        }
    }
}
