using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// Puts accepted batches on the alerts queue with group commit: requests that arrive while a send is in flight share
/// the next queue message, so the queue sees far fewer, fuller messages under load and no added delay when idle.
/// Each request's batch lands whole inside one message (or, if it alone exceeds <see cref="MaxInlineBytes"/>, in a blob
/// the message points at), and a request is answered only once its message is stored: all of its alerts, or none.
/// </summary>
public sealed partial class AlertPayloads(QueueServiceClient queues, BlobServiceClient blobs, ILogger<AlertPayloads> logger)
{
    /// <summary>A queue message holds 64 KiB after base64.</summary>
    public const int MaxInlineBytes = 48 * 1024;

    /// <summary>
    /// Sends in flight at once; while one is, new requests gather for the next message. One: fuller messages mean fewer
    /// queue operations for the storage account and the processor (in the ingest benchmark, 270 messages for 20,000
    /// alerts instead of 430 with two in flight), and accept latency did not grow.
    /// </summary>
    const int MaxConcurrentSends = 1;

    readonly QueueClient queue = queues.GetQueueClient(QueueNames.Alerts);
    readonly BlobContainerClient container = blobs.GetBlobContainerClient(BlobContainers.AlertPayloads);
    readonly Queue<Pending> pending = new();
    int sending;

    sealed record Pending(AlertBatch Batch, byte[] Json, bool HandOff, TaskCompletionSource<QueuedMessage?> Stored);

    /// <summary>
    /// Enqueues the batch; false, logged, when storage fails. The caller answers with a 5xx that its sender retries
    /// (Alertmanager retries only those), so a storage hiccup does not lose the alerts. With <paramref name="handOff"/>
    /// the message is stored hidden from the queue trigger for <see cref="AlertHandoff.Hidden"/>, and exactly one of
    /// the requests that share it gets it back (<see cref="Enqueued.HandOff"/>) to process at once.
    /// </summary>
    /// <summary>
    /// Runs an enqueue of <paramref name="batch"/> once, storing nothing (Ingestion.FirstPageWarmUp): the alerts queue is
    /// read without taking anything, and the message, composed as <see cref="TryEnqueueAsync"/> composes it and read back
    /// as the queue trigger reads it (<see cref="Parse"/>), is sent hidden as a handed-off one is, to a queue that does
    /// not exist (<see cref="QueueNames.AbsentForWarmUp"/>).
    /// </summary>
    public async Task WarmUpAsync(AlertBatch batch, CancellationToken ct)
    {
        await queue.PeekMessagesAsync(1, ct);
        var message = Compose([new Pending(batch, JsonSerializer.SerializeToUtf8Bytes(batch, JsonDefaults.Options), true, new())]);
        Parse(System.Text.Encoding.UTF8.GetString(message));
        try
        {
            await queues.GetQueueClient(QueueNames.AbsentForWarmUp).SendMessageAsync(BinaryData.FromBytes(message), AlertHandoff.Hidden, cancellationToken: ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Refused, as it should be: there is no such queue.
        }
    }

    public async Task<Enqueued> TryEnqueueAsync(AlertBatch batch, bool handOff, CancellationToken ct)
    {
        try
        {
            return new Enqueued(true, await EnqueueAsync(batch, handOff, ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogEnqueueFailed(logger, e, batch.Integration, (e as RequestFailedException)?.Status ?? 0);
            return new Enqueued(false, null);
        }
    }

    /// <summary>Whether the batch is stored, and the stored message when this request is the one to hand it off.</summary>
    public sealed record Enqueued(bool Stored, QueuedMessage? HandOff);

    /// <summary>Deletes a handed-off message once its alerts are processed: the queue trigger never sees it.</summary>
    public Task DeleteAsync(QueuedMessage message, CancellationToken ct) => queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);

    /// <summary>Shows a handed-off message to the queue trigger now, which retries what this process could not finish.</summary>
    public Task ReleaseAsync(QueuedMessage message, CancellationToken ct) =>
        queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: ct);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not enqueue alerts for {Integration} (storage status {Status})")]
    static partial void LogEnqueueFailed(ILogger logger, Exception e, string integration, int status);

    async Task<QueuedMessage?> EnqueueAsync(AlertBatch batch, bool handOff, CancellationToken ct)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(batch, JsonDefaults.Options);
        if (json.Length > MaxInlineBytes - 64)
        {
            // Rare and large: the queue trigger takes it, as it takes everything when nothing is handed off.
            await EnqueueViaBlobAsync(batch, json, ct);
            return null;
        }

        var item = new Pending(batch, json, handOff, new TaskCompletionSource<QueuedMessage?>(TaskCreationOptions.RunContinuationsAsynchronously));
        var startSender = false;
        lock (pending)
        {
            pending.Enqueue(item);
            if (sending < MaxConcurrentSends)
            {
                sending++;
                startSender = true;
            }
        }

        if (startSender)
        {
            _ = Task.Run(SendPendingAsync, CancellationToken.None);
        }

        // The caller may give up waiting; the batch is still sent (or fails) with its message.
        return await item.Stored.Task.WaitAsync(ct);
    }

    async Task SendPendingAsync()
    {
        while (true)
        {
            var take = new List<Pending>();
            lock (pending)
            {
                var size = 32;
                while (pending.TryPeek(out var next) && (take.Count == 0 || size + next.Json.Length + 1 <= MaxInlineBytes))
                {
                    size += next.Json.Length + 1;
                    take.Add(pending.Dequeue());
                }

                if (take.Count == 0)
                {
                    sending--;
                    return;
                }
            }

            try
            {
                // Hidden when a request asked to process it here; the first such request gets it back to do so.
                var handOff = take.FindIndex(p => p.HandOff);
                var receipt = (await queue.SendMessageAsync(
                    BinaryData.FromBytes(Compose(take)), visibilityTimeout: handOff < 0 ? null : AlertHandoff.Hidden, cancellationToken: CancellationToken.None)).Value;
                for (var i = 0; i < take.Count; i++)
                {
                    take[i].Stored.TrySetResult(i == handOff
                        ? new QueuedMessage(new AlertMessage(take.Select(p => p.Batch).ToList()), receipt.MessageId, receipt.PopReceipt)
                        : null);
                }
            }
            catch (Exception e)
            {
                take.ForEach(p => p.Stored.TrySetException(e));
            }
        }
    }

    /// <summary>{"batches":[...]} from already serialized batches, without serializing them again.</summary>
    static byte[] Compose(List<Pending> batches)
    {
        using var buffer = new MemoryStream();
        buffer.Write("{\"batches\":["u8);
        for (var i = 0; i < batches.Count; i++)
        {
            if (i > 0)
            {
                buffer.WriteByte((byte)',');
            }

            buffer.Write(batches[i].Json);
        }

        buffer.Write("]}"u8);
        return buffer.ToArray();
    }

    async Task EnqueueViaBlobAsync(AlertBatch batch, byte[] json, CancellationToken ct)
    {
        var blobName = $"{batch.ReceivedAt.UtcDateTime:yyyy/MM/dd}/{batch.Id}.json";
        await container.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(json), overwrite: true, ct);
        var pointer = JsonSerializer.SerializeToUtf8Bytes(new AlertMessage(PayloadBlob: blobName), JsonDefaults.Options);
        await queue.SendMessageAsync(BinaryData.FromBytes(pointer), cancellationToken: ct);
    }

    public static AlertMessage Parse(string message) =>
        JsonSerializer.Deserialize<AlertMessage>(message, JsonDefaults.Options)
        ?? throw new InvalidDataException("The queue message is empty.");

    /// <summary>The batches a message carries, fetching a parked payload from its blob.</summary>
    public async Task<IReadOnlyList<AlertBatch>> ResolveAsync(AlertMessage message, CancellationToken ct)
    {
        if (message.Batches is { Count: > 0 } batches)
        {
            return batches;
        }

        if (message.PayloadBlob is not { } name)
        {
            throw new InvalidDataException("The message carries neither alert batches nor a payload blob.");
        }

        var content = await container.GetBlobClient(name).DownloadContentAsync(ct);
        var batch = content.Value.Content.ToObjectFromJson<AlertBatch>(JsonDefaults.Options)
            ?? throw new InvalidDataException($"Payload blob {name} is empty.");
        return [batch];
    }
}
