using System.Diagnostics;
using IncidentFunctions.Paging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// Runs the first page's path once as the app starts, before it takes requests, so that the first alert after a deploy
/// or a scale-out is paged as fast as the hundredth. Measured on the development VM, the first incident after a start
/// spent 100-160 ms more in each of its first queue write, first table transaction and first email than later ones:
/// the storage client's and the mail library's first use of those paths (per-type serializers, request building), not
/// the network, whose connections the storage bootstrap and <see cref="Notifications.SmtpKeepWarm"/> open already.
/// Nothing is sent or written: the queue is peeked, reads and transactions name an incident that cannot exist (a
/// transaction updating missing rows is refused whole), and the email is written out to nowhere. Best effort and
/// bounded: a failure or a slow store is logged and the app starts all the same.
/// </summary>
public sealed partial class FirstPageWarmUp(AlertPayloads payloads, IncidentPager pager, ILogger<FirstPageWarmUp> logger) : IHostedService
{
    /// <summary>
    /// Well formed, as the links it is signed into must be, but of day 00000000: never an incident id the app makes
    /// (<see cref="Incidents.IncidentIds.New"/> takes today's date), so no read or refused write can meet a real row.
    /// </summary>
    public const string AbsentIncidentId = "INC-00000000-00000000";

    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var took = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        try
        {
            await Task.WhenAll(payloads.WarmUpAsync(limit.Token), pager.WarmUpAsync(AbsentIncidentId, limit.Token));
            LogWarm(logger, took.ElapsedMilliseconds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogNotWarm(logger, e, took.ElapsedMilliseconds);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "First page's path warmed in {Milliseconds} ms")]
    static partial void LogWarm(ILogger logger, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming the first page's path failed after {Milliseconds} ms; the first page may be slower")]
    static partial void LogNotWarm(ILogger logger, Exception exception, long milliseconds);
}
