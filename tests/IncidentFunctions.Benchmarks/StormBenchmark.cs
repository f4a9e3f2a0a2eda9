using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Notifications;
using IncidentFunctions.TestTools;

namespace IncidentFunctions.Benchmarks;

/// <summary>The storm command line.</summary>
public sealed record StormOptions
{
    public const string Help = """
        Usage: dotnet run -c Release --project tests/IncidentFunctions.Benchmarks -- storm [options]

        An alert storm from six monitoring systems at once (generic JSON, generic signed with Standard Webhooks,
        Alertmanager, Grafana, Azure Monitor, PagerDuty Events v2), with exact redeliveries, against its own Azurite,
        MailDev and dev host on free ports. Checks that it ends with one incident per key, every accepted alert counted
        (nothing lost, nothing counted twice), exactly one page email per incident, and the dev host's peak memory under
        the limit; prints throughput, latency and memory, then a PASS/FAIL line. Exit code 0 on PASS, 1 on FAIL.

        Options:
          --alerts <n>         distinct alerts the sources raise, redeliveries not included (default 100000)
          --keys <k>           dedup keys, i.e. expected incidents, dealt round-robin over the six sources; at most
                               --alerts (default 100)
          --senders <s>        concurrent senders and HTTP connections, shared by all sources (default 4)
          --redeliver <f>      share of accepted requests sent again byte for byte, headers included, 0-1 (default 0.1)
          --batch <b>          alerts per Alertmanager or Grafana notification, 1-100 (default 10)
          --memory-limit <m>   the dev host's peak working set must stay under this many MiB (default 1024)
          --timeout <t>        how long to wait for processing after sending: seconds, or e.g. 90s, 10m (default 10m)
          --seed <n>           seeds the choice of redelivered requests (default 1)
          --azurite-memory     keep Azurite's data in memory instead of on disk (its in-memory queue stops answering
                               for minutes at a time once a storm has run for about a minute)
          --jit                run the dev host as built (JIT-compiled while it works) instead of published
                               ReadyToRun with tiered compilation off (see PublishedDevHost)
          -h, --help           show this help
        """;

    public int Alerts { get; init; } = 100_000;

    public int Keys { get; init; } = 100;

    public int Senders { get; init; } = 4;

    public double Redeliver { get; init; } = 0.1;

    public int Batch { get; init; } = 10;

    public int MemoryLimitMiB { get; init; } = 1024;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    public int Seed { get; init; } = 1;

    public bool AzuriteInMemory { get; init; }

    public bool Jit { get; init; }

    public static StormOptions Parse(IReadOnlyList<string> args)
    {
        var options = new StormOptions();
        foreach (var (name, value) in Arguments.Options(args, "--azurite-memory", "--jit"))
        {
            options = name switch
            {
                "--azurite-memory" => options with { AzuriteInMemory = true },
                "--jit" => options with { Jit = true },
                "--alerts" => options with { Alerts = Arguments.Number(name, value, min: 1) },
                "--keys" => options with { Keys = Arguments.Number(name, value, min: 1) },
                "--senders" => options with { Senders = Arguments.Number(name, value, min: 1) },
                "--redeliver" => options with { Redeliver = Arguments.Fraction(name, value) },
                "--batch" => options with { Batch = Math.Min(Arguments.Number(name, value, min: 1), Ingestion.GenericAlertFormat.MaxAlertsPerRequest) },
                "--memory-limit" => options with { MemoryLimitMiB = Arguments.Number(name, value, min: 1) },
                "--timeout" => options with { Timeout = Arguments.Duration(name, value) },
                "--seed" => options with { Seed = Arguments.Number(name, value, min: 0) },
                _ => throw new UsageException($"Unknown option {name}."),
            };
        }

        return options.Keys > options.Alerts
            ? throw new UsageException("--keys must not be more than --alerts (every key should get an incident).")
            : options;
    }
}

/// <summary>
/// The storm benchmark. How alerts are counted, per request the server accepted (202):
/// <list type="bullet">
/// <item>every alert in it is accepted: one for generic, Azure Monitor and PagerDuty, each alert of an Alertmanager or
/// Grafana notification;</item>
/// <item>an exact redelivery of an unsigned request is a new request to the API: its alerts get new ids and are counted
/// again, as repeats of the same incidents;</item>
/// <item>an exact redelivery of a Standard Webhooks-signed request is the same delivery (same webhook-id and
/// timestamp): same alert ids, counted once.</item>
/// </list>
/// So the alerts the run's incidents must count, together, is exactly the accepted alerts minus the signed
/// redeliveries' alerts. Fewer is a lost alert, more is one counted twice.
/// </summary>
public static class StormBenchmark
{
    static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long to wait for the pages once every alert is counted. An incident is paged seconds after it opens, and
    /// it opened when the storm began, so this is ample.
    /// </summary>
    static readonly TimeSpan PageTimeout = TimeSpan.FromMinutes(2);

    /// <summary>After every incident has its page, how long to keep watching the inbox for a second one.</summary>
    static readonly TimeSpan InboxSettle = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a sender waits for an answer. A sender that gives up cannot know whether its alerts were taken, and
    /// the count would no longer be exact; so the senders wait, and a slow answer shows in the latency figures.
    /// </summary>
    static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Level 1 pages one person; level 2 is a day away, far beyond any run, so a second email is a duplicate.</summary>
    const double LevelDelayMinutes = 24 * 60;

    /// <summary>What the senders saw, per source; updated from every sender at once.</summary>
    sealed class Tally
    {
        public readonly long[] RequestsSent = new long[StormTraffic.Sources.Length];
        public readonly long[] AlertsSent = new long[StormTraffic.Sources.Length];
        public readonly long[] AlertsAccepted = new long[StormTraffic.Sources.Length];
        public readonly long[] AlertsRedelivered = new long[StormTraffic.Sources.Length];
        public readonly long[] AlertsToCount = new long[StormTraffic.Sources.Length];

        /// <summary>Alerts of requests that got no answer, which the server may or may not have taken (signed redeliveries excluded).</summary>
        public readonly long[] AlertsUnanswered = new long[StormTraffic.Sources.Length];
        public readonly ConcurrentDictionary<string, int> Failures = new(StringComparer.Ordinal);
        public readonly ConcurrentBag<double[]> LatenciesMs = [];
        public long RequestsRedelivered;

        public static long Sum(long[] perSource) => perSource.Sum();
    }

    public static async Task<int> RunAsync(StormOptions options, CancellationToken ct)
    {
        var runId = "run" + RandomNumberGenerator.GetHexString(10, lowercase: true);
        var traffic = new StormTraffic(runId, options.Alerts, options.Keys, options.Batch, options.Redeliver, options.Seed);
        await using var stack = await BenchStack.StartAsync(azuriteOnDisk: !options.AzuriteInMemory, options.Jit, ct);
        var settings = traffic.Settings();
        settings["Policy__Json"] = BenchStack.TwoLevelPolicy(LevelDelayMinutes);
        await using var host = await stack.StartDevHostAsync(settings);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Senders }) { Timeout = RequestTimeout };
        var tally = new Tally();
        var clock = Stopwatch.StartNew();
        var workingSets = new List<(long Alerts, long Bytes)>();
        Report.Progress($"storm of {options.Alerts} alerts over {options.Keys} keys from {options.Senders} senders, {options.Redeliver:P0} of requests redelivered (run {runId})");
        using (new Timer(_ => Watch(), null, ProgressInterval, ProgressInterval))
        {
            await Task.WhenAll(Enumerable.Range(0, options.Senders).Select(_ => Task.Run(() => SendAsync(http, host.BaseAddress, traffic, tally, ct), ct)));
        }

        Watch();
        var sendDuration = clock.Elapsed;
        var accepted = Tally.Sum(tally.AlertsAccepted);
        var expected = Tally.Sum(tally.AlertsToCount);
        Report.Progress($"sent in {Report.Seconds(sendDuration)} s: {accepted} alerts accepted, {expected} to count; waiting for processing");
        var counted = expected == 0
            ? new RunIncidents.Counted([], "no alert was accepted")
            : await RunIncidents.WaitUntilCountedAsync(http, host.BaseAddress, runId, expected, stack.Azurite.ConnectionString, host.ProcessId, options.Timeout, clock, ct);
        var processedDuration = clock.Elapsed;

        using var inbox = new MailDevClient(stack.MailDev);
        var emails = await EmailsPerIncidentAsync(inbox, counted.Incidents.Select(i => i.Id).ToHashSet(StringComparer.Ordinal), PageTimeout, ct);

        // Read the peak right before stopping: it covers start-up, the storm and the processing.
        var peak = HostLog.PeakWorkingSetBytes(host.ProcessId) ?? host.PeakWorkingSetBytes;
        var log = await HostLog.StopAsync(host);
        return Print(options, runId, traffic, tally, counted, emails, workingSets, sendDuration, processedDuration, peak, log);

        void Watch()
        {
            var sent = Tally.Sum(tally.AlertsSent);
            var workingSet = HostLog.WorkingSetBytes(host.ProcessId);
            if (workingSet is { } bytes)
            {
                lock (workingSets)
                {
                    workingSets.Add((sent, bytes));
                }
            }

            Report.Progress($"sent {sent} alerts in {Tally.Sum(tally.RequestsSent)} requests ({Interlocked.Read(ref tally.RequestsRedelivered)} redelivered); dev host working set {Report.MiB(workingSet)} MiB");
        }
    }

    /// <summary>
    /// One sender: takes the next request of the storm, and keeps its own redeliveries, each due a moment after the
    /// original was accepted. Only accepted requests are redelivered: a redelivery repeats a delivery the server took.
    /// </summary>
    static async Task SendAsync(HttpClient http, Uri baseAddress, StormTraffic traffic, Tally tally, CancellationToken ct)
    {
        var latencies = new List<double>();
        var redeliveries = new PriorityQueue<StormRequest, TimeSpan>();
        var clock = Stopwatch.StartNew();
        var stormOver = false;
        while (true)
        {
            StormRequest request;
            var redelivery = redeliveries.TryPeek(out _, out var due) && (due <= clock.Elapsed || stormOver);
            if (redelivery)
            {
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, ct);
                }

                request = redeliveries.Dequeue();
            }
            else if (!stormOver && traffic.Next() is { } next)
            {
                request = next;
            }
            else if (redeliveries.Count > 0)
            {
                stormOver = true;
                continue;
            }
            else
            {
                break;
            }

            var source = (int)request.Source;
            Interlocked.Increment(ref tally.RequestsSent[source]);
            Interlocked.Add(ref tally.AlertsSent[source], request.Alerts);
            using var message = request.ToHttp(baseAddress);
            var started = Stopwatch.GetTimestamp();
            string outcome;
            var answered = false;
            try
            {
                using var response = await http.SendAsync(message, ct);
                await response.Content.LoadIntoBufferAsync(ct);
                answered = true;
                outcome = response.StatusCode == HttpStatusCode.Accepted ? "202" : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException e)
            {
                outcome = e.HttpRequestError.ToString();
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                outcome = "timeout";
            }

            // A signed redelivery is the same delivery: the server counts its alerts once, with the original.
            var counts = !(redelivery && request.Source == StormSource.Signed);
            if (outcome != "202")
            {
                tally.Failures.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                if (!answered && counts)
                {
                    Interlocked.Add(ref tally.AlertsUnanswered[source], request.Alerts);
                }

                continue;
            }

            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Interlocked.Add(ref tally.AlertsAccepted[source], request.Alerts);
            if (redelivery)
            {
                Interlocked.Increment(ref tally.RequestsRedelivered);
                Interlocked.Add(ref tally.AlertsRedelivered[source], request.Alerts);
            }

            if (counts)
            {
                Interlocked.Add(ref tally.AlertsToCount[source], request.Alerts);
            }

            if (!redelivery && request.RedeliverAfter is { } after)
            {
                redeliveries.Enqueue(request, clock.Elapsed + after);
            }
        }

        tally.LatenciesMs.Add([.. latencies]);
    }

    /// <summary>
    /// Emails per incident, from MailDev's X-Incident-Id header: waits until every incident has at least one (or the
    /// timeout), then watches a while longer for a second one. Emails of incidents not in <paramref name="incidents"/>
    /// are counted under the empty id.
    /// </summary>
    static async Task<Dictionary<string, int>> EmailsPerIncidentAsync(MailDevClient inbox, HashSet<string> incidents, TimeSpan timeout, CancellationToken ct)
    {
        var waiting = Stopwatch.StartNew();
        int paged;
        while ((paged = incidents.Count((await CountAsync()).ContainsKey)) < incidents.Count && waiting.Elapsed < timeout)
        {
            Report.Progress($"{paged} of {incidents.Count} incidents paged");
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }

        Report.Progress($"{paged} of {incidents.Count} incidents paged after {Report.Seconds(waiting.Elapsed)} s of waiting; watching the inbox {InboxSettle.TotalSeconds:0} s more for a second email");
        await Task.Delay(InboxSettle, ct);
        return await CountAsync();

        async Task<Dictionary<string, int>> CountAsync() => (await inbox.ListAsync(ct: ct))
            .GroupBy(e => e.Header(NotificationHeaders.IncidentId) is { } id && incidents.Contains(id) ? id : string.Empty)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    static int Print(
        StormOptions options,
        string runId,
        StormTraffic traffic,
        Tally tally,
        RunIncidents.Counted counted,
        Dictionary<string, int> emails,
        List<(long Alerts, long Bytes)> workingSets,
        TimeSpan sendDuration,
        TimeSpan processedDuration,
        long? peak,
        HostLog log)
    {
        var accepted = Tally.Sum(tally.AlertsAccepted);
        var expected = Tally.Sum(tally.AlertsToCount);
        var unanswered = Tally.Sum(tally.AlertsUnanswered);
        var lost = Math.Max(0, expected - counted.Alerts);
        var countedTwice = Math.Max(0, counted.Alerts - expected - unanswered);
        var latencies = tally.LatenciesMs.SelectMany(l => l).Order().ToArray();
        var countedBySource = StormTraffic.Sources.ToDictionary(s => s, s => counted.Incidents
            .Where(i => string.Equals(i.Integration, StormTraffic.IntegrationOf(s), StringComparison.OrdinalIgnoreCase))
            .Sum(i => (long)i.AlertCount));
        var incidentEmails = counted.Incidents.Select(i => emails.GetValueOrDefault(i.Id)).ToList();
        var strayEmails = emails.GetValueOrDefault(string.Empty);
        var duplicateKeys = counted.Incidents.GroupBy(i => (i.Integration, i.DedupKey)).Count(g => g.Count() > 1);

        var failures = new List<string>();
        if (counted.Problem is not null)
        {
            failures.Add(counted.Problem);
        }

        if (!tally.Failures.IsEmpty)
        {
            failures.Add($"{tally.Failures.Values.Sum()} requests not accepted");
        }

        if (counted.Incidents.Count != options.Keys)
        {
            failures.Add($"{counted.Incidents.Count} incidents for {options.Keys} keys");
        }

        if (duplicateKeys > 0)
        {
            failures.Add($"{duplicateKeys} keys with more than one incident");
        }

        if (lost > 0)
        {
            failures.Add($"{lost} accepted alerts not counted");
        }

        if (countedTwice > 0)
        {
            failures.Add($"{countedTwice} more alerts counted than accepted");
        }

        if (incidentEmails.Count(n => n == 0) is > 0 and var unpaged)
        {
            failures.Add($"{unpaged} incidents never paged");
        }

        if (incidentEmails.Count(n => n > 1) is > 0 and var repaged)
        {
            failures.Add($"{repaged} incidents emailed more than once");
        }

        if (strayEmails > 0)
        {
            failures.Add($"{strayEmails} emails for incidents that are not the run's");
        }

        if (peak is not { } bytes || bytes >= options.MemoryLimitMiB * 1024L * 1024)
        {
            failures.Add($"dev host peak working set {Report.MiB(peak)} MiB is not under {options.MemoryLimitMiB} MiB");
        }

        Report.Line("target", "own dev host, Azurite and MailDev");
        Report.Line("run id", runId);
        Report.Line("sources (keys)", string.Join(", ", traffic.KeysBySource().Select(s => $"{StormTraffic.IntegrationOf(s.Key)}={s.Value}")));
        Report.Line("keys", options.Keys);
        Report.Line("senders", options.Senders);
        Report.Line("alerts per Alertmanager/Grafana notification", options.Batch);
        Report.Line("alerts raised", options.Alerts);
        Report.Line("requests sent", Tally.Sum(tally.RequestsSent));
        Report.Line("alerts sent", Tally.Sum(tally.AlertsSent));
        Report.Line("alerts accepted", accepted);
        Report.Line("requests redelivered", Interlocked.Read(ref tally.RequestsRedelivered));
        Report.Line("alerts redelivered", Tally.Sum(tally.AlertsRedelivered));
        Report.Line("alerts redelivered signed (counted once)", tally.AlertsRedelivered[(int)StormSource.Signed]);
        Report.Line("requests failed by status", tally.Failures.IsEmpty ? "none" : string.Join(", ", tally.Failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}")));
        Report.Line("send duration (s)", Report.Seconds(sendDuration));
        Report.Line("accept throughput (alerts/s)", Report.Rate(accepted, sendDuration));
        Report.Line("accept latency p50 per request (ms)", Report.Milliseconds(Report.Percentile(latencies, 50)));
        Report.Line("accept latency p99 per request (ms)", Report.Milliseconds(Report.Percentile(latencies, 99)));
        Report.Line("accept latency max (ms)", Report.Milliseconds(latencies.LastOrDefault(double.NaN)));
        Report.Line("processed duration (s)", Report.Seconds(processedDuration));
        Report.Line("processed throughput (alerts/s)", Report.Rate(counted.Alerts, processedDuration));
        Report.Line("incidents", counted.Incidents.Count);
        Report.Line("alerts to count", expected);
        Report.Line("alerts counted", counted.Alerts);
        Report.Line("alerts lost", lost);
        Report.Line("alerts counted twice", countedTwice);
        Report.Line("alerts of unanswered requests (may or may not be counted)", unanswered);
        Report.Line("alerts to count / counted by source", string.Join(", ", StormTraffic.Sources.Select(s =>
            $"{StormTraffic.IntegrationOf(s)}={tally.AlertsToCount[(int)s]}/{countedBySource[s]}")));
        Report.Line("incidents paged", incidentEmails.Count(n => n > 0));
        Report.Line("emails per incident min / max", incidentEmails.Count == 0 ? "n/a" : $"{incidentEmails.Min()} / {incidentEmails.Max()}");
        Report.Line("emails for other incidents", strayEmails);
        lock (workingSets)
        {
            Report.Line("dev host working set while sending (alerts sent: MiB)", string.Join(", ", Quartiles(workingSets).Select(w => $"{w.Alerts}: {Report.MiB(w.Bytes)}")));
        }

        Report.Line("dev host memory limit (MiB)", options.MemoryLimitMiB);
        HostLog.Print(log, peak, accepted);
        return Report.Result(failures);
    }

    /// <summary>Four samples spread over the storm, the last included: enough to see whether memory grows with it.</summary>
    static IEnumerable<(long Alerts, long Bytes)> Quartiles(List<(long Alerts, long Bytes)> samples) =>
        samples.Count <= 4 ? samples : new[] { 1, 2, 3, 4 }.Select(q => samples[q * samples.Count / 4 - 1]);
}
