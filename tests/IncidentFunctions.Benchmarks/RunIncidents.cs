using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;

namespace IncidentFunctions.Benchmarks;

/// <summary>The incidents of one benchmark run (their dedup keys start with the run id), read through the API.</summary>
public static class RunIncidents
{
    // Each poll reads every incident from storage; polling faster would compete with the pipeline it measures. Once
    // the alerts queue is empty only the incidents' last writes remain, and the poll interval is the measurement's
    // error, so it shortens.
    static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    static readonly TimeSpan DrainedPollInterval = TimeSpan.FromMilliseconds(250);
    static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    /// <summary>The run's incidents when waiting ended, and why it ended early, if it did.</summary>
    public sealed record Counted(IReadOnlyList<Incident> Incidents, string? Problem)
    {
        public long Alerts => Incidents.Sum(i => (long)i.AlertCount);
    }

    /// <summary>
    /// Pages through all incidents, keeps this run's, and reads each of them (a listing carries summaries, without the
    /// alert count that changes with every repeat).
    /// </summary>
    public static async Task<List<Incident>> ListAsync(HttpClient http, Uri baseAddress, string runId, CancellationToken ct)
    {
        var ids = await ListIdsAsync(http, baseAddress, runId, ct);
        var incidents = new Incident[ids.Count];
        await Parallel.ForAsync(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            var path = Routes.Incident.Replace("{id}", ids[i], StringComparison.Ordinal);
            using var response = await http.GetAsync(new Uri(baseAddress, path), token);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(token)}");
            }

            incidents[i] = await response.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options, token)
                ?? throw new JsonException($"GET {path} returned no incident.");
        });
        return [.. incidents];
    }

    static async Task<List<string>> ListIdsAsync(HttpClient http, Uri baseAddress, string runId, CancellationToken ct) =>
        [.. (await ListSummariesAsync(http, baseAddress, runId, ct)).Select(i => i.Id)];

    /// <summary>The run's incidents as the listing shows them, every page of it.</summary>
    public static async Task<List<IncidentSummary>> ListSummariesAsync(HttpClient http, Uri baseAddress, string runId, CancellationToken ct)
    {
        var found = new List<IncidentSummary>();
        string? continuation = null;
        do
        {
            var query = $"{Routes.Incidents}?status={IndexEntity.All}&limit={IncidentStore.MaxPageSize}";
            if (continuation is not null)
            {
                query += "&continuation=" + Uri.EscapeDataString(continuation);
            }

            using var response = await http.GetAsync(new Uri(baseAddress, query), ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"GET {query} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            }

            var page = await response.Content.ReadFromJsonAsync<ResultPage<IncidentSummary>>(JsonDefaults.Options, ct)
                ?? throw new JsonException("The incident list was empty.");
            found.AddRange(page.Items.Where(i => i.DedupKey.StartsWith(runId + "-", StringComparison.Ordinal)));
            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        return found;
    }

    /// <summary>
    /// Polls until the run's incidents have counted at least <paramref name="expected"/> alerts. With
    /// <paramref name="storage"/> (the host's own account) it lists incidents only once the alerts queue is empty, as
    /// reading the queue's depth is one request and listing reads every incident; and it stops early when messages
    /// reach the poison queue, since their alerts will never be counted.
    /// </summary>
    public static async Task<Counted> WaitUntilCountedAsync(
        HttpClient http, Uri baseAddress, string runId, long expected, string? storage, int? hostPid, TimeSpan timeout, Stopwatch clock, CancellationToken ct)
    {
        var alerts = storage is null ? null : new QueueClient(storage, QueueNames.Alerts);
        var poison = storage is null ? null : new QueueClient(storage, QueueNames.PoisonOf(QueueNames.Alerts));
        var waiting = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        IReadOnlyList<Incident> seen = [];
        while (true)
        {
            var drained = false;
            try
            {
                if (poison is not null && await DepthAsync(poison, ct) is > 0 and var poisoned)
                {
                    return new Counted(await ListAsync(http, baseAddress, runId, ct), $"{poisoned} queue messages were moved to the poison queue");
                }

                if (alerts is null || await DepthAsync(alerts, ct) == 0)
                {
                    drained = alerts is not null;
                    seen = await ListAsync(http, baseAddress, runId, ct);
                    if (seen.Sum(i => (long)i.AlertCount) >= expected)
                    {
                        return new Counted(seen, null);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or RequestFailedException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                Report.Progress($"could not list incidents: {e.Message}");
            }

            if (hostPid is { } pid && !HostLog.IsRunning(pid))
            {
                return new Counted(seen, $"the dev host (pid {pid}) exited while alerts were being processed");
            }

            if (waiting.Elapsed > timeout)
            {
                return new Counted(seen, $"timed out after {Report.Seconds(waiting.Elapsed)} s of waiting with {seen.Sum(i => (long)i.AlertCount)} of {expected} alerts counted");
            }

            if (waiting.Elapsed - lastProgress >= ProgressInterval)
            {
                lastProgress = waiting.Elapsed;
                Report.Progress($"counted {seen.Sum(i => (long)i.AlertCount)} of {expected} alerts in {seen.Count} incidents after {Report.Seconds(clock.Elapsed)} s");
            }

            await Task.Delay(drained ? DrainedPollInterval : PollInterval, ct);
        }
    }

    /// <summary>Messages in a queue, invisible ones (being processed) included; a queue not created yet holds none.</summary>
    public static async Task<int> DepthAsync(QueueClient queue, CancellationToken ct)
    {
        try
        {
            return (await queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }
}
