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

        var triage = Triage(incident);
        if (!await incidents.TryCreateAsync(incident, AlertEntity.From(id, alert), ct))
        {
            return null;
        }

        await timeline.AppendManyAsync(id, [received, .. OpeningEvents(incident, triage)], ct);
        // The page first: it reads the incident before the opening's writes touch it.
        await Task.WhenAll(pager.PageFirstAsync(incident, triage, ct), FinishOnceAsync(incident, lifecycle, openingRecorded: true, ct));
        LogOpened(logger, id, alert.Integration, alert.IncidentKey);
        return incident;
    }

    /// <summary>
    /// Finishes an opening that was interrupted (the incident exists, its <see cref="IncidentEntity.LifecycleStarted"/>
    /// is unset): records the opening if it is missing, indexes the incident and starts its orchestration.
    /// </summary>
    public Task FinishAsync(IncidentEntity incident, IIncidentLifecycle lifecycle, CancellationToken ct) =>
        FinishOnceAsync(incident, lifecycle, openingRecorded: false, ct);

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
            incident.OpenedAt));
        incident.Triage = JsonSerializer.Serialize(triage, JsonDefaults.Options);
        incident.Priority = triage.Priority.ToString();
        incident.ServiceId = triage.ServiceId;
        incident.ServiceName = triage.ServiceName;
        incident.PolicyVersion = triage.PolicyVersion;
        return triage;
    }

    Task FinishOnceAsync(IncidentEntity incident, IIncidentLifecycle lifecycle, bool openingRecorded, CancellationToken ct)
    {
        if (finishing.Count >= MaxRemembered)
        {
            finishing.Clear();
        }

        var run = finishing.GetOrAdd(incident.Id, _ => new Lazy<Task>(() => FinishRunAsync(incident, lifecycle, openingRecorded, ct)));
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

    async Task FinishRunAsync(IncidentEntity incident, IIncidentLifecycle lifecycle, bool openingRecorded, CancellationToken ct)
    {
        if (!openingRecorded && StoredTriage(incident) is { } triage)
        {
            // Before the orchestration can exist: it takes the opening as recorded and never records it itself. The
            // opening was written in one transaction with the alert, so its last event present means all of it is.
            var opening = OpeningEvents(incident, triage);
            if (!await timeline.ContainsAsync(incident.Id, opening[^1], ct))
            {
                await timeline.AppendManyAsync(incident.Id, opening, ct);
            }
        }

        // Independent, and the orchestration start is what stands between a new incident and its level 2.
        await Task.WhenAll(incidents.IndexAsync(incident, ct), lifecycle.EnsureStartedAsync(incident.Id, ct));
        var current = incident;
        for (var attempt = 0; attempt < MaxAttempts && current is { LifecycleStarted: false }; attempt++)
        {
            current.LifecycleStarted = true;
            if (await incidents.TryUpdateAsync(current, ct))
            {
                return;
            }

            current = await incidents.FindAsync(incident.Id, ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened incident {IncidentId} for {Integration} key {DedupKey}")]
    static partial void LogOpened(ILogger logger, string incidentId, string integration, string dedupKey);
}
