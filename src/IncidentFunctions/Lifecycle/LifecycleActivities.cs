using IncidentFunctions.Events;
using IncidentFunctions.Incidents;
using IncidentFunctions.Policy;
using IncidentFunctions.Timeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Lifecycle;

/// <summary>
/// The orchestration's I/O. Activities run at least once, so each is idempotent: timeline events carry ids chosen by
/// the orchestration (or derived from the incident), status changes go through the incident row's ETag, and emails go
/// through <see cref="IncidentPager"/>, which sends each recipient a notification once.
/// </summary>
public sealed class LifecycleActivities(
    IncidentStore incidents,
    TimelineStore timeline,
    IncidentResponder responder,
    PolicyProvider policy,
    IncidentPager pager,
    IOptions<IncidentEventOptions> events)
{
    /// <summary>
    /// Decides service, priority and escalation once, from the policy loaded now, stores the decision on the incident
    /// and records the opening: unless the alert processor did all that as it created the incident, in which case this
    /// finds the stored decision and the recorded events, and changes nothing. A retry (or a replay after the policy
    /// file changed) gets the stored decision back, never a new one. One activity for all of it, because every activity
    /// is a queue round trip. It also hands the orchestration the lifecycle event settings, which its history then
    /// keeps for the incident's life, and tells it whether the processor has sent the first page (then the orchestration
    /// spends no activity on it).
    /// </summary>
    [Function(nameof(BeginIncident))]
    public async Task<IncidentStart> BeginIncident([ActivityTrigger] BeginRequest request, CancellationToken ct)
    {
        TriageResult triage;
        IncidentEntity incident;
        while (true)
        {
            incident = await RequireAsync(request.IncidentId, ct);
            var stored = incident.Triage is not null;
            triage = IncidentOpening.Triage(incident, policy.Current);
            if (stored || await incidents.TryUpdateAsync(incident, ct))
            {
                break;
            }
        }

        // Usually recorded by the processor already, in one transaction with the alert; appending them again would cost
        // a failed transaction and a failed add per event. The last one present means all are.
        var opening = IncidentOpening.Events(incident, triage);
        if (!await timeline.ContainsAsync(request.IncidentId, opening[^1], ct))
        {
            await timeline.AppendManyAsync(request.IncidentId, opening, ct);
        }

        var (firstPagedAt, firstPageSent) = await pager.StatusAsync(IncidentPager.FirstPage(incident.Id, triage.Escalation, incident.OpenedAt), ct);
        return new IncidentStart(triage, StateOf(incident), events.Value.Plan, incident.OpenedAt, firstPagedAt, firstPageSent);
    }

    [Function(nameof(ReadIncidentState))]
    public async Task<IncidentState> ReadIncidentState([ActivityTrigger] string incidentId, CancellationToken ct) =>
        StateOf(await RequireAsync(incidentId, ct));

    [Function(nameof(RetriggerIncident))]
    public async Task<IncidentState> RetriggerIncident([ActivityTrigger] RetriggerRequest request, CancellationToken ct) =>
        StateOf(await responder.RetriggerAsync(request, ct));

    [Function(nameof(ResolveFromSource))]
    public async Task<IncidentState> ResolveFromSource([ActivityTrigger] SourceResolveRequest request, CancellationToken ct)
    {
        var incident = await RequireAsync(request.IncidentId, ct);
        var result = await responder.ResolveAsync(request.IncidentId, incident.Integration, Channels.Source, lifecycle: null, ct, request.SourceResolvedAt);
        return StateOf(result.Incident!);
    }

    [Function(nameof(AppendTimeline))]
    public Task AppendTimeline([ActivityTrigger] TimelineEntry entry, CancellationToken ct) =>
        timeline.AppendAsync(entry.IncidentId, entry.Event, ct);

    /// <summary>Emails the recipients not yet emailed for this notification; returns when the notification was sent.</summary>
    [Function(nameof(NotifyRecipients))]
    public Task<DateTimeOffset> NotifyRecipients([ActivityTrigger] NotifyRequest request, CancellationToken ct) =>
        pager.SendAsync(request, known: null, ct);

    static IncidentState StateOf(IncidentEntity incident) => new(
        incident.Id, incident.StatusValue, incident.Integration, incident.AcknowledgedAt, incident.AcknowledgedBy, incident.SourceResolvedAt,
        incident.AcknowledgedVia, incident.ResolvedAt, incident.ResolvedBy, incident.ResolvedVia, incident.LastRetriggerEventId,
        incident.FlappingUntil, incident.FlapCount);

    async Task<IncidentEntity> RequireAsync(string incidentId, CancellationToken ct) =>
        await incidents.FindAsync(incidentId, ct) ?? throw new InvalidOperationException($"Incident {incidentId} does not exist.");
}
