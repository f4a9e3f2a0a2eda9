using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using IncidentFunctions.DevHost;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;
using IncidentFunctions.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Benchmarks;

public sealed class UsageException(string message) : Exception(message);

/// <summary>The command line, parsed by hand.</summary>
public sealed record BenchOptions
{
    public const string Help = """
        Usage: dotnet run -c Release --project tests/IncidentFunctions.Benchmarks -- ingest [options]

        Fires generic alerts at the dev host from concurrent senders, waits until every accepted alert is counted
        into an incident, and prints throughput, latency, memory and a PASS/FAIL line. Exit code 0 on PASS, 1 on FAIL.

        Without --url it starts its own Azurite and dev host on free ports, with data in a fresh temporary folder,
        and removes them at the end.

        Options:
          --alerts <n>         alerts to send (default 20000)
          --keys <k>           distinct dedup keys, i.e. expected incidents; at most --alerts (default 100)
          --senders <s>        concurrent senders and HTTP connections (default 16)
          --batch <b>          alerts per request, as Alertmanager batches a group's alerts (default 1)
          --timeout <t>        how long to wait for processing after sending: seconds, or e.g. 90s, 10m (default 10m)
          --url <base>         target a running dev host instead, e.g. http://localhost:7071/api/ (needs --key)
          --integration <name> integration to send to (default "bench", or "demo" with --url)
          --key <secret>       the integration's secret (with --url)
          --pid <pid>          the running dev host's process id, to report its peak working set (with --url)
          --azurite-disk       keep the benchmark Azurite's data on disk, as the dev host's own Azurite does
                               (default: in memory; Azurite's disk-backed queue is several times slower)
          -h, --help           show this help
        """;

    public int Alerts { get; init; } = 20_000;

    public int Keys { get; init; } = 100;

    public int Senders { get; init; } = 16;

    public int Batch { get; init; } = 1;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    public Uri? Url { get; init; }

    public string? Integration { get; init; }

    public string? Key { get; init; }

    public int? Pid { get; init; }

    public bool AzuriteOnDisk { get; init; }

    /// <summary>The options, or null when help was asked for.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args.Any(a => a is "-h" or "--help"))
        {
            return null;
        }

        if (args[0] != "ingest")
        {
            throw new UsageException($"Unknown command '{args[0]}'; the commands are 'ingest' and 'lifecycle'.");
        }

        var options = new BenchOptions();
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--azurite-disk")
            {
                options = options with { AzuriteOnDisk = true };
                continue;
            }

            var value = i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value.");
            options = name switch
            {
                "--alerts" => options with { Alerts = Number(name, value, min: 1) },
                "--keys" => options with { Keys = Number(name, value, min: 1) },
                "--senders" => options with { Senders = Number(name, value, min: 1) },
                "--batch" => options with { Batch = Math.Min(Number(name, value, min: 1), GenericAlertFormat.MaxAlertsPerRequest) },
                "--timeout" => options with { Timeout = Duration(name, value) },
                "--url" => options with { Url = BaseUrl(name, value) },
                "--integration" => options with { Integration = IntegrationName(name, value) },
                "--key" => options with { Key = value },
                "--pid" => options with { Pid = Number(name, value, min: 1) },
                _ => throw new UsageException($"Unknown option {name}."),
            };
        }

        if (options.Keys > options.Alerts)
        {
            throw new UsageException("--keys must not be more than --alerts (every key should get an incident).");
        }

        if (options.Url is null && (options.Key is not null || options.Pid is not null))
        {
            throw new UsageException("--key and --pid go with --url; without it the benchmark runs its own dev host.");
        }

        if (options.Url is not null && string.IsNullOrEmpty(options.Key))
        {
            throw new UsageException("--url needs --key, the secret of the integration to send to.");
        }

        return options;
    }

    static int Number(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new UsageException($"{name} must be a whole number of at least {min}, not '{value}'.");

    static TimeSpan Duration(string name, string value)
    {
        var (number, unit) = value.EndsWith('m') ? (value[..^1], 60) : value.EndsWith('s') ? (value[..^1], 1) : (value, 1);
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n > 0
            ? TimeSpan.FromSeconds(n * unit)
            : throw new UsageException($"{name} must be a positive number of seconds, or e.g. 90s or 10m, not '{value}'.");
    }

    static Uri BaseUrl(string name, string value) =>
        Uri.TryCreate(value.EndsWith('/') ? value : value + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"{name} must be an absolute http(s) URL such as http://localhost:7071/api/, not '{value}'.");

    static string IntegrationName(string name, string value) =>
        IntegrationOptions.NamePattern().IsMatch(value)
            ? value
            : throw new UsageException($"{name} must be 1-64 letters, digits, '-' or '_', not '{value}'.");
}

/// <summary>
/// The ingest benchmark: N alerts over K dedup keys from S senders, then wait until the incidents count them all.
/// Figures go to stdout as "name: value" lines; progress and diagnostics go to stderr.
/// </summary>
public static class IngestBenchmark
{
    // Each poll reads every incident of the run from storage; polling faster would compete with the pipeline it measures.
    static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    sealed record GenericAlert(string Title, string Severity, string DedupKey, string Source);

    /// <summary>What the dev host logged during the run and while stopping, and how long stopping took.</summary>
    sealed record HostLog(string RunOutput, string StopOutput, TimeSpan StopDuration);

    sealed record Measurement(
        int Sent,
        int Accepted,
        IReadOnlyDictionary<string, int> Failures,
        double[] SortedLatenciesMs,
        TimeSpan SendDuration,
        TimeSpan ProcessedDuration,
        int Incidents,
        long Counted,
        string? WaitProblem);

    public static async Task<int> RunAsync(BenchOptions options, CancellationToken ct)
    {
        // Dedup keys carry the run id, so that runs against a long-lived dev host do not count each other's alerts.
        var runId = "run" + RandomNumberGenerator.GetHexString(10, lowercase: true);
        if (options.Url is { } url)
        {
            var measurement = await MeasureAsync(options, url, options.Integration ?? "demo", options.Key!, runId, hostPid: options.Pid, alertQueue: null, ct);
            var peak = options.Pid is { } pid ? PeakWorkingSetBytes(pid) : null;
            return Report(options, runId, url.ToString(), measurement, peak, log: null);
        }

        await using var stack = await BenchStack.StartAsync(options.AzuriteOnDisk, Progress);
        return await RunSelfHostedAsync(options, stack, runId, ct);
    }

    static async Task<int> RunSelfHostedAsync(BenchOptions options, BenchStack stack, string runId, CancellationToken ct)
    {
        var ports = stack.Azurite;
        var integration = options.Integration ?? "bench";
        var secret = "bench-" + RandomNumberGenerator.GetHexString(40, lowercase: true);
        var settings = stack.Settings;
        settings[$"{IntegrationOptions.Section}__{integration}__Secrets__0"] = secret;
        settings["DevHost__Principal"] = "bench@localhost";
        settings["Logging__LogLevel__Default"] = "Warning";
        var starting = Stopwatch.StartNew();
        await using var host = await DevHostProcess.StartAsync(NodeService.FreePort(), settings, TimeSpan.FromMinutes(3));
        Progress($"dev host ready at {host.BaseAddress} (pid {host.ProcessId}) after {Seconds(starting.Elapsed)} s");

        // Reading the queue's depth is one request; counting incidents reads every one of them. Count only once the queue is empty.
        var alertQueue = new Azure.Storage.Queues.QueueClient(ports.ConnectionString, QueueNames.Alerts);
        var measurement = await MeasureAsync(options, host.BaseAddress, integration, secret, runId, host.ProcessId, alertQueue, ct);

        // Read the peak right before stopping: it covers start-up, the load and the processing.
        var peak = PeakWorkingSetBytes(host.ProcessId) ?? host.PeakWorkingSetBytes;
        var runOutput = host.Output;
        var stopping = Stopwatch.StartNew();
        await host.StopAsync();
        Progress($"dev host stopped after {Seconds(stopping.Elapsed)} s");
        var log = new HostLog(runOutput, host.Output[runOutput.Length..], stopping.Elapsed);
        return Report(options, runId, "own dev host and Azurite", measurement, peak, log);
    }

    static async Task<Measurement> MeasureAsync(
        BenchOptions options, Uri baseAddress, string integration, string secret, string runId, int? hostPid, Azure.Storage.Queues.QueueClient? alertQueue, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Senders });
        var alertsUri = new Uri(baseAddress, Routes.Alerts.Replace("{integration}", Uri.EscapeDataString(integration), StringComparison.Ordinal));

        var latenciesMs = new double[options.Alerts];
        var outcomes = new string[options.Alerts];
        var next = -1;
        var requestsStarted = -1;
        var clock = Stopwatch.StartNew();
        Progress($"sending {options.Alerts} alerts over {options.Keys} keys from {options.Senders} senders to {alertsUri} (run {runId})");
        using (new Timer(_ => Progress($"sent {Math.Min(Volatile.Read(ref next) + 1, options.Alerts)} of {options.Alerts}"), null, ProgressInterval, ProgressInterval))
        {
            await Task.WhenAll(Enumerable.Range(0, options.Senders).Select(_ => Task.Run(SendAsync, ct)));
        }

        var sendDuration = clock.Elapsed;
        var accepted = outcomes.Count(o => o == "202");
        var failures = outcomes.Where(o => o != "202").GroupBy(o => o).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var sorted = latenciesMs.Where((_, i) => outcomes[i] == "202").Order().ToArray();
        Progress($"sent in {Seconds(sendDuration)} s: {accepted} accepted, {options.Alerts - accepted} failed; waiting for processing");

        // Poll the incident list until the run's incidents have counted every accepted alert.
        var waiting = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        (int Incidents, long Counted) seen = (0, 0);
        string? problem = accepted == 0 ? "no alert was accepted" : null;
        while (problem is null)
        {
            try
            {
                if (alertQueue is null || (await alertQueue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount == 0)
                {
                    seen = await CountAsync(http, baseAddress, runId, ct);
                    if (seen.Counted >= accepted)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                Progress($"could not list incidents: {e.Message}");
            }

            if (hostPid is { } pid && !IsRunning(pid))
            {
                problem = $"the dev host (pid {pid}) exited while alerts were being processed";
                break;
            }

            if (waiting.Elapsed > options.Timeout)
            {
                problem = $"timed out after {Seconds(waiting.Elapsed)} s of waiting with {seen.Counted} of {accepted} alerts counted";
                break;
            }

            if (waiting.Elapsed - lastProgress >= ProgressInterval)
            {
                lastProgress = waiting.Elapsed;
                Progress($"counted {seen.Counted} of {accepted} alerts in {seen.Incidents} incidents after {Seconds(clock.Elapsed)} s");
            }

            await Task.Delay(PollInterval, ct);
        }

        return new Measurement(options.Alerts, accepted, failures, sorted, sendDuration, clock.Elapsed, seen.Incidents, seen.Counted, problem);

        async Task SendAsync()
        {
            int r;
            while ((r = Interlocked.Increment(ref requestsStarted)) * options.Batch < options.Alerts)
            {
                var first = r * options.Batch;
                var last = Math.Min(first + options.Batch, options.Alerts);
                Volatile.Write(ref next, last - 1);
                var alerts = Enumerable.Range(first, last - first)
                    .Select(a => new GenericAlert($"Benchmark alert {a % options.Keys}", "warning", $"{runId}-key-{a % options.Keys}", "bench"))
                    .ToArray();
                using var request = new HttpRequestMessage(HttpMethod.Post, alertsUri)
                {
                    Content = options.Batch == 1
                        ? JsonContent.Create(alerts[0], options: JsonDefaults.Options)
                        : JsonContent.Create(alerts, options: JsonDefaults.Options),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
                var started = Stopwatch.GetTimestamp();
                string outcome;
                try
                {
                    using var response = await http.SendAsync(request, ct);
                    await response.Content.LoadIntoBufferAsync(ct);
                    outcome = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException e)
                {
                    outcome = e.HttpRequestError.ToString();
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    outcome = "timeout";
                }

                var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                for (var a = first; a < last; a++)
                {
                    outcomes[a] = outcome;
                    latenciesMs[a] = latency;
                }
            }
        }
    }

    /// <summary>Pages through all incidents and sums up those of this run (their dedup keys start with the run id).</summary>
    static async Task<(int Incidents, long Counted)> CountAsync(HttpClient http, Uri baseAddress, string runId, CancellationToken ct)
    {
        var incidents = 0;
        var counted = 0L;
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

            var page = await response.Content.ReadFromJsonAsync<ResultPage<Incident>>(JsonDefaults.Options, ct)
                ?? throw new JsonException("The incident list was empty.");
            foreach (var incident in page.Items.Where(i => i.DedupKey.StartsWith(runId + "-", StringComparison.Ordinal)))
            {
                incidents++;
                counted += incident.AlertCount;
            }

            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        return (incidents, counted);
    }

    static Dictionary<string, long>? StorageRequests(string? output)
    {
        var line = output?.Split('\n').FirstOrDefault(l => l.StartsWith(Banner.StorageRequestsPrefix, StringComparison.Ordinal));
        return line?[Banner.StorageRequestsPrefix.Length..]
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(kv => kv[0], kv => long.Parse(kv[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    static int Report(BenchOptions options, string runId, string target, Measurement m, long? peakWorkingSet, HostLog? log)
    {
        var lost = m.Accepted - m.Counted;
        var reasons = new List<string>();
        if (m.WaitProblem is not null)
        {
            reasons.Add(m.WaitProblem);
        }

        if (m.Incidents != options.Keys)
        {
            reasons.Add($"{m.Incidents} incidents for {options.Keys} keys");
        }

        if (lost > 0)
        {
            reasons.Add($"{lost} accepted alerts not counted");
        }
        else if (lost < 0)
        {
            reasons.Add($"{-lost} more alerts counted than accepted");
        }

        var (warnings, errors) = Problems(log?.RunOutput);
        var (_, stopErrors) = Problems(log?.StopOutput);
        PrintSample("dev host errors", errors);
        PrintSample("dev host warnings", warnings);
        PrintSample("dev host errors while stopping", stopErrors);

        Line("target", target);
        Line("run id", runId);
        Line("keys", options.Keys);
        Line("alerts per request", options.Batch);
        Line("senders", options.Senders);
        Line("alerts sent", m.Sent);
        Line("alerts accepted", m.Accepted);
        Line("alerts failed", m.Sent - m.Accepted);
        Line("failed by status", m.Failures.Count == 0 ? "none" : string.Join(", ", m.Failures.Select(f => $"{f.Key}={f.Value}")));
        Line("send duration (s)", Seconds(m.SendDuration));
        Line("accept throughput (alerts/s)", Rate(m.Accepted, m.SendDuration));
        Line("accept latency p50 (ms)", Milliseconds(Percentile(m.SortedLatenciesMs, 50)));
        Line("accept latency p99 (ms)", Milliseconds(Percentile(m.SortedLatenciesMs, 99)));
        Line("processed duration (s)", Seconds(m.ProcessedDuration));
        Line("processed throughput (alerts/s)", Rate(m.Counted, m.ProcessedDuration));
        Line("incidents", m.Incidents);
        Line("alerts counted", m.Counted);
        Line("alerts lost", lost);
        if (StorageRequests(log?.StopOutput) is { } storage)
        {
            // Includes the reads of the benchmark's own completion polls; the Durable task hub's requests are not counted.
            Line("storage requests by the app", string.Join(", ", storage.Select(s => $"{s.Key}={s.Value}")));
            Line("storage requests per accepted alert", (storage.Values.Sum() / (double)Math.Max(1, m.Accepted)).ToString("0.00", CultureInfo.InvariantCulture));
        }

        Line("dev host peak working set (MiB)", peakWorkingSet is { } bytes ? (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) : "n/a");
        Line("dev host warnings", log is null ? "n/a" : warnings.Count);
        Line("dev host errors", log is null ? "n/a" : errors.Count);
        Line("dev host stop duration (s)", log is null ? "n/a" : Seconds(log.StopDuration));
        Line("dev host errors while stopping", log is null ? "n/a" : stopErrors.Count);
        Line("result", reasons.Count == 0 ? "PASS" : $"FAIL ({string.Join("; ", reasons)})");
        return reasons.Count == 0 ? 0 : 1;
    }

    /// <summary>Warning and error lines of a dev host log.</summary>
    static (List<string> Warnings, List<string> Errors) Problems(string? output)
    {
        var lines = output?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        return (lines.Where(l => LevelOf(l) == "warn").ToList(), lines.Where(l => LevelOf(l) is "fail" or "crit").ToList());
    }

    static void Line(string name, object value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {value}"));

    /// <summary>The level of a dev host log line in the simple console format: "12:00:00 warn: Category[0] ...".</summary>
    static string? LevelOf(string line)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 4)
        {
            return null;
        }

        var level = line[(colon - 4)..colon];
        return level is "warn" or "fail" or "crit" && (colon == 4 || line[colon - 5] == ' ') ? level : null;
    }

    /// <summary>Shows the most frequent distinct host log messages (timestamps dropped) on stderr.</summary>
    static void PrintSample(string title, List<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        Console.Error.WriteLine($"[bench] {title} ({lines.Count}), most frequent first:");
        var messages = lines.Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) - 4)..]).Select(l => l.Length > 400 ? l[..400] + "..." : l);
        foreach (var group in messages.GroupBy(l => l).OrderByDescending(g => g.Count()).Take(10))
        {
            Console.Error.WriteLine($"  {group.Count()}x {group.Key}");
        }
    }

    /// <summary>Peak resident set size (VmHWM) from /proc, or the runtime's figure where /proc is unavailable.</summary>
    static long? PeakWorkingSetBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not ours to read: fall back below.
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.PeakWorkingSet64;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    static double Percentile(double[] sorted, double percent) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    static string Rate(long count, TimeSpan duration) =>
        (count / Math.Max(duration.TotalSeconds, 1e-9)).ToString("0.0", CultureInfo.InvariantCulture);

    static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);

    static string Milliseconds(double ms) => double.IsNaN(ms) ? "n/a" : ms.ToString("0.0", CultureInfo.InvariantCulture);

    static void Progress(string message) => Console.Error.WriteLine($"[bench] {message}");
}
