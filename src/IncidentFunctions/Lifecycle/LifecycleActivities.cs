using IncidentFunctions.Incidents;
using IncidentFunctions.LifecycleEvents;
using IncidentFunctions.Model;
using IncidentFunctions.Opening;
using IncidentFunctions.Paging;
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
    IncidentOpener opener,
    IncidentPager pager,
    IOptions<LifecycleEventOptions> events)
{
    /// <summary>
    /// The incident's stored triage and state, as <see cref="IncidentOpener"/> opened it (or, for an incident created
    /// without an opening, as it decides and records them now). One activity for all of it, because every activity is
    /// a queue round trip. It also hands the orchestration the lifecycle event settings, which its history then keeps
    /// for the incident's life, and tells it whether the opener has sent the first page (then the orchestration spends
    /// no activity on it).
    /// </summary>
    [Function(nameof(BeginIncident))]
    public async Task<IncidentStart> BeginIncident([ActivityTrigger] BeginRequest request, CancellationToken ct)
    {
        var (incident, triage) = await opener.BeginAsync(request.IncidentId, ct);
        var (firstPagedAt, firstPageSent) = await pager.StatusAsync(IncidentPager.FirstPageRequest(incident.Id, triage.Escalation, incident.OpenedAt), ct);
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

    /// <summary>
    /// A page, sent only while the incident is open and its source's resolve (if any) is the one the orchestration has
    /// taken in; otherwise nothing is sent or recorded, and the orchestration gets the state to act on. One activity for
    /// the check and the page: each is a queue round trip and a history episode.
    /// </summary>
    [Function(nameof(PageIfOpen))]
    public async Task<PageOutcome> PageIfOpen([ActivityTrigger] PageRequest request, CancellationToken ct)
    {
        var (sentAt, incident) = await pager.SendIfAsync(
            request.Notify, i => i.StatusValue == IncidentStatus.Open && (i.SourceResolvedAt is null || i.SourceResolvedAt == request.SourceResolveSeen), ct);
        return sentAt is { } at ? new PageOutcome(at, null) : new PageOutcome(null, StateOf(incident));
    }

    static IncidentState StateOf(IncidentEntity incident) => new(
        incident.Id, incident.StatusValue, incident.Integration, incident.AcknowledgedAt, incident.AcknowledgedBy, incident.SourceResolvedAt,
        incident.AcknowledgedVia, incident.ResolvedAt, incident.ResolvedBy, incident.ResolvedVia, incident.LastRetriggerEventId,
        incident.FlappingUntil, incident.FlapCount);

    async Task<IncidentEntity> RequireAsync(string incidentId, CancellationToken ct) =>
        await incidents.FindAsync(incidentId, ct) ?? throw new InvalidOperationException($"Incident {incidentId} does not exist.");
}
