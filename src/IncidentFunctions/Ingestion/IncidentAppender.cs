using System.Collections.Concurrent;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Timeline;

namespace IncidentFunctions.Ingestion;

public enum AppendOutcome
{
    /// <summary>Counted now.</summary>
    Counted,

    /// <summary>Counted by an earlier delivery of the same alert; nothing changed.</summary>
    AlreadyCounted,

    /// <summary>The incident was resolved, merged into another or vanished meanwhile: decide again from storage.</summary>
    Stale,
}

/// <summary>The incident as it stood right after an append, for the caller's follow-up work.</summary>
public sealed record AppendResult(AppendOutcome Outcome, IncidentEntity? Incident);

/// <summary>
/// Group commit per incident. Alerts for the same incident that arrive while a write for it is in flight are counted
/// together in the next write: one entity-group transaction updates the incident and adds every alert's write-once row,
/// one more adds their timeline events. Under a storm this turns hundreds of writes into a few, and the incident's
/// latest ETag is kept so that the common case needs no read. Correctness never rests on this process's view: the
/// incident's ETag and the alert rows decide, and a conflict re-reads.
/// </summary>
public sealed class IncidentAppender(IncidentStore incidents, TimelineStore timeline)
{
    const int MaxAttempts = 50;

    /// <summary>
    /// While an incident keeps receiving alerts, its next write waits this long to gather more: under a storm an incident
    /// is written about once a second however many alerts it gets (the ingest benchmark's 100 incidents took about
    /// 2,500 table transactions for 20,000 alerts, against 5,000 to 6,800 at 500 ms). The first alert after a quiet
    /// spell, and so every alert of a quiet incident, is written at once.
    /// </summary>
    static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    const int SweepEvery = 1024;
    static readonly TimeSpan IdleLaneLifetime = TimeSpan.FromMinutes(1);

    readonly ConcurrentDictionary<string, Lane> lanes = new(StringComparer.Ordinal);
    long appends;

    sealed record Pending(Alert Alert, TimelineEvent Event, TaskCompletionSource<AppendResult> Done);

    sealed class Lane
    {
        public readonly List<Pending> Waiting = [];
        public bool Draining;
        public IncidentEntity? Latest;
        public long LastCommitTicks;
    }

    /// <summary>
    /// Counts <paramref name="alert"/> into incident <paramref name="incidentId"/> and records <paramref name="event"/>
    /// on its timeline. <paramref name="seen"/> is the caller's read of the incident, if it has one.
    /// </summary>
    public Task<AppendResult> AppendAsync(string incidentId, IncidentEntity? seen, Alert alert, TimelineEvent @event)
    {
        var pending = new Pending(alert, @event, new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Interlocked.Increment(ref appends) % SweepEvery == 0)
        {
            Sweep();
        }

        var lane = lanes.GetOrAdd(incidentId, _ => new Lane());
        var start = false;
        lock (lane)
        {
            lane.Waiting.Add(pending);
            lane.Latest ??= seen;
            if (!lane.Draining)
            {
                lane.Draining = start = true;
            }
        }

        if (start)
        {
            _ = Task.Run(() => DrainAsync(incidentId, lane));
        }

        return pending.Done.Task;
    }

    /// <summary>Forgets incidents that have been quiet for a while, so memory follows the active incidents only.</summary>
    void Sweep()
    {
        var cutoff = Environment.TickCount64 - (long)IdleLaneLifetime.TotalMilliseconds;
        foreach (var (id, lane) in lanes)
        {
            lock (lane)
            {
                if (!lane.Draining && lane.Waiting.Count == 0 && Interlocked.Read(ref lane.LastCommitTicks) < cutoff)
                {
                    lanes.TryRemove(new KeyValuePair<string, Lane>(id, lane));
                }
            }
        }
    }

    async Task DrainAsync(string id, Lane lane)
    {
        while (true)
        {
            if (Environment.TickCount64 - Interlocked.Read(ref lane.LastCommitTicks) < Linger.TotalMilliseconds * 2)
            {
                await Task.Delay(Linger);
            }

            List<Pending> batch;
            lock (lane)
            {
                if (lane.Waiting.Count == 0)
                {
                    lane.Draining = false;
                    return;
                }

                batch = lane.Waiting.Take(IncidentStore.MaxTransactionActions - 1).ToList();
                lane.Waiting.RemoveRange(0, batch.Count);
            }

            var (originals, copies) = SplitCopies(batch);
            try
            {
                await CommitAsync(id, lane, originals);
            }
            catch (Exception e)
            {
                lane.Latest = null;
                originals.ForEach(p => p.Done.TrySetException(e));
            }

            copies.ForEach(c => AnswerLike(c.Copy, c.Original));
        }
    }

    /// <summary>
    /// Two deliveries of one alert can wait for the same write (a re-sent signed webhook, or a queue message delivered
    /// again while the first delivery waits), and a transaction may hold a row only once: the write takes the first
    /// delivery, and each further copy gets its answer.
    /// </summary>
    static (List<Pending> Originals, List<(Pending Copy, Pending Original)> Copies) SplitCopies(List<Pending> batch)
    {
        var originals = new Dictionary<string, Pending>(StringComparer.Ordinal);
        var unique = new List<Pending>(batch.Count);
        var copies = new List<(Pending, Pending)>();
        foreach (var pending in batch)
        {
            var row = AlertEntity.RowKeyOf(pending.Alert);
            if (originals.TryGetValue(row, out var original))
            {
                copies.Add((pending, original));
            }
            else
            {
                originals.Add(row, pending);
                unique.Add(pending);
            }
        }

        return (unique, copies);
    }

    /// <summary>A copy's answer once its original is answered: counted already, stale, or the same failure.</summary>
    static void AnswerLike(Pending copy, Pending original)
    {
        var done = original.Done.Task;
        if (done.IsCompletedSuccessfully)
        {
            copy.Done.TrySetResult(done.Result.Outcome == AppendOutcome.Counted ? done.Result with { Outcome = AppendOutcome.AlreadyCounted } : done.Result);
        }
        else
        {
            copy.Done.TrySetException(done.Exception?.InnerExceptions ?? [new InvalidOperationException("The original delivery was not answered.")]);
        }
    }

    async Task CommitAsync(string id, Lane lane, List<Pending> batch)
    {
        var incident = lane.Latest;
        for (var attempt = 0; attempt < MaxAttempts && batch.Count > 0; attempt++)
        {
            incident ??= await incidents.FindAsync(id, CancellationToken.None);
            // A merged duplicate takes no more alerts, even before its resolution lands: they count where it was merged.
            if (incident is null || incident.StatusValue == IncidentStatus.Resolved || incident is { Response: not null, ResponseValue.MergedInto: not null })
            {
                lane.Latest = null;
                batch.ForEach(p => p.Done.TrySetResult(new AppendResult(AppendOutcome.Stale, incident)));
                return;
            }

            var rows = batch.Select(p => AlertEntity.From(id, p.Alert)).ToList();

            // Count into a copy: the incident read stays as stored until a write succeeds, so a write that stores
            // nothing (every alert counted before, or a lost race) never leaks its count into the next one.
            var changed = incident.Copy();
            Apply(changed, batch);
            switch (await incidents.TryAppendAsync(changed, rows, CancellationToken.None))
            {
                case WriteOutcome.Applied:
                    lane.Latest = changed;
                    Interlocked.Exchange(ref lane.LastCommitTicks, Environment.TickCount64);
                    await timeline.AppendManyAsync(id, batch.Select(p => p.Event).ToList(), CancellationToken.None);
                    var snapshot = changed.Copy();
                    batch.ForEach(p => p.Done.TrySetResult(new AppendResult(AppendOutcome.Counted, snapshot)));
                    return;

                case WriteOutcome.AlreadyApplied:
                    // A redelivery: those alerts are counted; make sure their timeline events exist, then go on without them.
                    var existing = await incidents.ExistingAlertRowsAsync(rows, CancellationToken.None);
                    var done = batch.Where(p => existing.Contains(AlertEntity.RowKeyOf(p.Alert))).ToList();
                    await timeline.AppendManyAsync(id, done.Select(p => p.Event).ToList(), CancellationToken.None);
                    incident = await incidents.FindAsync(id, CancellationToken.None);
                    done.ForEach(p => p.Done.TrySetResult(new AppendResult(AppendOutcome.AlreadyCounted, incident is null ? null : incident.Copy())));
                    batch = batch.Except(done).ToList();
                    break;

                default:
                    // Someone else changed the incident since we read it: our changes to this copy are void.
                    incident = null;
                    break;
            }
        }

        if (batch.Count > 0)
        {
            throw new InvalidOperationException($"Incident {id} changed under {MaxAttempts} writes in a row; the queue will retry.");
        }
    }

    static void Apply(IncidentEntity incident, List<Pending> batch)
    {
        incident.AlertCount += batch.Count;
        foreach (var alert in batch.Select(p => p.Alert))
        {
            if (alert.ReceivedAt > incident.LastAlertAt)
            {
                incident.LastAlertAt = alert.ReceivedAt;
            }
        }

        incident.Observe(batch.Select(p => p.Alert));
    }

}
