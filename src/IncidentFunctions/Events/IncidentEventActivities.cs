using IncidentFunctions.Incidents;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Events;

/// <summary>
/// Publishes one recorded transition. Runs at least once, and every run sends the same message id (the timeline event
/// id), so a retry after a send that did arrive is a duplicate the topic's duplicate detection drops.
/// </summary>
public sealed class IncidentEventActivities(IncidentStore incidents, IncidentEvents events, IIncidentEventPublisher publisher)
{
    [Function(nameof(PublishIncidentEvent))]
    public async Task PublishIncidentEvent([ActivityTrigger] IncidentTransition transition, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(transition.IncidentId, ct)
            ?? throw new InvalidOperationException($"Incident {transition.IncidentId} does not exist.");
        await publisher.PublishAsync(events.Create(transition, incident), ct);
    }
}
