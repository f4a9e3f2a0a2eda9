using System.Diagnostics;
using System.Text.Json;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;
using IncidentFunctions.Opening;
using IncidentFunctions.Paging;
using IncidentFunctions.Timeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// Runs the first page's path once as the app starts, before it takes requests, so that the first alert after a deploy
/// or a scale-out is paged as fast as the hundredth. Measured on the development VM, the first incidents after a start
/// spent 80-160 ms more in each of their first queue write, first table writes and first email than later ones: first
/// uses of code (serializers per type, request building, the mail library), not the network, whose connections the
/// storage bootstrap and <see cref="Notifications.SmtpKeepWarm"/> open already. So a sample Alertmanager alert is
/// parsed and composed into a queue message and read back, its opening decided by the opener (triage, rows, first page,
/// events), its email rendered and written out, and each of its writes sent where storage refuses it: the message to a
/// queue that does not exist, the key's claim, the index row, the incident's rows and its events as updates of rows
/// that do not exist (<see cref="AbsentIncidentId"/>). Nothing is sent or written. Best effort and bounded: a failure
/// or a slow store is logged and the app starts all the same.
/// </summary>
public sealed partial class FirstPageWarmUp(
    AlertPayloads payloads, IncidentOpener opener, IncidentPager pager, IncidentStore incidents, TimelineStore timeline, TimeProvider time,
    ILogger<FirstPageWarmUp> logger) : IHostedService
{
    /// <summary>
    /// Well formed, as the links it is signed into must be, but of day 00000000: never an incident id the app makes
    /// (<see cref="IncidentIds.New"/> takes today's date), so no read or refused write can meet a real row.
    /// </summary>
    public const string AbsentIncidentId = "INC-00000000-00000000";

    public const string Integration = "warm-up";

    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var took = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        try
        {
            await WarmUpAsync(limit.Token);
            LogWarm(logger, took.ElapsedMilliseconds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogNotWarm(logger, e, took.ElapsedMilliseconds);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    async Task WarmUpAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var alert = SampleAlert(now);
        var batch = new AlertBatch(AbsentIncidentId, Integration, now, [alert]);
        var opening = opener.Rehearse(AbsentIncidentId, alert);
        var emailed = opening.FirstPage is { } page ? await pager.RehearseAsync(page, opening.Incident, ct) : [];
        await Task.WhenAll(
            payloads.WarmUpAsync(batch, ct),
            incidents.WarmUpAsync(opening.Incident, opening.FirstAlert, opening.FirstPage?.Claim, ct),
            timeline.WarmUpAsync(AbsentIncidentId, [.. opening.Events, .. emailed], ct));
    }

    /// <summary>An alert as Alertmanager posts it, read by the same parser.</summary>
    static Alert SampleAlert(DateTimeOffset now)
    {
        using var payload = JsonDocument.Parse($$"""
            {"version":"4","status":"firing","receiver":"warm-up","groupKey":"warm-up","externalURL":"http://localhost",
             "alerts":[{"status":"firing","labels":{"alertname":"WarmUp","severity":"critical"},"annotations":{"summary":"Warm-up"},
                        "startsAt":"{{now:O}}","fingerprint":"0000000000000000"}]}
            """);
        var (alerts, errors) = AlertFormats.For(AlertFormats.Alertmanager)(payload.RootElement, Integration, AbsentIncidentId, now);
        return errors.Count == 0 && alerts is [var alert]
            ? alert
            : throw new InvalidOperationException("The warm-up's sample alert no longer parses: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "First page's path warmed in {Milliseconds} ms")]
    static partial void LogWarm(ILogger logger, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming the first page's path failed after {Milliseconds} ms; the first page may be slower")]
    static partial void LogNotWarm(ILogger logger, Exception exception, long milliseconds);
}
