using Grpc.Core;
using IncidentFunctions.Model;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Lifecycle;

public sealed class DurableIncidentLifecycle(DurableTaskClient client) : IIncidentLifecycle
{
    // Every status: an instance id that was ever used is never started again, whatever state it is in.
    static readonly OrchestrationRuntimeStatus[] NeverReplace = StartOrchestrationOptionsExtensions.ValidDedupeStatuses.ToArray();

    public async Task<bool> EnsureStartedAsync(string incidentId, CancellationToken ct)
    {
        if (await client.GetInstanceAsync(incidentId, getInputsAndOutputs: false, ct) is not null)
        {
            return false;
        }

        try
        {
            var options = new StartOrchestrationOptions(incidentId).WithDedupeStatuses(NeverReplace);
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(IncidentOrchestration.IncidentOrchestrator), new IncidentLifecycleInput(incidentId), options, ct);
            return true;
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            return false;
        }
    }

    public Task SignalAsync(string incidentId, LifecycleSignal signal, CancellationToken ct) =>
        client.RaiseEventAsync(incidentId, LifecycleSignals.Name, signal, ct);

    // Racing starters lose with AlreadyExists (gRPC) or the SDK's translation of it, depending on the backend.
    static bool IsAlreadyExists(Exception e) =>
        e is RpcException { StatusCode: StatusCode.AlreadyExists } ||
        e is InvalidOperationException && e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase) ||
        e.InnerException is not null && IsAlreadyExists(e.InnerException);
}
