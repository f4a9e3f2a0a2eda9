using IncidentFunctions.Incidents;
using IncidentFunctions.Timeline;
using Microsoft.Azure.Functions.Worker;

namespace IncidentFunctions.Lifecycle;

/// <summary>
/// The orchestration's I/O. Activities run at least once, so each is idempotent: timeline events carry ids chosen by
/// the orchestration, and status changes check the stored state first.
/// </summary>
public sealed class LifecycleActivities(IncidentStore incidents, TimelineStore timeline)
{
    [Function(nameof(RecordIncidentOpened))]
    public async Task RecordIncidentOpened([ActivityTrigger] LifecycleNote note, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(note.IncidentId, ct)
            ?? throw new InvalidOperationException($"Incident {note.IncidentId} does not exist.");
        await timeline.AppendAsync(note.IncidentId, new TimelineEvent(
            note.EventId, note.At, TimelineEventTypes.IncidentOpened, "system", Channels.System,
            $"Incident opened: {incident.Title}",
            new Dictionary<string, string> { ["severity"] = incident.Severity, ["integration"] = incident.Integration, ["dedupKey"] = incident.DedupKey }), ct);
    }

    [Function(nameof(ReadIncidentState))]
    public async Task<IncidentState> ReadIncidentState([ActivityTrigger] string incidentId, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(incidentId, ct);
        return incident is null
            ? new IncidentState(incidentId, false, null, null, false)
            : new IncidentState(incidentId, true, incident.Integration, incident.SourceResolvedAt, incident.StatusValue == IncidentStatus.Resolved);
    }

    [Function(nameof(ResolveIncident))]
    public async Task ResolveIncident([ActivityTrigger] ResolveRequest request, CancellationToken ct)
    {
        IncidentEntity incident;
        while (true)
        {
            incident = await incidents.FindAsync(request.IncidentId, ct)
                ?? throw new InvalidOperationException($"Incident {request.IncidentId} does not exist.");
            if (incident.StatusValue == IncidentStatus.Resolved)
            {
                break;
            }

            incident.Status = nameof(IncidentStatus.Resolved);
            incident.ResolvedAt = request.At;
            incident.ResolvedBy = request.Signal.Actor;
            if (await incidents.TryUpdateAsync(incident, ct))
            {
                break;
            }
        }

        await incidents.IndexAsync(incident, ct);
        await timeline.AppendAsync(request.IncidentId, new TimelineEvent(
            request.EventId, request.At, TimelineEventTypes.IncidentResolved, request.Signal.Actor, request.Signal.Channel,
            $"Incident resolved by {request.Signal.Actor}"), ct);
    }
}
