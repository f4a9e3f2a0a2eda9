using System.Collections.Concurrent;
using IncidentFunctions.Incidents;
using IncidentFunctions.Lifecycle;
using IncidentFunctions.Model;
using IncidentFunctions.Opening;
using IncidentFunctions.Timeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Ingestion;

public enum AlertOutcome
{
    Opened,
    Counted,
    SourceResolved,
    SourceAcknowledged,
    NotedOnResolved,
    Dropped,
}

/// <summary>
/// Deduplicates alerts into incidents. Safe under concurrency and redelivery:
/// <list type="bullet">
/// <item>the dedup key is claimed by insert or ETag replace, so exactly one processor opens the incident;</item>
/// <item>an alert is counted in the same transaction that writes its write-once row, so a retry never counts twice;</item>
/// <item>timeline events are keyed by alert id, and starting the orchestration is idempotent;</item>
/// <item>opening an incident (claiming the key, triage, the opening's record, the first page, the orchestration) is
/// <see cref="IncidentOpener"/>'s job; an alert that finds an opening unfinished has the opener finish it.</item>
/// </list>
/// A lost race re-reads and decides again; nothing is overwritten.
/// </summary>
public sealed partial class AlertProcessor(
    IncidentStore incidents,
    IncidentAppender appender,
    TimelineStore timeline,
    AlertPayloads payloads,
    IncidentResponder responder,
    IncidentOpener opener,
    AlertEvidence evidence,
    IOptionsMonitor<IntegrationOptions> integrations,
    ILogger<AlertProcessor> logger)
{
    const int MaxAttempts = 50;
    const int MaxRememberedKeys = 100_000;
    const int MaxMergeHops = 8;

    // Which incident a dedup key fed last, so repeats skip two reads. Only a hint: the appender re-checks the incident.
    readonly ConcurrentDictionary<string, string> incidentByKey = new(StringComparer.Ordinal);

    // The alert of each key that is deciding from storage now; it completes (never faults) when that alert is done.
    readonly ConcurrentDictionary<string, Task> decidingByKey = new(StringComparer.Ordinal);

    /// <summary>
    /// Processes every alert of a queue message. Alerts of different incident keys run concurrently (so the appender can
    /// count repeats together); alerts of one key (or group) run in their order, so a resolve never overtakes its firing.
    /// </summary>
    public async Task ProcessAsync(AlertMessage message, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        var alerts = (await payloads.ResolveAsync(message, ct)).SelectMany(b => b.Alerts);
        await Task.WhenAll(alerts.GroupBy(a => (a.Integration, a.IncidentKey)).Select(async group =>
        {
            foreach (var alert in group)
            {
                await ProcessAsync(alert, lifecycle, ct);
            }
        }));
    }

    public async Task<AlertOutcome> ProcessAsync(Alert alert, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        // Before the alert's row can point at it.
        await evidence.StoreAsync(alert, ct);
        var keyId = AlertKeyEntity.PartitionKeyOf(alert.Integration, alert.IncidentKey);
        while (true)
        {
            if (alert.Status == AlertStatus.Firing && incidentByKey.TryGetValue(keyId, out var known) &&
                await AppendAsync(keyId, known, null, alert, lifecycle, ct) is { } fast)
            {
                return fast;
            }

            // One alert of a key decides from storage at a time in this process; the others wait for its answer and
            // then find the incident remembered. Racing it instead would re-read the key and the incident in a loop
            // until the opening finished, which under a storm of new incidents is most of the storage account's work.
            // Other processes still race through storage, where the key's ETag decides.
            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var deciding = decidingByKey.GetOrAdd(keyId, mine.Task);
            if (deciding != mine.Task)
            {
                await deciding.WaitAsync(ct);
                continue;
            }

            try
            {
                return await DecideAsync(keyId, alert, lifecycle, ct);
            }
            finally
            {
                decidingByKey.TryRemove(new KeyValuePair<string, Task>(keyId, mine.Task));
                mine.SetResult();
            }
        }
    }

    async Task<AlertOutcome> DecideAsync(string keyId, Alert alert, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        incidentByKey.TryRemove(keyId, out _);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var key = await incidents.FindKeyAsync(alert.Integration, alert.IncidentKey, ct);
            var named = key is null ? null : await incidents.FindAsync(key.IncidentId, ct);
            var incident = await FollowMergesAsync(named, ct);
            var outcome = DedupDecision.Decide(alert.Status, key, incident, viaMerge: incident != named) switch
            {
                DedupAction.OpenNew => await OpenAsync(keyId, key, alert, lifecycle, ct),
                DedupAction.CompleteOpening => await CreateAsync(keyId, key!.IncidentId, key.Openings, alert, lifecycle, ct),
                DedupAction.Append or DedupAction.SourceResolved => await AppendAsync(keyId, incident!.Id, incident, alert, lifecycle, ct),
                DedupAction.NoteOnResolved => await NoteOnResolvedAsync(incident!, alert, ct),
                DedupAction.NoteOnMergedInto => await NoteOnMergedIntoAsync(incident!, named!, alert, ct),
                DedupAction.SourceAcknowledged => await AcknowledgeAsync(incident!, alert, lifecycle, ct),
                DedupAction.DropUnmatchedResolve or DedupAction.DropAcknowledge => Drop(alert),
                DedupAction.RetryLater => throw new IncidentNotReadyException(key!.IncidentId),
                _ => throw new InvalidOperationException("Unknown dedup action."),
            };
            if (outcome is { } done)
            {
                return done;
            }

            LogRaceLost(logger, alert.Id, attempt);
        }

        throw new InvalidOperationException($"Alert {alert.Id} lost {MaxAttempts} races in a row; the queue will retry it.");
    }

    async Task<AlertOutcome?> OpenAsync(string keyId, AlertKeyEntity? key, Alert alert, IIncidentLifecycle lifecycle, CancellationToken ct) =>
        Opened(keyId, await opener.OpenAsync(key, alert, Received(alert), FlapRuleOf(alert.Integration), lifecycle, ct));

    async Task<AlertOutcome?> CreateAsync(string keyId, string id, string? openings, Alert alert, IIncidentLifecycle lifecycle, CancellationToken ct) =>
        Opened(keyId, await opener.CreateAsync(id, openings, alert, Received(alert), FlapRuleOf(alert.Integration), lifecycle, ct));

    FlapRule FlapRuleOf(string integration) =>
        integrations.CurrentValue.Items.TryGetValue(integration, out var settings)
            ? new(settings.FlapThreshold, TimeSpan.FromMinutes(settings.FlapWindowMinutes))
            : FlapRule.Default;

    AlertOutcome? Opened(string keyId, IncidentEntity? incident)
    {
        if (incident is null)
        {
            return null;
        }

        Remember(keyId, incident.Id);
        return AlertOutcome.Opened;
    }

    static TimelineEvent Received(Alert alert) => AlertEvent(alert, TimelineEventTypes.AlertReceived, $"Alert received: {alert.Title}");

    async Task<AlertOutcome?> AppendAsync(string keyId, string incidentId, IncidentEntity? seen, Alert alert, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        var resolves = alert.Status == AlertStatus.Resolved;
        var e = resolves
            ? AlertEvent(alert, TimelineEventTypes.AlertResolved, $"Source resolved: {alert.Title}")
            : AlertEvent(alert, TimelineEventTypes.AlertRepeated, $"Alert repeated: {alert.Title}");
        var appended = await appender.AppendAsync(incidentId, seen, alert, e);
        if (appended.Outcome == AppendOutcome.Stale)
        {
            return null;
        }

        Remember(keyId, incidentId);
        if (appended.Incident is { LifecycleStarted: false } unstarted)
        {
            await opener.FinishAsync(unstarted, lifecycle, ct);
        }

        if (resolves)
        {
            await lifecycle.SignalAsync(incidentId, new LifecycleSignal(SignalKind.SourceResolved, alert.Integration, Channels.Source, alert.ReceivedAt), ct);
            return AlertOutcome.SourceResolved;
        }

        return AlertOutcome.Counted;
    }

    /// <summary><paramref name="keyId"/> is the alert's <see cref="AlertKeyEntity.PartitionKeyOf"/>, hashed once per alert.</summary>
    void Remember(string keyId, string incidentId)
    {
        if (incidentByKey.Count >= MaxRememberedKeys)
        {
            incidentByKey.Clear();
        }

        incidentByKey[keyId] = incidentId;
    }

    /// <summary>
    /// The incident a merged duplicate was merged into (following a chain of merges), or <paramref name="incident"/>
    /// itself when it was not merged. A link to an incident that no longer exists ends the chain where it is.
    /// </summary>
    async Task<IncidentEntity?> FollowMergesAsync(IncidentEntity? incident, CancellationToken ct)
    {
        // Merging refuses a target that is itself merged, so chains stay short; the bound only guards against a loop.
        for (var hop = 0; hop < MaxMergeHops && incident is { Response: not null } && incident.ResponseValue.MergedInto is { } into; hop++)
        {
            if (await incidents.FindAsync(into, ct) is not { } next)
            {
                break;
            }

            incident = next;
        }

        return incident;
    }

    async Task<AlertOutcome?> NoteOnMergedIntoAsync(IncidentEntity incident, IncidentEntity merged, Alert alert, CancellationToken ct)
    {
        await timeline.AppendAsync(incident.Id, AlertEvent(alert, TimelineEventTypes.AlertResolved, $"Source resolved an alert of {merged.Id}, merged into this incident: {alert.Title}"), ct);
        return AlertOutcome.NotedOnResolved;
    }

    async Task<AlertOutcome?> NoteOnResolvedAsync(IncidentEntity incident, Alert alert, CancellationToken ct)
    {
        await timeline.AppendAsync(incident.Id, AlertEvent(alert, TimelineEventTypes.AlertResolved, $"Source resolved after the incident was resolved: {alert.Title}"), ct);
        return AlertOutcome.NotedOnResolved;
    }

    /// <summary>
    /// The source acknowledges: the same transition as a responder's, by the integration through the source channel,
    /// so it races safely with people and with resolution. Repeats are no-ops (already acknowledged); an incident that
    /// was resolved meanwhile stays resolved and the acknowledgement is dropped, as the Events API specifies.
    /// </summary>
    async Task<AlertOutcome?> AcknowledgeAsync(IncidentEntity incident, Alert alert, IIncidentLifecycle lifecycle, CancellationToken ct)
    {
        var result = await responder.AcknowledgeAsync(incident.Id, alert.Integration, Channels.Source, lifecycle, ct);
        return result.Outcome is TransitionOutcome.Applied or TransitionOutcome.AlreadyDone
            ? AlertOutcome.SourceAcknowledged
            : Drop(alert);
    }

    AlertOutcome? Drop(Alert alert)
    {
        LogUnmatched(logger, alert.Id, alert.Status.ToString().ToLowerInvariant(), alert.Integration, alert.IncidentKey);
        return AlertOutcome.Dropped;
    }

    static TimelineEvent AlertEvent(Alert alert, string type, string summary)
    {
        var data = new Dictionary<string, string>
        {
            ["alertId"] = alert.Id,
            ["severity"] = alert.Severity.ToString().ToLowerInvariant(),
            ["status"] = alert.Status.ToString().ToLowerInvariant(),
            ["dedupKey"] = alert.DedupKey,
        };
        if (alert.GroupKey is { } group)
        {
            data["groupKey"] = group;
        }

        return new(alert.Id, alert.ReceivedAt, type, alert.Integration, Channels.Source, summary, data);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert {AlertId} lost a race (attempt {Attempt}); re-reading")]
    static partial void LogRaceLost(ILogger logger, string alertId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped {Status} alert {AlertId}: no open incident for {Integration} key {DedupKey}")]
    static partial void LogUnmatched(ILogger logger, string alertId, string status, string integration, string dedupKey);
}

public sealed class IncidentNotReadyException(string incidentId)
    : Exception($"Incident {incidentId} is still being opened; the resolve will be retried.");
