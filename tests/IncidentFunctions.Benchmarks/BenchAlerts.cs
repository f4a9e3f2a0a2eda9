using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// The paging benchmarks' alerts: generic alerts to the "bench" integration, one dedup key per incident, titled
/// "bench {run} key {k}" so that every email they cause names its run and key in its subject.
/// </summary>
public static class BenchAlerts
{
    public const string Integration = "bench";

    /// <summary>The dev host setting that lets a run's senders in with <paramref name="secret"/>.</summary>
    public static KeyValuePair<string, string> SecretSetting(string secret) => new($"Integrations__{Integration}__Secrets__0", secret);

    public static string Title(string runId, int key) => $"bench {runId} key {key}";

    /// <summary>The key an email of this run is about (its subject ends with the alert's title), or null.</summary>
    public static int? KeyOf(string subject, string runId)
    {
        var prefix = $"bench {runId} key ";
        var at = subject.IndexOf(prefix, StringComparison.Ordinal);
        return at >= 0 && int.TryParse(subject[(at + prefix.Length)..], NumberStyles.None, CultureInfo.InvariantCulture, out var key) ? key : null;
    }

    /// <summary>Sends the alert of <paramref name="key"/>; true once it is accepted (202), false (and said why) if refused.</summary>
    public static async Task<bool> SendAsync(HttpClient http, string secret, string runId, int key, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Routes.Alerts.Replace("{integration}", Integration, StringComparison.Ordinal))
        {
            Content = JsonContent.Create(new { title = Title(runId, key), severity = "critical", dedupKey = $"{runId}-{key}", source = "bench" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            Report.Progress($"alert for key {key} refused: {(int)response.StatusCode}");
        }

        return response.IsSuccessStatusCode;
    }

    /// <summary>
    /// Starts <paramref name="send"/>(0 .. count - 1) at <paramref name="rate"/> per second on <paramref name="clock"/>,
    /// each on its schedule without waiting for the ones before (a slow answer must not slow the rate), then waits for
    /// all. Returns how far behind its schedule the latest start was: the sender's own lag, which should be milliseconds.
    /// </summary>
    public static async Task<TimeSpan> AtSteadyRateAsync(int count, double rate, Stopwatch clock, Func<int, Task> send, CancellationToken ct)
    {
        var sends = new List<Task>(count);
        var lag = TimeSpan.Zero;
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, ct);
            }

            lag = TimeSpan.FromTicks(Math.Max(lag.Ticks, (clock.Elapsed - due).Ticks));
            sends.Add(send(i));
        }

        await Task.WhenAll(sends);
        return lag;
    }
}
