using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.LifecycleEvents;

/// <summary>
/// Publishes one recorded transition. Runs at least once, and every run sends the same message id (the timeline event
/// id), so a retry after a send that did arrive is a duplicate the topic's duplicate detection drops.
/// </summary>
public sealed class LifecycleEventActivities(IncidentStore incidents, LifecycleEventBuilder events, ILifecycleEventPublisher publisher)
{
    [Function(nameof(PublishLifecycleEvent))]
    public async Task PublishLifecycleEvent([ActivityTrigger] IncidentTransition transition, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(transition.IncidentId, ct)
            ?? throw new InvalidOperationException($"Incident {transition.IncidentId} does not exist.");
        await publisher.PublishAsync(events.Create(transition, incident), ct);
    }
}
