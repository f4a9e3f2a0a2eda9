using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using IncidentFunctions.Ingestion;
using IncidentFunctions.Model;

namespace IncidentFunctions.Benchmarks;

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
          --jit                run the dev host as built (JIT-compiled while it works) instead of published
                               ReadyToRun with tiered compilation off (see PublishedDevHost)
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

    public bool Jit { get; init; }

    /// <summary>The options, or null when help was asked for.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args.Any(a => a is "-h" or "--help"))
        {
            return null;
        }

        if (args[0] != "ingest")
        {
            throw new UsageException($"Unknown command '{args[0]}'; the commands are 'ingest', 'lifecycle', 'capacity' and 'storm'.");
        }

        var options = new BenchOptions();
        foreach (var (name, value) in Arguments.Options(args, "--azurite-disk", "--jit"))
        {
            options = name switch
            {
                "--azurite-disk" => options with { AzuriteOnDisk = true },
                "--jit" => options with { Jit = true },
                "--alerts" => options with { Alerts = Arguments.Number(name, value, min: 1) },
                "--keys" => options with { Keys = Arguments.Number(name, value, min: 1) },
                "--senders" => options with { Senders = Arguments.Number(name, value, min: 1) },
                "--batch" => options with { Batch = Math.Min(Arguments.Number(name, value, min: 1), GenericAlertFormat.MaxAlertsPerRequest) },
                "--timeout" => options with { Timeout = Arguments.Duration(name, value) },
                "--url" => options with { Url = BaseUrl(name, value) },
                "--integration" => options with { Integration = IntegrationName(name, value) },
                "--key" => options with { Key = value },
                "--pid" => options with { Pid = Arguments.Number(name, value, min: 1) },
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

    static Uri BaseUrl(string name, string value) =>
        Uri.TryCreate(value.EndsWith('/') ? value : value + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"{name} must be an absolute http(s) URL such as http://localhost:7071/api/, not '{value}'.");

    static string IntegrationName(string name, string value) =>
        IntegrationNames.Pattern().IsMatch(value)
            ? value
            : throw new UsageException($"{name} must be 1-64 letters, digits, '-' or '_', not '{value}'.");
}

/// <summary>
/// The ingest benchmark: N alerts over K dedup keys from S senders, then wait until the incidents count them all.
/// Figures go to stdout as "name: value" lines; progress and diagnostics go to stderr.
/// </summary>
public static class IngestBenchmark
{
    static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    sealed record GenericAlert(string Title, string Severity, string DedupKey, string Source);

    sealed record Measurement(
        int Sent,
        int Accepted,
        IReadOnlyDictionary<string, int> Failures,
        double[] SortedLatenciesMs,
        TimeSpan SendDuration,
        TimeSpan ProcessedDuration,
        RunIncidents.Counted Counted);

    public static async Task<int> RunAsync(BenchOptions options, CancellationToken ct)
    {
        // Dedup keys carry the run id, so that runs against a long-lived dev host do not count each other's alerts.
        var runId = "run" + RandomNumberGenerator.GetHexString(10, lowercase: true);
        if (options.Url is { } url)
        {
            var measurement = await MeasureAsync(options, url, options.Integration ?? "demo", options.Key!, runId, hostPid: options.Pid, storage: null, ct);
            var peak = options.Pid is { } pid ? HostLog.PeakWorkingSetBytes(pid) : null;
            return Print(options, runId, url.ToString(), measurement, peak, log: null);
        }

        await using var stack = await BenchStack.StartAsync(options.AzuriteOnDisk, options.Jit, ct);
        return await RunSelfHostedAsync(options, stack, runId, ct);
    }

    static async Task<int> RunSelfHostedAsync(BenchOptions options, BenchStack stack, string runId, CancellationToken ct)
    {
        var integration = options.Integration ?? "bench";
        var secret = BenchStack.NewSecret();
        await using var host = await stack.StartDevHostAsync(new Dictionary<string, string>
        {
            [$"{IntegrationOptions.Section}__{integration}__Secrets__0"] = secret,
        });
        var measurement = await MeasureAsync(options, host.BaseAddress, integration, secret, runId, host.ProcessId, stack.Azurite.ConnectionString, ct);

        // Read the peak right before stopping: it covers start-up, the load and the processing.
        var peak = HostLog.PeakWorkingSetBytes(host.ProcessId) ?? host.PeakWorkingSetBytes;
        var log = await HostLog.StopAsync(host);
        return Print(options, runId, "own dev host and Azurite", measurement, peak, log);
    }

    static async Task<Measurement> MeasureAsync(
        BenchOptions options, Uri baseAddress, string integration, string secret, string runId, int? hostPid, string? storage, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Senders });
        var alertsUri = new Uri(baseAddress, Routes.Alerts.Replace("{integration}", Uri.EscapeDataString(integration), StringComparison.Ordinal));

        var latenciesMs = new double[options.Alerts];
        var outcomes = new string[options.Alerts];
        var next = -1;
        var requestsStarted = -1;
        var clock = Stopwatch.StartNew();
        Report.Progress($"sending {options.Alerts} alerts over {options.Keys} keys from {options.Senders} senders to {alertsUri} (run {runId})");
        using (new Timer(_ => Report.Progress($"sent {Math.Min(Volatile.Read(ref next) + 1, options.Alerts)} of {options.Alerts}"), null, ProgressInterval, ProgressInterval))
        {
            await Task.WhenAll(Enumerable.Range(0, options.Senders).Select(_ => Task.Run(SendAsync, ct)));
        }

        var sendDuration = clock.Elapsed;
        var accepted = outcomes.Count(o => o == "202");
        var failures = outcomes.Where(o => o != "202").GroupBy(o => o).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var sorted = latenciesMs.Where((_, i) => outcomes[i] == "202").Order().ToArray();
        Report.Progress($"sent in {Report.Seconds(sendDuration)} s: {accepted} accepted, {options.Alerts - accepted} failed; waiting for processing");

        var counted = accepted == 0
            ? new RunIncidents.Counted([], "no alert was accepted")
            : await RunIncidents.WaitUntilCountedAsync(http, baseAddress, runId, accepted, storage, hostPid, options.Timeout, clock, ct);
        return new Measurement(options.Alerts, accepted, failures, sorted, sendDuration, clock.Elapsed, counted);

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

    static int Print(BenchOptions options, string runId, string target, Measurement m, long? peakWorkingSet, HostLog? log)
    {
        var lost = m.Accepted - m.Counted.Alerts;
        var reasons = new List<string>();
        if (m.Counted.Problem is not null)
        {
            reasons.Add(m.Counted.Problem);
        }

        if (m.Counted.Incidents.Count != options.Keys)
        {
            reasons.Add($"{m.Counted.Incidents.Count} incidents for {options.Keys} keys");
        }

        if (lost > 0)
        {
            reasons.Add($"{lost} accepted alerts not counted");
        }
        else if (lost < 0)
        {
            reasons.Add($"{-lost} more alerts counted than accepted");
        }

        Report.Line("target", target);
        Report.Line("run id", runId);
        Report.Line("keys", options.Keys);
        Report.Line("alerts per request", options.Batch);
        Report.Line("senders", options.Senders);
        Report.Line("alerts sent", m.Sent);
        Report.Line("alerts accepted", m.Accepted);
        Report.Line("alerts failed", m.Sent - m.Accepted);
        Report.Line("failed by status", m.Failures.Count == 0 ? "none" : string.Join(", ", m.Failures.Select(f => $"{f.Key}={f.Value}")));
        Report.Line("send duration (s)", Report.Seconds(m.SendDuration));
        Report.Line("accept throughput (alerts/s)", Report.Rate(m.Accepted, m.SendDuration));
        Report.Line("accept latency p50 (ms)", Report.Milliseconds(Report.Percentile(m.SortedLatenciesMs, 50)));
        Report.Line("accept latency p99 (ms)", Report.Milliseconds(Report.Percentile(m.SortedLatenciesMs, 99)));
        Report.Line("processed duration (s)", Report.Seconds(m.ProcessedDuration));
        Report.Line("processed throughput (alerts/s)", Report.Rate(m.Counted.Alerts, m.ProcessedDuration));
        Report.Line("incidents", m.Counted.Incidents.Count);
        Report.Line("alerts counted", m.Counted.Alerts);
        Report.Line("alerts lost", lost);
        HostLog.Print(log, peakWorkingSet, m.Accepted);
        return Report.Result(reasons);
    }
}
