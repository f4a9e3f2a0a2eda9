using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Storage;

/// <summary>
/// Creates the tables, queues and containers the app uses when they are missing. In Azure the Bicep templates create
/// them too; this keeps a fresh Azurite (or a hand-made account) working without a separate set-up step.
/// </summary>
public sealed partial class StorageBootstrap(
    TableServiceClient tables, QueueServiceClient queues, BlobServiceClient blobs, ILogger<StorageBootstrap> logger)
    : IHostedService
{
    public static readonly string[] Tables = [TableNames.Incidents, TableNames.IncidentIndex, TableNames.AlertKeys, TableNames.Timeline, TableNames.Requests, TableNames.Tasks];
    public static readonly string[] Queues = [QueueNames.Alerts, QueueNames.PoisonOf(QueueNames.Alerts)];
    public static readonly string[] Containers = [BlobContainers.AlertPayloads, BlobContainers.AlertEvidence, BlobContainers.Evidence];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var work = Tables.Select(t => (Task)tables.CreateTableIfNotExistsAsync(t, cancellationToken))
            .Concat(Queues.Select(q => (Task)queues.GetQueueClient(q).CreateIfNotExistsAsync(cancellationToken: cancellationToken)))
            .Concat(Containers.Select(c => (Task)blobs.GetBlobContainerClient(c).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        await Task.WhenAll(work);
        LogReady(logger, Tables.Length, Queues.Length, Containers.Length);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage ready: {Tables} tables, {Queues} queues, {Containers} containers")]
    static partial void LogReady(ILogger logger, int tables, int queues, int containers);
}
