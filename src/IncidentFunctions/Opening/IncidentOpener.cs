using System.Collections.Concurrent;
using System.Text.Json;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Paging;
using IncidentFunctions.Policy;
using IncidentFunctions.Timeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Opening;

/// <summary>
/// The one owner of opening an incident. It claims the alert's key, decides the incident's triage (service, priority,
/// escalation) and stores it with the incident, records the opening on the timeline, sends the first page, and starts
/// the incident's orchestration. The alert processor calls it as an alert opens an incident; the orchestration's first
/// activity calls <see cref="BeginAsync"/>, which finds all of that done, or does what is missing for an incident created
/// without it. Every step is idempotent, so whoever finds an opening unfinished (a redelivered alert after a crash)
/// finishes it with <see cref="FinishAsync"/>.
/// </summary>
/// <remarks>
/// The first page is sent here, not by the orchestration, because starting an orchestration and its first steps are
/// several queue round trips: seconds on a busy task hub. The orchestration sends the same page under
/// <see cref="IncidentPager.FirstPageId"/> only when this one did not reach everyone; <see cref="IncidentPager"/>'s
/// claim keeps the two from emailing anyone twice when they overlap.
/// </remarks>
public sealed partial class IncidentOpener(
    IncidentStore incidents,
    TimelineStore timeline,
    PolicyProvider policy,
    IncidentPager pager,
    TimeProvider time,
    ILogger<IncidentOpener> logger)
{
    const int MaxAttempts = 50;
    const int MaxRemembered = 100_000;

    // Finishing an incident's opening (index, orchestration, flag) runs once per incident in this process: every alert
    // that sees the flag unset awaits the same run instead of repeating its writes.
    readonly ConcurrentDictionary<string, Lazy<Task>> finishing = new(StringComparer.Ordinal);

    /// <summary>
    /// The integration of incidents people declare (<c>POST /api/incidents</c>): their alert key is claimed under it,
    /// and the API and lifecycle events show it. No alert arrives under it, as no integration may take the name.
    /// </summary>
    public const string DeclaredIntegration = IntegrationNames.Declared;

    /// <summary>The id of the opening's first timeline event, which is also the id of its lifecycle CloudEvent.</summary>
    public static string OpenedEventIdOf(string incidentId) => $"opened-{incidentId}";

    static string TriagedEventIdOf(string incidentId) => $"triaged-{incidentId}";

    static string RoutedEventIdOf(string incidentId) => $"routed-{incidentId}";

    /// <summary>
    /// Claims <paramref name="alert"/>'s key (<paramref name="key"/> is its row as last read, null when there was none)
    /// for a new incident and opens it. Null when another opener claimed the key first: the caller reads it again.
    /// <paramref name="flapping"/> is the alert's integration's rule.
    /// </summary>
    public async Task<IncidentEntity?> OpenAsync(
        AlertKeyEntity? key, Alert alert, TimelineEvent received, FlapRule flapping, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var id = IncidentIds.New(now);
        var openings = flapping.Threshold == 0 ? null : Flapping.Serialize(Flapping.Record(key?.Openings, now, flapping.Window, flapping.Threshold));
        return await incidents.TryClaimKeyAsync(key, alert.Integration, alert.IncidentKey, id, openings, ct)
            ? await CreateAsync(id, openings, alert, received, flapping, lifecycle, ct)
            : null;
    }

    /// <summary>
    /// Creates the incident a key was claimed for, as <see cref="OpenAsync"/> does after its claim, or after a crash
    /// between the two. <paramref name="openings"/> is what the key's claim recorded: it says whether this opening is
    /// flapping. Null when the incident exists already (another processor created it).
    /// </summary>
    public async Task<IncidentEntity?> CreateAsync(
        string id, string? openings, Alert alert, TimelineEvent received, FlapRule flapping, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        var incident = IncidentEntity.Open(id, alert, time.GetUtcNow());
        if (Flapping.Of(openings, flapping.Window, flapping.Threshold) is { } flap)
        {
            incident.FlapCount = flap.Openings;
            incident.FlappingUntil = flap.Until;
        }

        if (!await StoreAndPageAsync(incident, AlertEntity.From(id, alert), [received], lifecycle, ct))
        {
            return null;
        }

        LogOpened(logger, id, alert.Integration, alert.IncidentKey);
        return incident;
    }

    /// <summary>
    /// Opens an incident a person declared (channel api) for a service of the policy, under
    /// <see cref="DeclaredIntegration"/> with its own id as its key, and pages it as an alert's incident is paged:
    /// the same triage (by the service named), first page and orchestration. <paramref name="prepare"/> writes the
    /// people's side of the declaration onto the row before it is stored, so the incident exists with it or not at all.
    /// Declared without paging, it is stored acknowledged by the declarer: its escalation has nobody to find.
    /// </summary>
    public async Task<IncidentEntity> DeclareAsync(Declaration declaration, Action<IncidentEntity> prepare, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        ArgumentNullException.ThrowIfNull(prepare);
        var now = time.GetUtcNow();
        var id = IncidentIds.New(now);
        if (!await incidents.TryClaimKeyAsync(null, DeclaredIntegration, id, id, null, ct))
        {
            throw new InvalidOperationException($"The key of the new incident {id} is taken; incident ids are unique, so this is a bug.");
        }

        var incident = IncidentEntity.Declare(id, declaration.Title, declaration.Severity, DeclaredIntegration, declaration.ServiceId, declaration.Summary, now);
        if (!declaration.Page)
        {
            incident.Status = nameof(IncidentStatus.Acknowledged);
            incident.AcknowledgedAt = now;
            incident.AcknowledgedBy = declaration.DeclaredBy;
            incident.AcknowledgedVia = Channels.Api;
        }

        prepare(incident);
        if (!await StoreAndPageAsync(incident, firstAlert: null, [], lifecycle, ct))
        {
            throw new InvalidOperationException($"The new incident {id} exists already; incident ids are unique, so this is a bug.");
        }

        LogDeclared(logger, id, declaration.ServiceId, declaration.Page);
        return incident;
    }

    /// <summary>
    /// What opening an incident for <paramref name="alert"/> under <paramref name="id"/> would store, record and page,
    /// decided as <see cref="CreateAsync"/> decides it, with nothing stored or sent (Ingestion.FirstPageWarmUp).
    /// </summary>
    public Rehearsal Rehearse(string id, Alert alert)
    {
        var incident = IncidentEntity.Open(id, alert, time.GetUtcNow());
        var triage = Triage(incident);
        return new Rehearsal(incident, AlertEntity.From(id, alert), pager.PlanFirstPage(incident, triage), OpeningEvents(incident, triage));
    }

    /// <summary>An opening as <see cref="Rehearse"/> planned it: the rows, the first page (if any) and the opening's events.</summary>
    public sealed record Rehearsal(IncidentEntity Incident, AlertEntity FirstAlert, FirstPage? FirstPage, IReadOnlyList<TimelineEvent> Events);

    /// <summary>
    /// Stores a new incident with its triage, records the opening, sends the first page and starts the orchestration.
    /// False when the incident exists already.
    /// </summary>
    async Task<bool> StoreAndPageAsync(
        IncidentEntity incident, AlertEntity? firstAlert, IReadOnlyList<TimelineEvent> before, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        var triage = Triage(incident);
        var firstPage = pager.PlanFirstPage(incident, triage);
        if (!await incidents.TryCreateAsync(incident, firstAlert, firstPage?.Claim, ct))
        {
            return false;
        }

        // The page goes out at once; the opening's record and the status index are written alongside it. The
        // orchestration starts after the page, so that it knows whether the page reached everyone and need not ask.
        var recorded = Task.WhenAll(
            timeline.AppendManyAsync(incident.Id, [.. before, .. OpeningEvents(incident, triage)], ct),
            incidents.IndexAsync(incident, ct, isNew: true));
        var pagedAt = firstPage is null ? null : await pager.SendFirstPageAsync(firstPage, incident, ct);
        await recorded;
        var done = pagedAt is { } at ? new OpeningDone(incident.Triage!, incident.Integration, incident.OpenedAt, at) : null;
        await FinishOnceAsync(incident, lifecycle, done, ct);
        return true;
    }

    /// <summary>
    /// Finishes an opening that was interrupted (the incident exists, its <see cref="IncidentEntity.LifecycleStarted"/>
    /// is unset): records the opening if it is missing, indexes the incident and starts its orchestration.
    /// </summary>
    public Task FinishAsync(IncidentEntity incident, IIncidentLifecycle lifecycle, CancellationToken ct) =>
        FinishOnceAsync(incident, lifecycle, opened: null, ct);

    /// <summary>
    /// For the orchestration's first activity: the incident and its triage as the opening stored them. For an incident
    /// created without an opening (none is, by the app; tests and older versions did), decides and records it now. A
    /// retry, or a replay after the policy file changed, gets the stored decision back, never a new one.
    /// </summary>
    public async Task<(IncidentEntity Incident, TriageResult Triage)> BeginAsync(string incidentId, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var incident = await incidents.FindAsync(incidentId, ct) ?? throw new InvalidOperationException($"Incident {incidentId} does not exist.");
            if (StoredTriage(incident) is { } stored)
            {
                return (incident, stored);
            }

            // The opening is recorded before the triage is stored: a retry after a failure in between finds no stored
            // triage and records again (the events' ids make that a no-op), where the other order would find the
            // triage stored and never record the opening.
            var triage = Triage(incident);
            await timeline.AppendManyAsync(incidentId, OpeningEvents(incident, triage), ct);
            if (await incidents.TryUpdateAsync(incident, ct))
            {
                return (incident, triage);
            }
        }

        throw new InvalidOperationException($"Incident {incidentId} changed {MaxAttempts} times while its triage was being stored; the activity will retry.");
    }

    /// <summary>The events that record an opening: opened, triaged, routed, ticks apart, since events at one instant sort by id.</summary>
    public static IReadOnlyList<TimelineEvent> OpeningEvents(IncidentEntity incident, TriageResult triage)
    {
        var plan = triage.Escalation;
        var at = incident.OpenedAt;
        return
        [
            new TimelineEvent(OpenedEventIdOf(incident.Id), at, TimelineEventTypes.IncidentOpened, "system", Channels.System,
                $"Incident opened: {incident.Title}",
                new Dictionary<string, string> { ["severity"] = incident.Severity.ToLowerInvariant(), ["integration"] = incident.Integration, ["dedupKey"] = incident.DedupKey }),
            new TimelineEvent(TriagedEventIdOf(incident.Id), at.AddTicks(1), TimelineEventTypes.IncidentTriaged, "system", Channels.System,
                $"Triaged as {triage.Priority}: impact tier {triage.ImpactTier}",
                new Dictionary<string, string> { ["priority"] = triage.Priority.ToString(), ["impactTier"] = triage.ImpactTier.ToString(), ["policyVersion"] = triage.PolicyVersion }),
            new TimelineEvent(RoutedEventIdOf(incident.Id), at.AddTicks(2), TimelineEventTypes.IncidentRouted, "system", Channels.System,
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
        ];
    }

    static TriageResult? StoredTriage(IncidentEntity incident) =>
        incident.Triage is { } stored ? JsonSerializer.Deserialize<TriageResult>(stored, JsonDefaults.Options) : null;

    /// <summary>Decides the triage from the policy loaded now and stores it on the entity (the caller writes it).</summary>
    TriageResult Triage(IncidentEntity incident)
    {
        var triage = policy.Current.Triage(new TriageInput(
            incident.Integration,
            JsonSerializer.Deserialize<Dictionary<string, string>>(incident.Labels, JsonDefaults.Options) ?? [],
            Enum.Parse<Severity>(incident.Severity),
            incident.OpenedAt,
            incident.Integration == DeclaredIntegration ? incident.ServiceId : null));
        incident.Triage = JsonSerializer.Serialize(triage, JsonDefaults.Options);
        incident.Priority = triage.Priority.ToString();
        incident.ServiceId = triage.ServiceId;
        incident.ServiceName = triage.ServiceName;
        incident.PolicyVersion = triage.PolicyVersion;
        return triage;
    }

    /// <summary>
    /// Starts the incident's lifecycle and marks the opening finished, once per incident in this process.
    /// <paramref name="opened"/> is set by an opening that recorded and indexed the incident and paged everyone on its
    /// first page; null when finishing an interrupted opening, which repairs whatever it finds missing.
    /// </summary>
    Task FinishOnceAsync(IncidentEntity incident, IIncidentLifecycle lifecycle, OpeningDone? opened, CancellationToken ct)
    {
        if (finishing.Count >= MaxRemembered)
        {
            finishing.Clear();
        }

        var run = finishing.GetOrAdd(incident.Id, _ => new Lazy<Task>(() => FinishRunAsync(incident, lifecycle, opened, ct)));
        return AwaitOrForgetAsync(incident.Id, run);
    }

    async Task AwaitOrForgetAsync(string incidentId, Lazy<Task> run)
    {
        try
        {
            await run.Value;
        }
        catch
        {
            // Let the next alert (or the queue's retry) run it again.
            finishing.TryRemove(new KeyValuePair<string, Lazy<Task>>(incidentId, run));
            throw;
        }
    }

    async Task FinishRunAsync(IncidentEntity incident, IIncidentLifecycle lifecycle, OpeningDone? opened, CancellationToken ct)
    {
        if (opened is null)
        {
            await RepairAsync(incident, ct);
        }

        await lifecycle.EnsureStartedAsync(incident.Id, opened, ct);
        var current = incident;
        for (var attempt = 0; attempt < MaxAttempts && current is { LifecycleStarted: false }; attempt++)
        {
            current.LifecycleStarted = true;
            if (await incidents.TryUpdateAsync(current, ct))
            {
                return;
            }

            // Changed since it was read: repeats counted, or someone acted. An orchestration started with the opening
            // never read the row, and a signal raised before it existed was lost: tell it now.
            current = await incidents.FindAsync(incident.Id, ct);
            if (opened is not null && current is not null && (current.StatusValue != IncidentStatus.Open || current.SourceResolvedAt is not null))
            {
                var kind = current.StatusValue switch
                {
                    IncidentStatus.Acknowledged => SignalKind.Acknowledge,
                    IncidentStatus.Resolved => SignalKind.Resolve,
                    _ => SignalKind.SourceResolved,
                };
                await lifecycle.SignalAsync(incident.Id, new LifecycleSignal(kind, "system", Channels.System, time.GetUtcNow()), ct);
                opened = null;
            }
        }
    }

    /// <summary>
    /// For an opening that was interrupted: records the opening if it is missing and indexes the incident, before the
    /// orchestration can exist (it takes the opening as recorded and never records it itself).
    /// </summary>
    async Task RepairAsync(IncidentEntity incident, CancellationToken ct)
    {
        if (StoredTriage(incident) is { } triage)
        {
            // The opening was written in one transaction, so its last event present means all of it is.
            var opening = OpeningEvents(incident, triage);
            if (!await timeline.ContainsAsync(incident.Id, opening[^1], ct))
            {
                await timeline.AppendManyAsync(incident.Id, opening, ct);
            }
        }

        await incidents.IndexAsync(incident, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Declared incident {IncidentId} for service {Service}; paged: {Paged}")]
    static partial void LogDeclared(ILogger logger, string incidentId, string service, bool paged);

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened incident {IncidentId} for {Integration} key {DedupKey}")]
    static partial void LogOpened(ILogger logger, string incidentId, string integration, string dedupKey);
}

/// <summary>
/// A person's declaration of an incident, as opening needs it: what it is, the service it is declared for (a service id
/// of the policy), who declared it (their name, as the timeline shows actors), and whether to page per policy.
/// </summary>
public sealed record Declaration(string Title, Severity Severity, string ServiceId, string? Summary, string DeclaredBy, bool Page);
