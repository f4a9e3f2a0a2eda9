using IncidentFunctions.Responding;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace IncidentFunctions.Functions;

/// <summary>The coordination orchestration's trigger (see <see cref="CoordinationOrchestration"/>). Only binds and delegates.</summary>
public static class CoordinationOrchestrator
{
    [Function(CoordinationOrchestration.Name)]
    public static Task<DeliveredRevisions> Run([OrchestrationTrigger] TaskOrchestrationContext context) =>
        CoordinationOrchestration.RunAsync(context);
}

/// <summary>The coordination orchestration's activities (see <see cref="CoordinationActivities"/>). Only binds and delegates.</summary>
public sealed class CoordinationActivityFunctions(CoordinationActivities activities)
{
    [Function(nameof(CoordinationActivities.DeliverChange))]
    public Task DeliverChange([ActivityTrigger] CoordinationChange change, CancellationToken cancellationToken) =>
        activities.DeliverChange(change, cancellationToken);

    [Function(nameof(CoordinationActivities.Remind))]
    public Task<CoordinationRound> Remind([ActivityTrigger] RemindRequest request, CancellationToken cancellationToken) =>
        activities.Remind(request, cancellationToken);
}
