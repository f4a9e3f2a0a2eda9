using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Timeline;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// How fast the API answers people once many incidents are stored (issue 15): the store is filled with
/// <c>--incidents</c> incidents (<c>--open</c> of them open, the rest resolved, each with a short timeline) and one open
/// incident with <c>--events</c> timeline events, written straight into the app's tables with the app's own entity types
/// before the dev host starts; then each read is asked <c>--requests</c> times, one at a time, and timed at the client,
/// and as many notes are posted on the big incident.
/// </summary>
public static class ApiBenchmark
{
    public const string Help = """
        usage: api [options]
          --incidents <n>   incidents stored (default 10000)
          --open <n>        of which open (default 100)
          --events <n>      timeline events of the one big incident (default 1000)
          --requests <n>    requests per figure (default 200)
          --jit             run the dev host as built instead of published ReadyToRun (see PublishedDevHost)
        Prints p50 / p95 / max per request kind; PASS when every kind's p95 is under 100 ms.
        """;

    const double TargetP95Ms = 100;
    const int EventsPerIncident = 6;

    /// <summary>The store both this and the console benchmark seed, and how many requests each figure takes.</summary>
    internal sealed record Options(int Incidents, int Open, int Events, int Requests, bool Jit);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var options = Parse(args);
        await using var stack = await BenchStack.StartAsync(azuriteOnDisk: true, options.Jit, ct);
        var tables = new TableServiceClient(stack.Azurite.ConnectionString);
        var big = await SeedAsync(tables, options.Incidents, options.Open, options.Events, ct);
        var probe = await ProbeStorageAsync(tables, big, options.Requests, ct);

        await using var host = await stack.StartDevHostAsync(new Dictionary<string, string>());
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var figures = new List<(string Name, double[] Ms)>
        {
            ("list open incidents (GET incidents?status=open)", await TimeAsync(http, "incidents?status=open", options.Requests, ct)),
            ("list all incidents, newest first (GET incidents?status=all)", await TimeAsync(http, "incidents?status=all", options.Requests, ct)),
            ($"read the incident with {options.Events} events (GET incidents/{{id}})", await TimeAsync(http, $"incidents/{big}", options.Requests, ct)),
            ($"its timeline, first page of {IncidentStore.MaxPageSize} (GET incidents/{{id}}/timeline)",
                await TimeAsync(http, $"incidents/{big}/timeline?limit={IncidentStore.MaxPageSize}", options.Requests, ct)),
        };
        figures.Add(("post a note on it (POST incidents/{id}/notes, each with its own Idempotency-Key)", await TimeNotesAsync(http, big, options.Requests, ct)));
        var wholeTimeline = await TimeWholeTimelineAsync(http, big, Math.Max(10, options.Requests / 10), ct);

        Report.Line("incidents stored", options.Incidents);
        Report.Line("open", options.Open);
        Report.Line("events on the big incident", options.Events);
        var failures = new List<string>();
        foreach (var (name, ms) in figures)
        {
            Array.Sort(ms);
            var p95 = Report.Percentile(ms, 95);
            Report.Line($"{name} p50 / p95 / max (ms)",
                $"{Report.Milliseconds(Report.Percentile(ms, 50))} / {Report.Milliseconds(p95)} / {Report.Milliseconds(ms[^1])} (n {ms.Length})");
            if (!(p95 < TargetP95Ms))
            {
                failures.Add($"{name}: p95 {Report.Milliseconds(p95)} ms, target under {TargetP95Ms} ms");
            }
        }

        Array.Sort(wholeTimeline.Ms);
        Report.Line($"the whole timeline, {wholeTimeline.Pages} pages, p50 / p95 (ms; not a target: the console reads one page)",
            $"{Report.Milliseconds(Report.Percentile(wholeTimeline.Ms, 50))} / {Report.Milliseconds(Report.Percentile(wholeTimeline.Ms, 95))}");
        foreach (var (name, ms) in probe)
        {
            Array.Sort(ms);
            Report.Line($"storage alone: {name} p50 / p95 (ms)", $"{Report.Milliseconds(Report.Percentile(ms, 50))} / {Report.Milliseconds(Report.Percentile(ms, 95))}");
        }

        HostLog.PrintHealth(await HostLog.StopAsync(host), HostLog.PeakWorkingSetBytes(host.ProcessId));
        return Report.Result(failures);
    }

    internal static Options Parse(IReadOnlyList<string> args)
    {
        var options = new Options(10_000, 100, 1_000, 200, Jit: false);
        foreach (var (name, value) in Arguments.Options(args, "--jit"))
        {
            options = name switch
            {
                "--incidents" => options with { Incidents = Arguments.Number(name, value, 1) },
                "--open" => options with { Open = Arguments.Number(name, value, 0) },
                "--events" => options with { Events = Arguments.Number(name, value, 1) },
                "--requests" => options with { Requests = Arguments.Number(name, value, 1) },
                "--jit" => options with { Jit = true },
                _ => throw new UsageException($"Unknown option {name}."),
            };
        }

        return options.Open > options.Incidents
            ? throw new UsageException("--open cannot exceed --incidents.")
            : options;
    }

    /// <summary>
    /// Writes the incidents, their index rows and timelines as the app would have: one incident row per partition, the
    /// status index, <see cref="EventsPerIncident"/> events each; returns the id of the big open incident. The console
    /// benchmark stores the same.
    /// </summary>
    internal static async Task<string> SeedAsync(TableServiceClient tables, int incidentCount, int openCount, int eventCount, CancellationToken ct)
    {
        var options = new Options(incidentCount, openCount, eventCount, 0, false);
        var seeding = Stopwatch.StartNew();
        foreach (var name in new[] { TableNames.Incidents, TableNames.IncidentIndex, TableNames.Timeline })
        {
            await tables.CreateTableIfNotExistsAsync(name, ct);
        }

        var store = new IncidentStore(tables);
        var timeline = new TimelineStore(tables);
        var incidents = tables.GetTableClient(TableNames.Incidents);
        var start = DateTimeOffset.UtcNow.AddDays(-90);
        var step = TimeSpan.FromDays(90) / options.Incidents;
        var ids = Enumerable.Range(0, options.Incidents).Select(i => IncidentIds.New(start + step * i)).ToArray();
        var done = 0;
        Report.Progress($"storing {options.Incidents} incidents ({options.Open} open) and a timeline of {options.Events} events");
        await Parallel.ForAsync(0, options.Incidents, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            // The newest are the open ones, as on a real system.
            var incident = Incident(ids[i], i, start + step * i, open: i >= options.Incidents - options.Open);
            await incidents.AddEntityAsync(incident, token);
            await store.IndexAsync(incident, token, isNew: true);
            var count = i == options.Incidents - 1 ? options.Events : EventsPerIncident;
            for (var from = 0; from < count; from += 100)
            {
                await timeline.AppendManyAsync(incident.Id, Events(incident, from, Math.Min(100, count - from)), token);
            }

            if (Interlocked.Increment(ref done) % 2_000 == 0)
            {
                Report.Progress($"stored {done} incidents in {Report.Seconds(seeding.Elapsed)} s");
            }
        });
        Report.Progress($"stored in {Report.Seconds(seeding.Elapsed)} s");
        return ids[^1];
    }

    static IncidentEntity Incident(string id, int i, DateTimeOffset openedAt, bool open) => new()
    {
        PartitionKey = id,
        Title = $"Checkout latency above 2s on node {i % 37} <b>&amp;</b>",
        Severity = nameof(Severity.Critical),
        Status = open ? nameof(IncidentStatus.Open) : nameof(IncidentStatus.Resolved),
        Integration = "bench",
        DedupKey = $"bench-{i}",
        Source = "checkout-api",
        Description = "p99 latency above 2 s for 5 minutes",
        Labels = """{"service":"checkout","region":"westeurope","team":"platform"}""",
        AlertCount = 1 + i % 5,
        OpenedAt = openedAt,
        FirstAlertAt = openedAt,
        LastAlertAt = openedAt.AddMinutes(3),
        ResolvedAt = open ? null : openedAt.AddMinutes(40),
        ResolvedBy = open ? null : "alice",
        ResolvedVia = open ? null : Channels.Api,
        Priority = "P1",
        ServiceId = "checkout",
        ServiceName = "Checkout",
        PolicyVersion = "bench",
        LifecycleStarted = true,
    };

    static List<TimelineEvent> Events(IncidentEntity incident, int from, int count) =>
        Enumerable.Range(from, count).Select(n => new TimelineEvent(
            $"bench-{n:D6}",
            incident.OpenedAt.AddSeconds(n),
            n == 0 ? TimelineEventTypes.IncidentOpened : TimelineEventTypes.AlertRepeated,
            n == 0 ? "system" : "bench",
            n == 0 ? Channels.System : Channels.Source,
            $"Alert repeated: {incident.Title}",
            new Dictionary<string, string> { ["alertId"] = $"bench-{n:D6}", ["severity"] = "critical", ["status"] = "firing" })).ToList();

    /// <summary>
    /// The storage requests a listing and a read are made of, timed from here against Azurite with no app in between, so
    /// that a slow API figure can be told apart from a slow storage figure.
    /// </summary>
    static async Task<List<(string Name, double[] Ms)>> ProbeStorageAsync(TableServiceClient tables, string big, int requests, CancellationToken ct)
    {
        var index = tables.GetTableClient(TableNames.IncidentIndex);
        var incidents = tables.GetTableClient(TableNames.Incidents);
        async Task<double[]> Time(Func<Task> request)
        {
            var ms = new double[requests];
            for (var i = 0; i < requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await request();
                ms[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            return ms;
        }

        return
        [
            ("query the open index, first 50 rows", await Time(async () =>
            {
                await foreach (var _ in index.QueryAsync<IndexEntity>(e => e.PartitionKey == "open", maxPerPage: 50, cancellationToken: ct).AsPages(pageSizeHint: 50))
                {
                    break;
                }
            })),
            ("point read of one incident row", await Time(() => incidents.GetEntityAsync<IncidentEntity>(big, IncidentEntity.Row, cancellationToken: ct))),
        ];
    }

    /// <summary>Posts notes on the big incident one at a time, as a responder writing would; each is a new note.</summary>
    static async Task<double[]> TimeNotesAsync(HttpClient http, string id, int requests, CancellationToken ct)
    {
        var path = Routes.IncidentNotes.Replace("{id}", id, StringComparison.Ordinal);
        var ms = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = JsonContent.Create(new { body = $"Benchmark note {i}: rolled back the deploy on node {i % 37}; watching p99." }),
            };
            request.Headers.Add(Http.IdempotentRequests.Header, $"bench-note-{Guid.NewGuid():N}");
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            ms[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            }
        }

        return ms;
    }

    static async Task<double[]> TimeAsync(HttpClient http, string path, int requests, CancellationToken ct)
    {
        var ms = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct);
            ms[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            }
        }

        return ms;
    }

    static async Task<(double[] Ms, int Pages)> TimeWholeTimelineAsync(HttpClient http, string id, int reads, CancellationToken ct)
    {
        var ms = new double[reads];
        var pages = 0;
        for (var i = 0; i < reads; i++)
        {
            pages = 0;
            var started = Stopwatch.GetTimestamp();
            string? token = null;
            do
            {
                var page = await http.GetFromJsonAsync<ResultPage<TimelineEvent>>(
                    $"incidents/{id}/timeline?limit={IncidentStore.MaxPageSize}" + (token is null ? string.Empty : $"&continuation={Uri.EscapeDataString(token)}"),
                    JsonDefaults.Options, ct);
                token = page?.ContinuationToken;
                pages++;
            }
            while (token is not null);
            ms[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return (ms, pages);
    }
}
