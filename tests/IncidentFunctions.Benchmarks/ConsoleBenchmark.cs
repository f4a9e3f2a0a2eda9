using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Azure.Data.Tables;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// How fast the web console's pages answer once many incidents are stored (issue 16): the same store as
/// <see cref="ApiBenchmark"/> (<c>--incidents</c>, <c>--open</c> of them open, one incident with <c>--events</c>
/// timeline events), then each page asked <c>--requests</c> times, one at a time, as the dev host's development
/// principal: the incidents list, the incident page of the big incident, the dashboard for 30 and for 90 days, and the
/// three polls when nothing changed (the list's, and the incident page's header and timeline; each must answer 204).
/// </summary>
public static class ConsoleBenchmark
{
    public const string Help = """
        usage: console [options]
          --incidents <n>   incidents stored (default 10000)
          --open <n>        of which open (default 100)
          --events <n>      timeline events of the one big incident (default 1000)
          --requests <n>    requests per figure (default 200)
          --jit             run the dev host as built instead of published ReadyToRun (see PublishedDevHost)
        Prints p50 / p95 / max per page, timed at the client (an upper bound of the server's time); PASS when every
        page's p95 is under 150 ms and each unchanged poll's under 20 ms. A page whose route this build does not have
        (404 from the host) is reported as not measured.
        """;

    const double PageTargetP95Ms = 150;
    const double PollTargetP95Ms = 20;

    sealed record Figure(string Name, double[] Ms, double Target);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var options = ApiBenchmark.Parse(args);
        await using var stack = await BenchStack.StartAsync(azuriteOnDisk: true, options.Jit, ct);
        var tables = new TableServiceClient(stack.Azurite.ConnectionString);
        var big = await ApiBenchmark.SeedAsync(tables, options.Incidents, options.Open, options.Events, ct);

        await using var host = await stack.StartDevHostAsync(new Dictionary<string, string>());
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var figures = new List<Figure>();
        var notMeasured = new List<string>();
        async Task Page(string name, string path, HttpStatusCode expected, double target)
        {
            using (var probe = await http.GetAsync(path, ct))
            {
                if (probe.StatusCode == HttpStatusCode.NotFound && expected == HttpStatusCode.OK && probe.Content.Headers.ContentLength is 0 or null
                    && (await probe.Content.ReadAsStringAsync(ct)).Length == 0)
                {
                    notMeasured.Add($"{name}: GET {path} answered 404 with no page; this build has no such route");
                    return;
                }
            }

            figures.Add(new Figure(name, await TimeAsync(http, path, expected, options.Requests, ct), target));
        }

        await Page("incidents list (GET console)", Routes.Console, HttpStatusCode.OK, PageTargetP95Ms);
        var firstDashboard = await TimeFirstDashboardAsync(http, ct);
        var incidentPage = Routes.ConsoleIncident.Replace("{id}", big, StringComparison.Ordinal);
        await Page($"incident page, {options.Events} timeline events (GET console/incidents/{{id}})", incidentPage, HttpStatusCode.OK, PageTargetP95Ms);
        await Page("dashboard, 30 days (GET console/dashboard)", Routes.ConsoleDashboard, HttpStatusCode.OK, PageTargetP95Ms);
        await Page("dashboard, 90 days (GET console/dashboard?days=90)", Routes.ConsoleDashboard + "?days=90", HttpStatusCode.OK, PageTargetP95Ms);
        await Page("the list's poll, nothing changed (GET console/list?v=...: 204)", await PollPathAsync(http, Routes.Console, "incident-list", ct), HttpStatusCode.NoContent, PollTargetP95Ms);
        await Page("the incident page's header poll, nothing changed (GET .../live?etag=...: 204)", await PollPathAsync(http, incidentPage, "incident-live", ct), HttpStatusCode.NoContent, PollTargetP95Ms);
        await Page($"the incident page's timeline poll, {options.Events} events, nothing changed (GET .../timeline?settled=...: 204)", await PollPathAsync(http, incidentPage, "timeline-live", ct), HttpStatusCode.NoContent, PollTargetP95Ms);

        Report.Line("incidents stored", options.Incidents);
        Report.Line("open", options.Open);
        Report.Line("events on the big incident", options.Events);
        var failures = new List<string>();
        foreach (var (name, ms, target) in figures)
        {
            Array.Sort(ms);
            var p95 = Report.Percentile(ms, 95);
            var pass = p95 < target;
            Report.Line($"{name} p50 / p95 / max (ms)",
                $"{Report.Milliseconds(Report.Percentile(ms, 50))} / {Report.Milliseconds(p95)} / {Report.Milliseconds(ms[^1])} (n {ms.Length}; target p95 < {target} ms: {(pass ? "PASS" : "FAIL")})");
            if (!pass)
            {
                failures.Add($"{name}: p95 {Report.Milliseconds(p95)} ms, target under {target} ms");
            }
        }

        foreach (var line in notMeasured)
        {
            Report.Line("not measured", line);
        }

        Report.Line("the first 90-day dashboard, its rows read from storage (ms; kept a minute per instance after, so at most one request a minute pays it)", Report.Milliseconds(firstDashboard));
        HostLog.PrintHealth(await HostLog.StopAsync(host), HostLog.PeakWorkingSetBytes(host.ProcessId));
        return Report.Result(failures);
    }

    /// <summary>The address the page's element <paramref name="elementId"/> polls (with its cursor), relative to the API's base address.</summary>
    static async Task<string> PollPathAsync(HttpClient http, string pagePath, string elementId, CancellationToken ct)
    {
        var page = await http.GetStringAsync(pagePath, ct);
        var match = Regex.Match(page, $"id=\"{elementId}\"[^>]*hx-get=\"(?<url>[^\"]+)\"");
        var url = WebUtility.HtmlDecode(match.Groups["url"].Value);
        var prefix = $"/{Routes.Prefix}/";
        return match.Success && url.StartsWith(prefix, StringComparison.Ordinal)
            ? url[prefix.Length..]
            : throw new InvalidOperationException($"{pagePath} carries no poll address on #{elementId}: {page[..Math.Min(page.Length, 500)]}");
    }

    /// <summary>
    /// The dashboard's 90 days as they are read from storage: the first 90-day request of this dev host (whose
    /// keeping of the rows for a minute spares every later request within it), after the list page warmed it up.
    /// </summary>
    static async Task<double> TimeFirstDashboardAsync(HttpClient http, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(Routes.ConsoleDashboard + "?days=90", ct);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        response.EnsureSuccessStatusCode();
        return ms;
    }

    static async Task<double[]> TimeAsync(HttpClient http, string path, HttpStatusCode expected, int requests, CancellationToken ct)
    {
        var ms = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct);
            ms[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}, expected {(int)expected}: {await response.Content.ReadAsStringAsync(ct)}");
            }
        }

        return ms;
    }
}
