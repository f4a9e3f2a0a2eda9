using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using IncidentFunctions.Http;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// Puts accepted batches on the alerts queue. A queue message holds 64 KiB after base64; a batch larger than
/// <see cref="MaxInlineBytes"/> is written to a blob first and the message carries its name, so one request is
/// always one message: all of its alerts are enqueued, or none.
/// </summary>
public sealed class AlertPayloads(QueueServiceClient queues, BlobServiceClient blobs)
{
    public const int MaxInlineBytes = 48 * 1024;

    readonly QueueClient queue = queues.GetQueueClient(QueueNames.Alerts);
    readonly BlobContainerClient container = blobs.GetBlobContainerClient(BlobContainers.AlertPayloads);

    public async Task EnqueueAsync(AlertBatch batch, CancellationToken ct)
    {
        var inline = JsonSerializer.SerializeToUtf8Bytes(new AlertMessage(batch.Id, batch), JsonDefaults.Options);
        if (inline.Length <= MaxInlineBytes)
        {
            await queue.SendMessageAsync(BinaryData.FromBytes(inline), cancellationToken: ct);
            return;
        }

        var blobName = $"{batch.ReceivedAt.UtcDateTime:yyyy/MM/dd}/{batch.Id}.json";
        await container.GetBlobClient(blobName).UploadAsync(BinaryData.FromObjectAsJson(batch, JsonDefaults.Options), overwrite: true, ct);
        var pointer = JsonSerializer.SerializeToUtf8Bytes(new AlertMessage(batch.Id, PayloadBlob: blobName), JsonDefaults.Options);
        await queue.SendMessageAsync(BinaryData.FromBytes(pointer), cancellationToken: ct);
    }

    public static AlertMessage Parse(string message) =>
        JsonSerializer.Deserialize<AlertMessage>(message, JsonDefaults.Options)
        ?? throw new InvalidDataException("The queue message is empty.");

    public async Task<AlertBatch> ResolveAsync(AlertMessage message, CancellationToken ct)
    {
        if (message.Batch is { } batch)
        {
            return batch;
        }

        if (message.PayloadBlob is not { } name)
        {
            throw new InvalidDataException($"Message {message.BatchId} carries neither alerts nor a payload blob.");
        }

        var content = await container.GetBlobClient(name).DownloadContentAsync(ct);
        return content.Value.Content.ToObjectFromJson<AlertBatch>(JsonDefaults.Options)
            ?? throw new InvalidDataException($"Payload blob {name} is empty.");
    }
}
