using IncidentFunctions.Timeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Lifecycle;

/// <summary>
/// One orchestration per incident (instance id = incident id). For now the lifecycle is: record that the incident
/// opened, wait for a resolution, resolve. Escalation fills in the middle (see the lifecycle issue).
/// Deterministic: time and ids come from the context; all I/O is in activities.
/// </summary>
public static class IncidentOrchestration
{
    /// <summary>Activities touch storage; transient failures are retried here, next to the calls.</summary>
    public static readonly TaskOptions StorageRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    [Function(nameof(IncidentOrchestrator))]
    public static async Task<string> IncidentOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<IncidentLifecycleInput>()
            ?? throw new InvalidOperationException("The incident orchestration needs an IncidentLifecycleInput.");
        var log = context.CreateReplaySafeLogger(nameof(IncidentOrchestrator));

        await context.CallActivityAsync(
            nameof(LifecycleActivities.RecordIncidentOpened),
            new LifecycleNote(input.IncidentId, context.NewGuid().ToString("N"), context.CurrentUtcDateTime),
            StorageRetry);

        // A resolution may have been stored before this instance existed (events raised then are discarded).
        var state = await context.CallActivityAsync<IncidentState>(nameof(LifecycleActivities.ReadIncidentState), input.IncidentId, StorageRetry);
        var signal = new LifecycleSignal(SignalKind.SourceResolved, state.Integration ?? Channels.Source, Channels.Source, state.SourceResolvedAt ?? context.CurrentUtcDateTime);
        if (state.SourceResolvedAt is null && !state.Resolved)
        {
            context.SetCustomStatus(LifecyclePhases.AwaitingResolution);
            signal = await context.WaitForExternalEvent<LifecycleSignal>(LifecycleEvents.Signal);
        }

        await context.CallActivityAsync(
            nameof(LifecycleActivities.ResolveIncident),
            new ResolveRequest(input.IncidentId, context.NewGuid().ToString("N"), context.CurrentUtcDateTime, signal),
            StorageRetry);

        log.LogInformation("Incident {IncidentId} resolved by {Actor} via {Channel}", input.IncidentId, signal.Actor, signal.Channel);
        return "resolved";
    }
}
