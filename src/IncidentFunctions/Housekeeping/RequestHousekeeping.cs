using IncidentFunctions.Http;
using IncidentFunctions.Paging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Housekeeping;

/// <summary>
/// Deletes idempotency records past their day (<see cref="IdempotentRequests.KeptFor"/>): Table Storage has no expiry
/// of its own, and a key older than that is answered as new anyway. Stands aside for late pages as history
/// housekeeping does.
/// </summary>
public sealed partial class RequestHousekeeping(
    IdempotentRequests requests, IOptions<HousekeepingOptions> options, LatePages latePages, TimeProvider time, ILogger<RequestHousekeeping> logger)
{
    /// <summary>One delete each; an hourly run of this many keeps up with more than a POST a second with a key.</summary>
    public const int MaxDeletedPerRun = 5_000;

    public async Task<int> PurgeExpiredAsync(CancellationToken ct)
    {
        var startedAt = time.GetUtcNow();
        if (HistoryHousekeeping.PostponedBy(latePages.LastLateAt, startedAt, options.Value.PostponeAfterLatePage) is { } ago)
        {
            LogPostponed(logger, ago.TotalSeconds);
            return 0;
        }

        var deleted = await requests.PurgeExpiredAsync(MaxDeletedPerRun, () => latePages.LastLateAt > startedAt, ct);
        if (deleted > 0)
        {
            LogDeleted(logger, deleted);
        }

        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request housekeeping postponed: pages ran late {SecondsAgo:0} s ago")]
    static partial void LogPostponed(ILogger logger, double secondsAgo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request housekeeping deleted {Count} expired idempotency record(s)")]
    static partial void LogDeleted(ILogger logger, int count);
}
