using Grpc.Core;
using IncidentFunctions.Lifecycle;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Responding;

/// <summary>
/// Hands function classes the coordination seam for the Durable client their trigger bound, and starts an incident's
/// coordination when a responder acknowledges it (see <see cref="IAcknowledgedFollowUp"/>): from then on the incident is
/// worked, and its required roles, tasks and updates are reminded.
/// </summary>
public sealed class Coordinations : IAcknowledgedFollowUp
{
    public ICoordinationSignals For(DurableTaskClient client) => new DurableCoordination(client);

    public Task AcknowledgedAsync(DurableTaskClient client, string incidentId, CancellationToken ct) =>
        For(client).ChangedAsync(CoordinationOrchestration.Look(incidentId), ct);
}

/// <summary>
/// Starts or wakes an incident's coordination orchestration (<c>{id}:coordination</c>, see
/// <see cref="CoordinationOrchestration"/>): it delivers people's changes, publishes their lifecycle events and keeps
/// the reminders (roles, tasks, update cadence) on durable timers.
/// <list type="bullet">
/// <item>No run, or a finished one (the incident reached a final stage before this change): a new run starts with the
/// change as its input.</item>
/// <item>A running one is signalled. A signal can be lost twice over: raised while the run is only being created, or
/// to a run that ends before it takes the signal in. The first is caught by the run itself, which reads the incident
/// row (its revision and last change) as it begins; for the second, the run is asked once more after the signal, and
/// when it has ended without the change (its output is the highest revision it delivered), a new run takes it.</item>
/// </list>
/// </summary>
public sealed class DurableCoordination(DurableTaskClient client) : ICoordinationSignals
{
    // A live run is never replaced; a finished one is, by the next change.
    static readonly OrchestrationRuntimeStatus[] Live = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];

    /// <summary>Enough for starters racing each other; each pass either starts a run or signals a live one.</summary>
    const int MaxPasses = 4;

    public static string InstanceIdOf(string incidentId) => $"{incidentId}:coordination";

    public async Task ChangedAsync(CoordinationChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var instanceId = InstanceIdOf(change.IncidentId);
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct);
            if (instance is null || !Live.Contains(instance.RuntimeStatus))
            {
                if (await TryStartAsync(instanceId, change, ct))
                {
                    return;
                }

                continue;
            }

            if (!await TryRaiseAsync(instanceId, change, ct))
            {
                continue;
            }

            var after = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
            if (after is null || Live.Contains(after.RuntimeStatus) || TookIn(after, change))
            {
                return;
            }

            // It ended (a final stage) without taking this change in: start again with it.
        }

        throw new InvalidOperationException($"Could not start or signal the coordination of incident {change.IncidentId} after {MaxPasses} attempts.");
    }

    async Task<bool> TryStartAsync(string instanceId, CoordinationChange change, CancellationToken ct)
    {
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                CoordinationOrchestration.Name,
                CoordinationInput.Start(change),
                new StartOrchestrationOptions(instanceId).WithDedupeStatuses(Live),
                ct);
            return true;
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            return false;
        }
    }

    async Task<bool> TryRaiseAsync(string instanceId, CoordinationChange change, CancellationToken ct)
    {
        try
        {
            await client.RaiseEventAsync(instanceId, CoordinationOrchestration.Changed, change, ct);
            return true;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition)
        {
            // Azure Storage refuses an event for a run that has just finished or been purged: start one instead.
            return false;
        }
    }

    /// <summary>Whether a run that completed had nothing to take in from this change, or delivered it (its output says).</summary>
    static bool TookIn(OrchestrationMetadata ended, CoordinationChange change) =>
        ended.RuntimeStatus == OrchestrationRuntimeStatus.Completed
        && (!CoordinationOrchestration.HasDelivery(change) || ended.ReadOutputAs<DeliveredRevisions>() is { } delivered && delivered.Contains(change.Revision));

    static bool IsAlreadyExists(Exception e) => DurableIncidentLifecycle.IsAlreadyExists(e);
}
