using IncidentFunctions.Paging;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Housekeeping;

/// <summary>
/// Purges the Durable history of orchestrations that finished (completed, failed or terminated) more than
/// <see cref="HousekeepingOptions.KeepFinishedFor"/> ago. The incident row and its timeline are the incident's record,
/// and nothing reads a finished orchestration; its history only makes the task hub's History and Instances tables
/// grow, which on Azurite (every query scans a whole table) slows every episode of every other orchestration.
/// Due pages go first (issue 14): a run is postponed while pages have been late lately, and stops early if one goes
/// late while it runs.
/// </summary>
public sealed partial class HistoryHousekeeping(
    IOptions<HousekeepingOptions> options, LatePages latePages, TimeProvider time, ILogger<HistoryHousekeeping> logger)
{
    /// <summary>The statuses of an orchestration that will never run again; no other is ever purged.</summary>
    public static readonly IReadOnlyList<OrchestrationRuntimeStatus> Finished =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    const int QueryPageSize = 100;

    /// <summary>Purges what is due, at most <see cref="HousekeepingOptions.MaxPurgedPerRun"/> instances; returns how many.</summary>
    public async Task<int> PurgeFinishedAsync(DurableTaskClient client, CancellationToken ct)
    {
        var settings = options.Value;
        var startedAt = time.GetUtcNow();
        if (PostponedBy(latePages.LastLateAt, startedAt, settings.PostponeAfterLatePage) is { } ago)
        {
            LogPostponed(logger, ago.TotalSeconds);
            return 0;
        }

        // The query can filter on when an orchestration was created, not on when it finished: finished before the cutoff
        // is checked per instance, for an incident that opened long ago and resolved a minute ago.
        var cutoff = startedAt - settings.KeepFinishedFor;
        var query = new OrchestrationQuery(CreatedTo: cutoff, Statuses: Finished, PageSize: Math.Min(settings.MaxPurgedPerRun, QueryPageSize));
        var purged = 0;
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(ct))
        {
            if (purged >= settings.MaxPurgedPerRun)
            {
                LogCapped(logger, purged);
                break;
            }

            if (latePages.LastLateAt > startedAt)
            {
                LogYielded(logger, purged);
                return purged;
            }

            if (IsDue(instance, cutoff))
            {
                purged += (await client.PurgeInstanceAsync(instance.InstanceId, ct)).PurgedInstanceCount;
            }
        }

        if (purged > 0)
        {
            LogPurged(logger, purged, settings.KeepFinishedFor);
        }

        return purged;
    }

    /// <summary>
    /// How long ago a page went out late, when that is within <paramref name="postponeAfter"/> and housekeeping should
    /// wait; null when it may run.
    /// </summary>
    public static TimeSpan? PostponedBy(DateTimeOffset? lastLatePageAt, DateTimeOffset now, TimeSpan postponeAfter) =>
        lastLatePageAt is { } late && postponeAfter > TimeSpan.Zero && now - late < postponeAfter ? (now - late).Duration() : null;

    /// <summary>
    /// Whether an instance's history may go: finished, and last updated (finished) at or before the cutoff. Checked here
    /// as well as in the query, so that a backend that ignored the query's status filter could still never lose the
    /// history of a running, pending or suspended orchestration.
    /// </summary>
    public static bool IsDue(OrchestrationMetadata instance, DateTimeOffset cutoff) =>
        Finished.Contains(instance.RuntimeStatus) && instance.LastUpdatedAt <= cutoff;

    [LoggerMessage(Level = LogLevel.Information, Message = "History housekeeping postponed: pages ran late {SecondsAgo:0} s ago")]
    static partial void LogPostponed(ILogger logger, double secondsAgo);

    [LoggerMessage(Level = LogLevel.Information, Message = "History housekeeping stopped after {Count} purge(s): a page ran late during the run")]
    static partial void LogYielded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "History housekeeping reached its cap of {Count} purge(s) per run; the rest waits for the next run")]
    static partial void LogCapped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "History housekeeping purged the Durable history of {Count} orchestration(s) finished more than {KeepFinishedFor} ago")]
    static partial void LogPurged(ILogger logger, int count, TimeSpan keepFinishedFor);
}
