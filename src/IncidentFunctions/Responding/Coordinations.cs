using Microsoft.DurableTask.Client;

namespace IncidentFunctions.Responding;

/// <summary>Hands function classes the coordination seam for the Durable client their trigger bound.</summary>
public sealed class Coordinations
{
    public ICoordinationSignals For(DurableTaskClient client) => new DurableCoordination(client);
}

/// <summary>
/// Starts or wakes an incident's coordination orchestration (<c>{id}:coordination</c>): it publishes the lifecycle
/// events of people's changes and keeps the reminders (roles, tasks, update cadence) on durable timers.
/// </summary>
public sealed class DurableCoordination(DurableTaskClient client) : ICoordinationSignals
{
    public static string InstanceIdOf(string incidentId) => $"{incidentId}:coordination";

    // The orchestration itself lands next (issue 15, coordination reminders); until then a change is recorded on the
    // row and the timeline only, and nothing is published or reminded.
    public Task ChangedAsync(CoordinationChange change, CancellationToken ct)
    {
        _ = client;
        return Task.CompletedTask;
    }
}
