using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.TestTools;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.Extensions.Logging.Abstractions;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// The paging benchmark: a steady alert rate over K keys against its own dev host (Azurite, MailDev). For each
/// incident it measures webhook accepted → first email in MailDev, and how late the level 2 page arrives compared
/// with the level 1 page plus the policy's delay; and, from the same alerts in the same run, Alertmanager's first
/// email, the yardstick for ours. Figures go to stdout; progress to stderr.
/// </summary>
public static class LifecycleBenchmark
{
    public const string Help = """
        Usage: dotnet run -c Release --project tests/IncidentFunctions.Benchmarks -- lifecycle [options]

        Starts its own Azurite, MailDev and dev host on free ports with a two-level policy (alice, then bob), sends
        alerts at a steady rate over K dedup keys (each key's first alert opens an incident, the rest are repeats),
        and watches MailDev. Prints first-email latency (202 Accepted to the email in MailDev) and escalation lateness
        (level 2's email in MailDev minus the time it was due: level 1's emails sent plus the delay) as p50/p99/max, and
        a PASS/FAIL line against the targets: first email p99 < 2 s, escalation lateness p99 < 1 s.

        Beside the app it starts Prometheus Alertmanager (Debian's prometheus-alertmanager, installed with apt-get when
        run as root) emailing the same MailDev, hands it every alert at the same moment as the webhook (POST
        /api/v2/alerts), and prints its first-email latency (200 to the email in MailDev) too, and the app's against
        the target set beside it: first email p50 < 0.2 s and p99 < 0.5 s (not part of PASS/FAIL yet).

        Options:
          --alerts <n>         alerts to send (default 500)
          --keys <k>           distinct dedup keys, i.e. incidents (default 50)
          --rate <r>           alerts per second, steady (default 10)
          --level-delay <s>    seconds between escalation levels (default 10)
          --timeout <s>        seconds to wait for the last level 2 page after sending (default 120)
          --without-alertmanager
                               do not run Alertmanager beside the app
          --jit                run the dev host as built (JIT-compiled while it works) instead of published
                               ReadyToRun with tiered compilation off (see PublishedDevHost)
        """;

    /// <summary>The first email target measured side by side with Alertmanager (issue 14), not yet part of PASS/FAIL.</summary>
    const double BesideAlertmanagerP50Ms = 200;
    const double BesideAlertmanagerP99Ms = 500;

    sealed record Options(int Alerts, int Keys, double Rate, double LevelDelay, double Timeout, bool Jit = false, bool Alertmanager = true);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var options = Parse(args);
        var runId = "run" + RandomNumberGenerator.GetHexString(6, lowercase: true);
        // On disk, as the issue 14 targets are set: the runs are too short for its autosaves to weigh.
        await using var stack = await BenchStack.StartAsync(azuriteOnDisk: true, options.Jit, ct);

        var secret = BenchStack.NewSecret();
        await using var host = await stack.StartDevHostAsync(new Dictionary<string, string>([
            BenchAlerts.SecretSetting(secret),
            new("Policy__Json", BenchStack.TwoLevelPolicy(options.LevelDelay / 60)),
        ]));
        await using var alertmanager = options.Alertmanager ? await AlertmanagerBeside.StartAsync(stack.MailDev) : null;

        using var mail = new MailDevClient(stack.MailDev);
        var clock = Stopwatch.StartNew();
        var firstSeen = new ConcurrentDictionary<(int Key, string To), TimeSpan>();
        using var stopWatching = new CancellationTokenSource();
        var watcher = Task.Run(() => new InboxReader(mail, clock).ReadAsync(
            (email, at) =>
            {
                if (BenchAlerts.KeyOf(email.Subject, runId) is { } key)
                {
                    firstSeen.TryAdd((key, email.To[0].Address.Split('@')[0]), at);
                }
            },
            stopWatching.Token), ct);

        var accepted = new ConcurrentDictionary<int, TimeSpan>();
        var acceptedByAlertmanager = new ConcurrentDictionary<int, TimeSpan>();
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        Report.Progress($"sending {options.Alerts} alerts over {options.Keys} keys at {options.Rate}/s (run {runId})");
        // Each alert goes to our webhook and to Alertmanager at the same moment; each side's latency runs from its own
        // acceptance of the key's first alert.
        await BenchAlerts.AtSteadyRateAsync(options.Alerts, options.Rate, clock, i =>
        {
            var key = i % options.Keys;
            return Task.WhenAll(
                SendAsync(() => BenchAlerts.SendAsync(http, secret, runId, key, ct), key, clock, accepted),
                alertmanager is null ? Task.CompletedTask : SendAsync(() => PostAsync(alertmanager, runId, key, ct), key, clock, acceptedByAlertmanager));
        }, ct);
        Report.Progress($"sent in {clock.Elapsed.TotalSeconds:0.0} s; waiting for every level 2 page");
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(options.LevelDelay + options.Timeout);
        bool Waiting(int key) => !firstSeen.ContainsKey((key, "bob")) || alertmanager is not null && !firstSeen.ContainsKey((key, AlertmanagerBeside.Recipient));
        while (Enumerable.Range(0, options.Keys).Any(Waiting) && clock.Elapsed < deadline)
        {
            await Task.Delay(200, ct);
        }

        await stopWatching.CancelAsync();
        await watcher;

        var firstEmail = FirstEmails(options.Keys, accepted, firstSeen, "alice");
        // Level 2's email in MailDev against the time the orchestration set for it (level 1's emails sent, plus the
        // delay; recorded on the incident.escalated event), on the same machine clock.
        var dueAt = await EscalationDueTimesAsync(http, runId, ct);
        var wallStart = DateTimeOffset.UtcNow - clock.Elapsed;
        var lateness = Enumerable.Range(0, options.Keys)
            .Where(k => dueAt.ContainsKey(k) && firstSeen.ContainsKey((k, "bob")))
            .Select(k => (wallStart + firstSeen[(k, "bob")] - dueAt[k]).TotalMilliseconds).Order().ToArray();

        Report.Line("alerts sent", options.Alerts);
        Report.Line("incidents (keys)", options.Keys);
        Report.Line("rate (alerts/s)", options.Rate);
        Report.Line("level delay (s)", options.LevelDelay);
        Report.Line("first emails seen", firstEmail.Length);
        Report.Line("first email p50 (ms)", Report.Milliseconds(Report.Percentile(firstEmail, 50)));
        Report.Line("first email p99 (ms)", Report.Milliseconds(Report.Percentile(firstEmail, 99)));
        Report.Line("first email max (ms)", Report.Milliseconds(firstEmail.LastOrDefault(double.NaN)));
        Report.Line("level 2 pages seen", lateness.Length);
        Report.Line("escalation lateness p50 (ms)", Report.Milliseconds(Report.Percentile(lateness, 50)));
        Report.Line("escalation lateness p99 (ms)", Report.Milliseconds(Report.Percentile(lateness, 99)));
        Report.Line("escalation lateness max (ms)", Report.Milliseconds(lateness.LastOrDefault(double.NaN)));
        Report.Line("escalation early (count)", lateness.Count(l => l < 0));
        Report.Line("inbox poll (ms)", InboxReader.Poll.TotalMilliseconds);
        Report.Line("orchestration starts deferred (count)", await DeferredStartsAsync(http, host.GrpcSocket, runId, ct));
        if (alertmanager is not null)
        {
            PrintBesideAlertmanager(firstEmail, FirstEmails(options.Keys, acceptedByAlertmanager, firstSeen, AlertmanagerBeside.Recipient));
            PrintSlowestBeside(options.Keys, accepted, acceptedByAlertmanager, firstSeen);
        }

        await PrintWhereTimeGoesAsync(http, host.GrpcSocket, runId, firstEmail.Length == 0 ? null : Enumerable.Range(0, options.Keys)
            .Where(k => accepted.ContainsKey(k) && firstSeen.ContainsKey((k, "alice")))
            .MaxBy(k => firstSeen[(k, "alice")] - accepted[k]), ct);

        var failures = new List<string>();
        if (firstEmail.Length < options.Keys)
        {
            failures.Add($"{options.Keys - firstEmail.Length} incidents never emailed level 1");
        }

        if (lateness.Length < options.Keys)
        {
            failures.Add($"{options.Keys - lateness.Length} incidents never escalated to level 2");
        }

        if (Report.Percentile(firstEmail, 99) >= 2000)
        {
            failures.Add("first email p99 is not under 2 s");
        }

        if (Report.Percentile(lateness, 99) >= 1000)
        {
            failures.Add("escalation lateness p99 is not under 1 s");
        }

        await host.StopAsync();
        return Report.Result(failures);
    }

    /// <summary>Per key, when level 2 was due: the incident.escalated event's dueAt.</summary>
    static async Task<Dictionary<int, DateTimeOffset>> EscalationDueTimesAsync(HttpClient http, string runId, CancellationToken ct)
    {
        var due = new Dictionary<int, DateTimeOffset>();
        foreach (var incident in await RunIncidents.ListSummariesAsync(http, http.BaseAddress!, runId, ct))
        {
            var dedupKey = incident.DedupKey;
            var timeline = await http.GetFromJsonAsync<JsonElement>($"incidents/{incident.Id}/timeline?limit=100", ct);
            foreach (var e in timeline.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "incident.escalated"))
            {
                due[int.Parse(dedupKey[(runId.Length + 1)..], CultureInfo.InvariantCulture)] =
                    DateTimeOffset.Parse(e.GetProperty("data").GetProperty("dueAt").GetString()!, CultureInfo.InvariantCulture);
            }
        }

        return due;
    }

    /// <summary>
    /// Incidents whose orchestration took its first step 1.5 s or more after the instance was created: the Durable Azure
    /// Storage provider found the start message before the instance's row (the client writes the message first) and
    /// put it back for 2 s. Such an incident's first page cannot make 2 s; the count says how much of a miss that was.
    /// </summary>
    static async Task<int> DeferredStartsAsync(HttpClient http, string grpcSocket, string runId, CancellationToken ct)
    {
        await using var durable = new GrpcDurableTaskClient(
            "bench", new GrpcDurableTaskClientOptions { Channel = DurableFunctions.CreateChannel(grpcSocket) }, NullLogger<GrpcDurableTaskClient>.Instance);
        var deferred = 0;
        foreach (var id in (await RunIncidents.ListSummariesAsync(http, http.BaseAddress!, runId, ct)).Select(i => i.Id))
        {
            var timeline = await http.GetFromJsonAsync<JsonElement>($"incidents/{id}/timeline?limit=100", ct);
            var opened = timeline.GetProperty("items").EnumerateArray().FirstOrDefault(e => e.GetProperty("type").GetString() == "incident.opened");
            if (opened.ValueKind == JsonValueKind.Object && await durable.GetInstanceAsync(id, ct) is { } instance &&
                opened.GetProperty("at").GetDateTimeOffset() - instance.CreatedAt >= TimeSpan.FromSeconds(1.5))
            {
                deferred++;
            }
        }

        return deferred;
    }

    /// <summary>The slowest incident's timeline as offsets from its first alert: which step the time went to.</summary>
    static async Task PrintWhereTimeGoesAsync(HttpClient http, string grpcSocket, string runId, int? key, CancellationToken ct)
    {
        if (key is null)
        {
            return;
        }

        var incident = (await RunIncidents.ListSummariesAsync(http, http.BaseAddress!, runId, ct)).FirstOrDefault(i => i.DedupKey == $"{runId}-{key}");
        if (incident is null)
        {
            return;
        }

        var id = incident.Id;
        var timeline = await http.GetFromJsonAsync<JsonElement>($"incidents/{id}/timeline?limit=100", ct);
        var events = timeline.GetProperty("items").EnumerateArray().ToList();
        var start = events[0].GetProperty("at").GetDateTimeOffset();
        Console.WriteLine($"slowest first email: incident {id} (key {key}); its timeline, ms after the alert was received:");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {(incident.OpenedAt - start).TotalMilliseconds,8:0}  (incident row created by the queue processor)"));
        await using var durable = new GrpcDurableTaskClient(
            "bench", new GrpcDurableTaskClientOptions { Channel = DurableFunctions.CreateChannel(grpcSocket) }, NullLogger<GrpcDurableTaskClient>.Instance);
        if (await durable.GetInstanceAsync(id!, ct) is { } instance)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {(instance.CreatedAt - start).TotalMilliseconds,8:0}  (orchestration instance created)"));
        }
        foreach (var e in events.Take(8))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {(e.GetProperty("at").GetDateTimeOffset() - start).TotalMilliseconds,8:0}  {e.GetProperty("type").GetString()}"));
        }
    }

    /// <summary>
    /// The first email each system sent for each key (the app's to <paramref name="recipient"/> alice, Alertmanager's
    /// to its own), from its first acceptance of the key's alert, in ms, ascending.
    /// </summary>
    static double[] FirstEmails(int keys, ConcurrentDictionary<int, TimeSpan> accepted, ConcurrentDictionary<(int Key, string To), TimeSpan> firstSeen, string recipient) =>
        Enumerable.Range(0, keys)
            .Where(k => accepted.ContainsKey(k) && firstSeen.ContainsKey((k, recipient)))
            .Select(k => (firstSeen[(k, recipient)] - accepted[k]).TotalMilliseconds).Order().ToArray();

    /// <summary>Alertmanager's first emails beside the app's, from the same alerts in the same run, and the app's against the target set beside it.</summary>
    static void PrintBesideAlertmanager(double[] ours, double[] alertmanager)
    {
        Report.Line("Alertmanager first emails seen", alertmanager.Length);
        Report.Line("Alertmanager first email p50 (ms)", Report.Milliseconds(Report.Percentile(alertmanager, 50)));
        Report.Line("Alertmanager first email p99 (ms)", Report.Milliseconds(Report.Percentile(alertmanager, 99)));
        Report.Line("Alertmanager first email max (ms)", Report.Milliseconds(alertmanager.LastOrDefault(double.NaN)));
        var met = Report.Percentile(ours, 50) < BesideAlertmanagerP50Ms && Report.Percentile(ours, 99) < BesideAlertmanagerP99Ms;
        Report.Line(
            "first email vs Alertmanager target (p50 < 0.2 s, p99 < 0.5 s; not in the result yet)",
            $"{(met ? "PASS" : "FAIL")} (ours {Report.Milliseconds(Report.Percentile(ours, 50))} / {Report.Milliseconds(Report.Percentile(ours, 99))} ms, " +
            $"Alertmanager's {Report.Milliseconds(Report.Percentile(alertmanager, 50))} / {Report.Milliseconds(Report.Percentile(alertmanager, 99))} ms)");
    }

    /// <summary>
    /// The app's five slowest first emails, each beside Alertmanager's for the same key and when the key's first alert was
    /// sent: a tail both share (the same moment, the same inbox) tells the machine from the app.
    /// </summary>
    static void PrintSlowestBeside(
        int keys, ConcurrentDictionary<int, TimeSpan> accepted, ConcurrentDictionary<int, TimeSpan> acceptedByAlertmanager,
        ConcurrentDictionary<(int Key, string To), TimeSpan> firstSeen)
    {
        double? Took(int key, ConcurrentDictionary<int, TimeSpan> from, string recipient) =>
            from.TryGetValue(key, out var at) && firstSeen.TryGetValue((key, recipient), out var seen) ? (seen - at).TotalMilliseconds : null;

        var slowest = Enumerable.Range(0, keys)
            .Select(k => (Key: k, Ours: Took(k, accepted, "alice"), Theirs: Took(k, acceptedByAlertmanager, AlertmanagerBeside.Recipient)))
            .Where(k => k.Ours is not null)
            .OrderByDescending(k => k.Ours)
            .Take(5)
            .Select(k => string.Create(CultureInfo.InvariantCulture,
                $"key {k.Key} at {accepted[k.Key].TotalSeconds:0.0} s: {k.Ours:0} / {(k.Theirs is { } t ? t.ToString("0", CultureInfo.InvariantCulture) : "none")}"));
        Report.Line("slowest first emails (ours / Alertmanager's, ms)", string.Join("; ", slowest));
    }

    /// <summary>Sends one alert and notes when <paramref name="key"/>'s first was accepted.</summary>
    static async Task SendAsync(Func<Task<bool>> send, int key, Stopwatch clock, ConcurrentDictionary<int, TimeSpan> accepted)
    {
        if (await send())
        {
            accepted.TryAdd(key, clock.Elapsed);
        }
    }

    static async Task<bool> PostAsync(AlertmanagerBeside alertmanager, string runId, int key, CancellationToken ct)
    {
        try
        {
            await alertmanager.PostAsync(runId, key, ct);
            return true;
        }
        catch (HttpRequestException e)
        {
            Report.Progress($"Alertmanager refused the alert of key {key}: {e.Message}");
            return false;
        }
    }

    static Options Parse(IReadOnlyList<string> args)
    {
        var options = new Options(500, 50, 10, 10, 120);
        foreach (var (name, value) in Arguments.Options(args, "--jit", "--without-alertmanager"))
        {
            if (name is "--jit" or "--without-alertmanager")
            {
                options = name == "--jit" ? options with { Jit = true } : options with { Alertmanager = false };
                continue;
            }

            var number = double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new UsageException($"{name} must be a positive number, not '{value}'.");
            options = name switch
            {
                "--alerts" => options with { Alerts = (int)number },
                "--keys" => options with { Keys = (int)number },
                "--rate" => options with { Rate = number },
                "--level-delay" => options with { LevelDelay = number },
                "--timeout" => options with { Timeout = number },
                _ => throw new UsageException($"Unknown option {name}."),
            };
        }

        return options.Keys > options.Alerts ? throw new UsageException("--keys must not be more than --alerts.") : options;
    }
}
