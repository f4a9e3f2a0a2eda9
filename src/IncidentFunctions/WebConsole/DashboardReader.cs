using IncidentFunctions.Access;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Policy;

namespace IncidentFunctions.WebConsole;

/// <summary>
/// What the dashboard shows a viewer: the open and acknowledged incidents, read on every request (one small query
/// each), and the incidents of the dashboard's longest period, read from the status index and kept by this instance for
/// <see cref="KeptFor"/>. Reading 90 days means reading every index row of those days (10,000 rows took about half a
/// second on Azurite, see docs/console.md); the weeks it feeds change slowly and a minute late is fine for leadership,
/// so the rows are read at most once a minute per instance, by one request while the others wait for it. What is kept
/// is the rows, not the figures: each viewer's figures are computed from them per request with their own access, so a
/// restricted incident never counts for someone who may not see it. The open incidents are not kept: they are read on
/// every request, so the "now" part of the dashboard is current.
/// </summary>
public sealed class DashboardReader(IncidentStore incidents, IncidentListReader list, PolicyProvider policy, TimeProvider time)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(1);

    public async Task<DashboardFigures> FiguresAsync(Caller viewer, int days, CancellationToken ct)
    {
        var active = list.ActiveAsync(ct);
        var period = OpenedInLastAsync(days, ct);
        return DashboardFigures.Of(days, time.GetUtcNow(), viewer, (await active).Incidents, await period, policy.Current.Response);
    }

    readonly SemaphoreSlim reading = new(1, 1);
    volatile Snapshot? kept;

    /// <summary>The incidents opened in the last <paramref name="days"/> days or a little more (never fewer), as read at most <see cref="KeptFor"/> ago.</summary>
    public async Task<IReadOnlyList<ListedIncident>> OpenedInLastAsync(int days, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (Fresh(kept, days, now) is { } fresh)
        {
            return fresh;
        }

        await reading.WaitAsync(ct);
        try
        {
            if (Fresh(kept, days, now) is { } readMeanwhile)
            {
                return readMeanwhile;
            }

            var longest = Math.Max(days, DashboardFigures.Periods.Max());
            var rows = await incidents.ListOpenedSinceAsync(IndexEntity.All, now.AddDays(-longest), ct);
            kept = new Snapshot(now, longest, rows);
            return rows;
        }
        finally
        {
            reading.Release();
        }
    }

    static IReadOnlyList<ListedIncident>? Fresh(Snapshot? snapshot, int days, DateTimeOffset now) =>
        snapshot is not null && now - snapshot.ReadAt < KeptFor && snapshot.Days >= days ? snapshot.Rows : null;

    sealed record Snapshot(DateTimeOffset ReadAt, int Days, IReadOnlyList<ListedIncident> Rows);
}
