using IncidentFunctions.Housekeeping;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Functions;

/// <summary>Upkeep on a timer (<see cref="Schedules"/>). Only binds and delegates.</summary>
public sealed class HousekeepingFunctions(HistoryHousekeeping history, RequestHousekeeping requests)
{
    [Function(nameof(PurgeFinishedHistory))]
    public Task PurgeFinishedHistory(
        [TimerTrigger(Schedules.Housekeeping)] TimerInfo timer,
        [DurableClient] DurableTaskClient durableClient,
        CancellationToken cancellationToken) =>
        history.PurgeFinishedAsync(durableClient, cancellationToken);

    [Function(nameof(PurgeExpiredRequests))]
    public Task PurgeExpiredRequests(
        [TimerTrigger(Schedules.Housekeeping)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        requests.PurgeExpiredAsync(cancellationToken);
}
