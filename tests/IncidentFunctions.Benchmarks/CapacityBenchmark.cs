using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Azure.Storage.Queues;
using IncidentFunctions.TestTools;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// The capacity benchmark (issue 14): new incidents at a steady rate for minutes, each escalating through the whole
/// policy (alice, bob, again, then the team told escalation is exhausted), against its own dev host on on-disk Azurite.
/// Everything is measured where a responder sees it, in MailDev's inbox: the first page's latency, and each later
/// email's lateness against the previous one plus the delay, per minute, so that a growing backlog shows; then the
/// storage requests each incident's lifecycle cost, by kind, and the CPU of every process on the machine.
/// </summary>
public static class CapacityBenchmark
{
    public const string Help = """
        Usage: dotnet run -c Release --project tests/IncidentFunctions.Benchmarks -- capacity [options]

        Starts its own Azurite (on disk), MailDev and dev host on free ports with the policy "alice, then bob, each
        --level-delay apart, --repeat more rounds, then the team is told escalation is exhausted" (6 emails per
        incident at the defaults), opens --rate new incidents per second (one alert each, a new dedup key) for
        --minutes, and reads MailDev's inbox every 100 ms (deleting what it has read) until every incident has sent
        every email. Prints, overall and per minute: first page latency (202 Accepted to the email in MailDev) by the
        minute the alert was sent, and escalation lateness (each later email in MailDev minus the one before it plus the
        delay) by the minute it was due, as p50 / p99 / max; emails expected, seen, duplicated and missing; storage
        requests per incident lifecycle by kind (the app's and the Durable provider's), with an idle host's polling for
        comparison, and the task hub's history per incident (orchestration episodes, activities, timers), which explains
        the provider's share; the CPU of Azurite's three processes, MailDev and the dev host per minute; Azurite's data
        on disk.
        Then PASS/FAIL against the targets: first page p99 < 2 s and escalation lateness p99 < 5 s in every minute, no
        email missing or sent twice. The defaults are the target: 10 incidents/s for 5 minutes, levels 60 s apart, one
        repeat (about 25 minutes with the set-up).

        With --rates it runs each rate on a fresh stack and reports the highest rate whose escalation lateness p99 stayed
        under 1 s in every minute with no email missing: shorten it with --minutes and --level-delay.

        Options:
          --rate <r>           new incidents per second (default 10)
          --rates <r1,r2,..>   run each rate in turn instead, e.g. 2,4,6,8,10
          --minutes <m>        minutes of sending (default 5)
          --level-delay <s>    seconds between escalation levels (default 60)
          --repeat <n>         rounds of both levels after the first (default 1)
          --timeout <s>        seconds to wait, after the last incident's escalation was due, for emails still
                               missing (default 600)
          --idle <s>           seconds an idle dev host runs first, to measure its storage polling (default 30;
                               0 skips it)
          --jit                run the dev host as built (JIT) instead of published ReadyToRun
        """;

    const double FirstPageP99TargetMs = 2000;
    const double LatenessP99TargetMs = 5000;
    const double SustainedLatenessP99Ms = 1000;

    /// <summary>Lateness measured between two inbox polls can be this negative without a page having come early.</summary>
    const double EarlyMs = -500;

    static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(15);
    static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(1);

    sealed record Options(double Rate, IReadOnlyList<double> Rates, double Minutes, double LevelDelay, int Repeat, double Timeout, int Idle, bool Jit)
    {
        public static readonly Options Target = new(10, [], 5, 60, 1, 600, 30, false);

        /// <summary>Whether a run at <paramref name="rate"/> is the one the targets are set for; another may pass or fail them.</summary>
        public bool AreTheTarget(double rate) =>
            rate == Target.Rate && Minutes == Target.Minutes && LevelDelay == Target.LevelDelay && Repeat == Target.Repeat;

        public string Describe(string rate) => string.Create(
            CultureInfo.InvariantCulture,
            $"{rate} new incidents/s for {Minutes} min; alice then bob, {LevelDelay} s apart, {Repeat} repeat(s), then the team; on-disk Azurite");
    }

    /// <summary>What one rate's run found.</summary>
    sealed record Outcome(double Rate, List<string> Failures, bool Sustained, double WorstLatenessP99Ms);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var options = Parse(args);
        if (options.Rates.Count == 0)
        {
            return Report.Result((await RunRateAsync(options, options.Rate, ct)).Failures);
        }

        var outcomes = new List<Outcome>();
        foreach (var rate in options.Rates)
        {
            Report.Line("rate run", string.Create(CultureInfo.InvariantCulture, $"{rate}/s ({outcomes.Count + 1} of {options.Rates.Count})"));
            var outcome = await RunRateAsync(options, rate, ct);
            Report.Line($"rate {Format(rate)}/s against the targets", outcome.Failures.Count == 0 ? "PASS" : $"FAIL ({string.Join("; ", outcome.Failures)})");
            outcomes.Add(outcome);
        }

        Report.Line("settings", options.Describe("each rate's"));
        foreach (var outcome in outcomes)
        {
            Report.Line($"rate {Format(outcome.Rate)}/s worst minute escalation lateness p99 (ms)", Report.Milliseconds(outcome.WorstLatenessP99Ms));
            Report.Line($"rate {Format(outcome.Rate)}/s sustained (lateness p99 < 1 s every minute, every email once)", outcome.Sustained ? "yes" : "no");
        }

        var highest = outcomes.Where(o => o.Sustained).Select(o => o.Rate).DefaultIfEmpty(double.NaN).Max();
        Report.Line("highest sustained rate (new incidents/s)", double.IsNaN(highest) ? "none of those run" : Format(highest));
        return Report.Result(double.IsNaN(highest) ? ["no rate kept escalation lateness p99 under 1 s in every minute"] : []);
    }

    /// <summary>This process, in the CPU figures: it sends the alerts and reads the inbox.</summary>
    const string Benchmark = "benchmark (sender, inbox reader)";

    static async Task<Outcome> RunRateAsync(Options options, double rate, CancellationToken ct)
    {
        var runId = "run" + RandomNumberGenerator.GetHexString(6, lowercase: true);
        var secret = BenchStack.NewSecret();
        var delay = TimeSpan.FromSeconds(options.LevelDelay);
        var settings = new Dictionary<string, string>([
            BenchAlerts.SecretSetting(secret),
            new("Policy__Json", BenchStack.TwoLevelPolicy(delay.TotalMinutes, delay.TotalMinutes, options.Repeat)),
        ]);
        await using var stack = await BenchStack.StartAsync(azuriteOnDisk: true, options.Jit, ct);
        var idle = options.Idle > 0 ? await IdleStorageAsync(stack, settings, TimeSpan.FromSeconds(options.Idle), ct) : null;

        await using var host = await stack.StartDevHostAsync(settings);
        var hostUp = Stopwatch.StartNew();
        using var mail = new MailDevClient(stack.MailDev);
        var clock = Stopwatch.StartNew();
        var inbox = new EscalationInbox(runId, options.Repeat);
        var cpu = new ProcessCpu([.. stack.Tools.Select(t => (t.Name, t.ProcessId)), ("dev host", host.ProcessId), (Benchmark, Environment.ProcessId)]);
        using var stopWatching = new CancellationTokenSource();
        var watching = Task.Run(() => new InboxReader(mail, clock).ReadAsync(inbox.Record, stopWatching.Token), ct);
        var sampling = Task.Run(() => cpu.RecordAsync(clock, stopWatching.Token), ct);

        var count = (int)Math.Round(rate * options.Minutes * 60);
        var accepted = new TimeSpan?[count];
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        Report.Progress($"{options.Describe(Format(rate))}: {count} incidents, {inbox.EmailsPerIncident} emails each (run {runId})");
        TimeSpan lag;
        using (new Timer(_ => Progress(inbox, accepted, delay, clock), null, ProgressInterval, ProgressInterval))
        {
            lag = await BenchAlerts.AtSteadyRateAsync(count, rate, clock, async key =>
            {
                if (await BenchAlerts.SendAsync(http, secret, runId, key, ct))
                {
                    accepted[key] = clock.Elapsed;
                }
            }, ct);
            Report.Progress($"sent in {Report.Seconds(clock.Elapsed)} s; waiting for every incident's last email");
            var deadline = clock.Elapsed + inbox.Pages * delay + TimeSpan.FromSeconds(options.Timeout);
            while (!Keys(accepted).All(inbox.Complete) && clock.Elapsed < deadline && HostLog.IsRunning(host.ProcessId))
            {
                await Task.Delay(500, ct);
            }
        }

        var left = await QueuedMessagesAsync(stack.Azurite.ConnectionString, DrainTimeout, ct);
        await stopWatching.CancelAsync();
        await Task.WhenAll(watching, sampling);
        var peak = HostLog.PeakWorkingSetBytes(host.ProcessId);
        var uptime = hostUp.Elapsed;
        var log = await HostLog.StopAsync(host);
        var history = await DurableHistory.CountAsync(stack.Azurite.ConnectionString, ct);

        Report.Line("settings", options.Describe(Format(rate)));
        Report.Line("settings are the target's (10/s, 5 min, 60 s levels, 1 repeat)", options.AreTheTarget(rate) ? "yes" : "no");
        var outcome = PrintPaging(options, rate, inbox, accepted, lag);
        Report.Line("messages left in the queues after the last email (poison queues aside)", left);
        Report.Line("alerts in the poison queue", await RunIncidents.DepthAsync(
            new QueueClient(stack.Azurite.ConnectionString, QueueNames.PoisonOf(QueueNames.Alerts)), ct));
        PrintStorage(StorageRequests.Parse(log.StopOutput), idle, history, Keys(accepted).Count(), uptime, whole: left == 0 && Keys(accepted).All(inbox.Complete));
        cpu.Print();
        cpu.PrintPerIncident(Keys(accepted).Count(), new HashSet<string> { Benchmark, "MailDev" });
        Report.Line("Azurite data on disk (MiB)", Report.MiB(SizeOf(new DirectoryInfo(stack.AzuriteFolder))));
        HostLog.PrintHealth(log, peak);
        return outcome;
    }

    /// <summary>The paging figures, and the failures and sustained verdict they make.</summary>
    static Outcome PrintPaging(Options options, double rate, EscalationInbox inbox, TimeSpan?[] accepted, TimeSpan lag)
    {
        var delay = TimeSpan.FromSeconds(options.LevelDelay);
        var keys = Keys(accepted).ToList();

        // First page: by the minute its alert was sent. Later emails: by the minute they were due, the previous step's
        // email in MailDev plus the delay (what the orchestration waits from: the page as sent).
        var firstPages = new List<(TimeSpan At, double Ms)>();
        var lateness = new List<(TimeSpan At, double Ms)>();
        foreach (var key in keys)
        {
            var emails = inbox.Of(key);
            if (emails[0] is { } first)
            {
                firstPages.Add((TimeSpan.FromSeconds(key / rate), (first - accepted[key]!.Value).TotalMilliseconds));
            }

            for (var slot = 1; slot < emails.Count; slot++)
            {
                if (emails[slot] is { } seen && emails[inbox.StepOf(slot) - 1] is { } previous)
                {
                    lateness.Add((previous + delay, (seen - previous - delay).TotalMilliseconds));
                }
            }
        }

        var expected = (long)keys.Count * inbox.EmailsPerIncident;
        var placed = keys.Sum(k => inbox.Of(k).Count(e => e is not null));
        Report.Line("incidents opened (alerts accepted / sent)", $"{keys.Count} / {accepted.Length}");
        Report.Line("sender's largest lag behind its schedule (ms)", Report.Milliseconds(lag.TotalMilliseconds));
        Report.Line("emails expected", expected);
        Report.Line("emails seen", placed);
        Report.Line("emails missing", expected - placed);
        Report.Line("emails duplicated (a Message-ID seen again)", inbox.Duplicates);
        Report.Line("emails unexpected (no place in the policy)", inbox.Unexpected);
        Report.Line("inbox poll (ms)", InboxReader.Poll.TotalMilliseconds);

        var firstByMinute = ByMinute(firstPages);
        var lateByMinute = ByMinute(lateness);
        Report.Line("first page p50 / p99 / max (ms)", Report.Summary(firstPages.Select(f => f.Ms).Order().ToArray()));
        foreach (var (minute, ms) in firstByMinute)
        {
            Report.Line($"first page, alerts sent in minute {minute}, p50 / p99 / max (ms)", Report.Summary(ms));
        }

        Report.Line("escalation lateness p50 / p99 / max (ms)", Report.Summary(lateness.Select(l => l.Ms).Order().ToArray()));
        foreach (var (minute, ms) in lateByMinute)
        {
            Report.Line($"escalation lateness, due in minute {minute}, p50 / p99 / max (ms)", Report.Summary(ms));
        }

        Report.Line("emails earlier than due by over 0.5 s", lateness.Count(l => l.Ms < EarlyMs));

        var failures = new List<string>();
        var incomplete = accepted.Length - keys.Count;
        var broken = expected - placed + inbox.Duplicates + inbox.Unexpected + incomplete;
        if (incomplete > 0)
        {
            failures.Add($"{incomplete} alerts were refused");
        }

        if (lag > TimeSpan.FromSeconds(1))
        {
            failures.Add($"the sender fell {Report.Seconds(lag)} s behind its schedule, so the rate was not held");
        }

        if (expected - placed > 0)
        {
            failures.Add($"{expected - placed} emails missing");
        }

        if (inbox.Duplicates + inbox.Unexpected > 0)
        {
            failures.Add($"{inbox.Duplicates} emails duplicated and {inbox.Unexpected} unexpected");
        }

        if (MinutesOver(firstByMinute, FirstPageP99TargetMs) is { Length: > 0 } slowFirst)
        {
            failures.Add($"first page p99 not under 2 s in minute(s) {slowFirst}");
        }

        if (MinutesOver(lateByMinute, LatenessP99TargetMs) is { Length: > 0 } late)
        {
            failures.Add($"escalation lateness p99 not under 5 s in due minute(s) {late}");
        }

        var worst = lateByMinute.Select(m => Report.Percentile(m.Ms, 99)).DefaultIfEmpty(double.NaN).Max();
        return new Outcome(rate, failures, broken == 0 && lateByMinute.Count > 0 && worst < SustainedLatenessP99Ms, worst);
    }

    /// <summary>
    /// Storage requests per incident lifecycle, by kind: the dev host's totals on stop, after every lifecycle finished,
    /// divided by the incidents. They include the host's polling over its uptime, which an idle host shows apart.
    /// </summary>
    static void PrintStorage(
        StorageRequests? storage, (StorageRequests Requests, TimeSpan Up)? idle, IReadOnlyList<(string Name, long Count)> history, int incidents, TimeSpan uptime, bool whole)
    {
        Report.Line("storage requests cover every lifecycle whole (every email seen, every queue empty)", whole ? "yes" : "no: per incident below is of unfinished lifecycles");
        if (storage is null || incidents == 0)
        {
            Report.Line("storage requests per incident lifecycle", "n/a (the dev host did not print its totals)");
            return;
        }

        string PerIncident(long requests) => (requests / (double)incidents).ToString("0.00", CultureInfo.InvariantCulture);
        Report.Line("storage requests counted over the dev host's uptime (s)", Report.Seconds(uptime));
        Report.Line("storage requests per incident lifecycle", PerIncident(storage.Total));
        Report.Line("storage requests per incident lifecycle, the app's", PerIncident(storage.App.Values.Sum()));
        Report.Line("storage requests per incident lifecycle, the Durable provider's", PerIncident(storage.Durable.Values.Sum()));
        Report.Line("storage requests per incident lifecycle, table / queue / blob",
            string.Join(" / ", new[] { "table", "queue", "blob" }.Select(service => PerIncident(storage.OfService(service)))));
        foreach (var (kind, requests) in storage.App.OrderByDescending(k => k.Value).Concat(storage.Durable.OrderByDescending(k => k.Value)))
        {
            Report.Line($"storage per incident: {kind}", PerIncident(requests));
        }

        Report.Line($"Durable history per incident: {string.Join(" / ", history.Select(h => h.Name))}", string.Join(" / ", history.Select(h => PerIncident(h.Count))));

        if (idle is { } quiet)
        {
            string PerSecond(double requests) => (requests / quiet.Up.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture);
            Report.Line($"idle dev host storage requests/s ({quiet.Up.TotalSeconds:0} s, start-up included)", PerSecond(quiet.Requests.Total));
            Report.Line("idle dev host storage requests/s, the app's / the Durable provider's",
                $"{PerSecond(quiet.Requests.App.Values.Sum())} / {PerSecond(quiet.Requests.Durable.Values.Sum())}");
            Report.Line("idle dev host storage requests/s, busiest kinds",
                string.Join(", ", quiet.Requests.ByKind.OrderByDescending(k => k.Value).Take(5).Select(k => $"{k.Key} {PerSecond(k.Value)}")));
            Report.Line("idle polling at that rate over this run's uptime, per incident",
                PerIncident((long)(quiet.Requests.Total / quiet.Up.TotalSeconds * uptime.TotalSeconds)));
        }
    }

    /// <summary>
    /// The storage requests of a dev host left idle for <paramref name="idle"/> on the run's stack: what polling alone
    /// costs (and its start-up), to compare with what each incident costs.
    /// </summary>
    static async Task<(StorageRequests Requests, TimeSpan Up)?> IdleStorageAsync(BenchStack stack, IReadOnlyDictionary<string, string> settings, TimeSpan idle, CancellationToken ct)
    {
        await using var host = await stack.StartDevHostAsync(settings);
        var up = Stopwatch.StartNew();
        Report.Progress($"measuring an idle dev host's storage requests for {idle.TotalSeconds:0} s");
        await Task.Delay(idle, ct);
        var elapsed = up.Elapsed;
        var log = await HostLog.StopAsync(host);
        var history = await DurableHistory.CountAsync(stack.Azurite.ConnectionString, ct);
        return StorageRequests.Parse(log.StopOutput) is { } requests ? (requests, elapsed) : null;
    }

    /// <summary>
    /// Waits until no queue of the account holds a message (poison queues aside), at most <paramref name="timeout"/>,
    /// and returns how many are left: the orchestrations' last steps after their last emails (history writes) are then
    /// done, so that the totals the host prints when it stops cover every lifecycle whole. Read with a client of the
    /// benchmark's own, which the host does not count.
    /// </summary>
    static async Task<int> QueuedMessagesAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        var service = new QueueServiceClient(connectionString);
        var waiting = Stopwatch.StartNew();
        while (true)
        {
            var left = 0;
            var names = new List<string>();
            await foreach (var queue in service.GetQueuesAsync(cancellationToken: ct))
            {
                names.Add(queue.Name);
            }

            foreach (var name in names.Where(name => !names.Any(other => QueueNames.PoisonOf(other) == name)))
            {
                left += await RunIncidents.DepthAsync(service.GetQueueClient(name), ct);
            }

            if (left == 0 || waiting.Elapsed > timeout)
            {
                return left;
            }

            await Task.Delay(500, ct);
        }
    }

    /// <summary>Every 15 s: how far the run is, and how many emails are overdue by over 5 s (a backlog building).</summary>
    static void Progress(EscalationInbox inbox, TimeSpan?[] accepted, TimeSpan delay, Stopwatch clock)
    {
        var now = clock.Elapsed;
        var overdue = 0;
        foreach (var key in Keys(accepted))
        {
            var emails = inbox.Of(key);
            for (var slot = 0; slot < emails.Count; slot++)
            {
                var due = slot == 0 ? accepted[key] : emails[inbox.StepOf(slot) - 1] + delay;
                if (emails[slot] is null && due + TimeSpan.FromSeconds(5) < now)
                {
                    overdue++;
                }
            }
        }

        Report.Progress($"{now.TotalSeconds:0} s: {Keys(accepted).Count()} incidents opened, {inbox.Seen} emails seen, {overdue} overdue by over 5 s");
    }

    static IEnumerable<int> Keys(TimeSpan?[] accepted) => Enumerable.Range(0, accepted.Length).Where(k => accepted[k] is not null);

    static List<(int Minute, double[] Ms)> ByMinute(IEnumerable<(TimeSpan At, double Ms)> values) =>
        values.GroupBy(v => (int)v.At.TotalMinutes + 1).OrderBy(g => g.Key).Select(g => (g.Key, g.Select(v => v.Ms).Order().ToArray())).ToList();

    static string MinutesOver(List<(int Minute, double[] Ms)> byMinute, double p99Ms) =>
        string.Join(", ", byMinute.Where(m => Report.Percentile(m.Ms, 99) >= p99Ms).Select(m => m.Minute));

    static long SizeOf(DirectoryInfo folder) =>
        folder.Exists ? folder.EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    static string Format(double rate) => rate.ToString("0.##", CultureInfo.InvariantCulture);

    static Options Parse(IReadOnlyList<string> args)
    {
        var options = Options.Target;
        foreach (var (name, value) in Arguments.Options(args, "--jit"))
        {
            options = name switch
            {
                "--jit" => options with { Jit = true },
                "--rate" => options with { Rate = Arguments.Positive(name, value) },
                "--rates" => options with { Rates = value.Split(',').Select(r => Arguments.Positive(name, r.Trim())).ToList() },
                "--minutes" => options with { Minutes = Arguments.Positive(name, value) },
                "--level-delay" => options with { LevelDelay = Arguments.Positive(name, value) },
                "--repeat" => options with { Repeat = Arguments.Number(name, value, 0) },
                "--timeout" => options with { Timeout = Arguments.Positive(name, value) },
                "--idle" => options with { Idle = Arguments.Number(name, value, 0) },
                _ => throw new UsageException($"Unknown option {name}."),
            };
        }

        return options;
    }
}
