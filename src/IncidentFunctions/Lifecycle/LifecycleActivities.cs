using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IncidentFunctions.Events;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Links;
using IncidentFunctions.Notifications;
using IncidentFunctions.Policy;
using IncidentFunctions.Timeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Lifecycle;

/// <summary>
/// The orchestration's I/O. Activities run at least once, so each is idempotent: timeline events carry ids chosen by
/// the orchestration, status changes go through the incident row's ETag, and an email is sent only to recipients whose
/// notification.sent event for that notification is not yet recorded.
/// </summary>
public sealed partial class LifecycleActivities(
    IncidentStore incidents,
    TimelineStore timeline,
    IncidentResponder responder,
    PolicyProvider policy,
    IEmailSender email,
    LinkSigner links,
    IOptions<IncidentEventOptions> events,
    ILogger<LifecycleActivities> logger)
{
    /// <summary>
    /// Records the opening, then decides service, priority and escalation once, from the policy loaded now, and stores
    /// the decision on the incident: a retry (or a replay after the policy file changed) gets the stored decision back,
    /// never a new one. One activity for all of it, because every activity is a queue round trip before the first page.
    /// It also hands the orchestration the lifecycle event settings, which its history then keeps for the incident's life.
    /// </summary>
    [Function(nameof(BeginIncident))]
    public async Task<IncidentStart> BeginIncident([ActivityTrigger] BeginRequest request, CancellationToken ct)
    {
        TriageResult triage;
        IncidentEntity incident;
        while (true)
        {
            incident = await RequireAsync(request.IncidentId, ct);
            if (incident.Triage is { } stored)
            {
                triage = JsonSerializer.Deserialize<TriageResult>(stored, JsonDefaults.Options)!;
                break;
            }

            triage = policy.Current.Triage(new TriageInput(
                incident.Integration,
                JsonSerializer.Deserialize<Dictionary<string, string>>(incident.Labels, JsonDefaults.Options) ?? [],
                Enum.Parse<Severity>(incident.Severity),
                incident.OpenedAt));
            incident.Triage = JsonSerializer.Serialize(triage, JsonDefaults.Options);
            incident.Priority = triage.Priority.ToString();
            incident.ServiceId = triage.ServiceId;
            incident.ServiceName = triage.ServiceName;
            incident.PolicyVersion = triage.PolicyVersion;
            if (await incidents.TryUpdateAsync(incident, ct))
            {
                break;
            }
        }

        var plan = triage.Escalation;
        // Ticks apart: events at the same instant sort by id, and the story reads opened, triaged, routed.
        await timeline.AppendManyAsync(request.IncidentId, [
            new TimelineEvent(request.OpenedEventId, request.At, TimelineEventTypes.IncidentOpened, "system", Channels.System,
                $"Incident opened: {incident.Title}",
                new Dictionary<string, string> { ["severity"] = incident.Severity, ["integration"] = incident.Integration, ["dedupKey"] = incident.DedupKey }),
            new TimelineEvent(request.TriagedEventId, request.At.AddTicks(1), TimelineEventTypes.IncidentTriaged, "system", Channels.System,
                $"Triaged as {triage.Priority}: impact tier {triage.ImpactTier}",
                new Dictionary<string, string> { ["priority"] = triage.Priority.ToString(), ["impactTier"] = triage.ImpactTier.ToString(), ["policyVersion"] = triage.PolicyVersion }),
            new TimelineEvent(request.RoutedEventId, request.At.AddTicks(2), TimelineEventTypes.IncidentRouted, "system", Channels.System,
                $"Routed to {triage.ServiceName} (team {triage.TeamId}) by {triage.Route}; escalation policy {plan.PolicyId}",
                new Dictionary<string, string>
                {
                    ["service"] = triage.ServiceId,
                    ["team"] = triage.TeamId,
                    ["route"] = triage.Route,
                    ["escalationPolicy"] = plan.PolicyId,
                    ["levels"] = plan.Levels.Count.ToString(),
                    ["repeat"] = plan.Repeat.ToString(),
                }),
        ], ct);
        return new IncidentStart(triage, StateOf(incident), events.Value.Plan);
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

    /// <summary>
    /// Emails each recipient, skipping those whose notification.sent event for this notification already exists. The
    /// window between a send and its event (a crash right there) can repeat one email on retry; ACS drops the repeat by
    /// its Operation-Id, and SMTP receives the same Message-ID. Paging twice beats not paging.
    /// </summary>
    [Function(nameof(NotifyRecipients))]
    public async Task NotifyRecipients([ActivityTrigger] NotifyRequest request, CancellationToken ct)
    {
        if (request.Preceding is { } preceding)
        {
            await timeline.AppendAsync(request.IncidentId, preceding, ct);
        }

        var incident = (await RequireAsync(request.IncidentId, ct)).ToSnapshot();
        foreach (var recipient in request.Recipients)
        {
            var sent = new TimelineEvent(
                $"notify-{request.NotificationId}-{recipient.PersonId}", request.At, TimelineEventTypes.NotificationSent, "system", Channels.Email,
                $"Emailed {recipient.Name} ({KindText(request.Kind, request.Level)})",
                new Dictionary<string, string>
                {
                    ["recipient"] = recipient.PersonId,
                    ["kind"] = request.Kind.ToString().ToLowerInvariant(),
                    ["level"] = request.Level?.ToString() ?? string.Empty,
                });
            if (await timeline.ContainsAsync(request.IncidentId, sent, ct) ||
                await timeline.ContainsAsync(request.IncidentId, sent with { Type = TimelineEventTypes.NotificationFailed }, ct))
            {
                continue;
            }

            var actionable = request.Kind != NotificationKind.Resolved && incident.Status != IncidentStatus.Resolved;
            var message = IncidentEmails.Render(new NotificationEmail(
                request.Kind,
                request.Level,
                incident,
                recipient,
                new EmailLinks(
                    links.IncidentUrl(incident.Id),
                    actionable ? links.CreateUrl(incident.Id, recipient.PersonId, LinkAction.Acknowledge) : null,
                    actionable ? links.CreateUrl(incident.Id, recipient.PersonId, LinkAction.Resolve) : null),
                IdempotencyKeyOf(request.NotificationId, recipient.PersonId)));
            try
            {
                await email.SendAsync(message, ct);
            }
            catch (EmailRejectedException e)
            {
                // Retrying cannot help (a refused address, a missing permission); the others still get their email.
                await timeline.AppendAsync(request.IncidentId, sent with
                {
                    Type = TimelineEventTypes.NotificationFailed,
                    Summary = $"Could not email {recipient.Name}: {e.Message}",
                }, ct);
                LogRejected(logger, e, request.IncidentId, recipient.PersonId);
                continue;
            }

            await timeline.AppendAsync(request.IncidentId, sent, ct);
            LogSent(logger, request.Kind, request.IncidentId, recipient.PersonId);
        }
    }

    /// <summary>Stable per notification and recipient, so every retry of one email carries the same key.</summary>
    public static Guid IdempotencyKeyOf(string notificationId, string personId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{notificationId}/{personId}")).AsSpan(0, 16));

    static string KindText(NotificationKind kind, int? level) => kind switch
    {
        NotificationKind.Page => $"page, level {level}",
        NotificationKind.Retriggered => $"re-triggered, level {level}",
        NotificationKind.Exhausted => "escalation exhausted",
        _ => "resolved",
    };

    static IncidentState StateOf(IncidentEntity incident) => new(
        incident.Id, incident.StatusValue, incident.Integration, incident.AcknowledgedAt, incident.AcknowledgedBy, incident.SourceResolvedAt,
        incident.AcknowledgedVia, incident.ResolvedAt, incident.ResolvedBy, incident.ResolvedVia, incident.LastRetriggerEventId,
        incident.FlappingUntil, incident.FlapCount);

    async Task<IncidentEntity> RequireAsync(string incidentId, CancellationToken ct) =>
        await incidents.FindAsync(incidentId, ct) ?? throw new InvalidOperationException($"Incident {incidentId} does not exist.");

    [LoggerMessage(Level = LogLevel.Error, Message = "Email for incident {IncidentId} to {PersonId} was refused; not retrying")]
    static partial void LogRejected(ILogger logger, Exception exception, string incidentId, string personId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent {Kind} email for incident {IncidentId} to {PersonId}")]
    static partial void LogSent(ILogger logger, NotificationKind kind, string incidentId, string personId);
}
