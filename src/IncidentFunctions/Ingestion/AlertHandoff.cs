using IncidentFunctions.Model;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// Processes a queue message in this process the moment it is stored, instead of when the queue trigger next polls
/// and dequeues it: that wait and that round trip were most of the time between a webhook and its first page. The
/// queue stays the durable record and the fallback. The message is stored hidden for <see cref="Hidden"/>; processed,
/// it is deleted; if processing fails it is shown to the trigger at once, which retries it as it retries any message;
/// if this process dies, the trigger finds it when it reappears. Processing is idempotent (see
/// <see cref="AlertProcessor"/>), so a message processed here and then again by the trigger counts nothing twice.
/// </summary>
public sealed partial class AlertHandoff(AlertProcessor processor, AlertPayloads payloads, ILogger<AlertHandoff> logger)
{
    /// <summary>How long a handed-off message stays hidden: far longer than processing takes, short as a fallback.</summary>
    public static readonly TimeSpan Hidden = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Messages processed here at once. Beyond that a message goes to the queue trigger, whose own limits apply: a
    /// burst never piles up unbounded work in this process, and each message's visibility is never outlived.
    /// </summary>
    public const int MaxInFlight = 16;

    readonly SemaphoreSlim slots = new(MaxInFlight, MaxInFlight);

    /// <summary>
    /// Stores <paramref name="batch"/> on the alerts queue for the intakes and, given a <paramref name="lifecycle"/> and
    /// room here, processes it at once (see <see cref="Start"/>). False when the queue could not store it.
    /// Without a free slot the message is stored visible for the trigger right away: hiding it only to show it again
    /// when <see cref="Start"/> finds no slot is a write for nothing, and in a storm that was one write per message.
    /// The slot check is not a reservation: <see cref="Start"/> still hands back what it has no room for.
    /// </summary>
    public async Task<bool> EnqueueAsync(AlertBatch batch, IIncidentLifecycle? lifecycle, CancellationToken ct)
    {
        var enqueued = await payloads.TryEnqueueAsync(batch, handOff: lifecycle is not null && slots.CurrentCount > 0, ct);
        if (enqueued.HandOff is { } queued)
        {
            Start(queued, lifecycle!);
        }

        return enqueued.Stored;
    }

    /// <summary>Starts processing <paramref name="message"/> in the background; the request that stored it is not held up.</summary>
    public void Start(QueuedMessage message, IIncidentLifecycle lifecycle)
    {
        if (!slots.Wait(0))
        {
            _ = ReleaseAsync(message);
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await processor.ProcessAsync(message.Message, lifecycle, CancellationToken.None);
                await payloads.DeleteAsync(message, CancellationToken.None);
            }
            catch (Exception e)
            {
                LogFailed(logger, e, message.MessageId);
                await ReleaseAsync(message);
            }
            finally
            {
                slots.Release();
            }
        });
    }

    async Task ReleaseAsync(QueuedMessage message)
    {
        try
        {
            await payloads.ReleaseAsync(message, CancellationToken.None);
        }
        catch (Exception e)
        {
            // It reappears when it stops being hidden.
            LogReleaseFailed(logger, e, message.MessageId, Hidden.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerts of message {MessageId} could not be processed on arrival; the queue trigger retries them")]
    static partial void LogFailed(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not hand message {MessageId} back to the queue; the queue trigger takes it within {Seconds} s")]
    static partial void LogReleaseFailed(ILogger logger, Exception exception, string messageId, double seconds);
}
