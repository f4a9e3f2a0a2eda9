using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace IncidentFunctions.Storage;

/// <summary>
/// Reads the storage connection the same way the Functions host does: either a connection string in
/// <c>AzureWebJobsStorage</c>, or identity-based settings (<c>AzureWebJobsStorage__accountName</c> or the per-service
/// <c>__queueServiceUri</c>/<c>__tableServiceUri</c>/<c>__blobServiceUri</c>, with <c>__clientId</c> for a
/// user-assigned managed identity). The app's own SDK clients therefore never need a key in Azure.
/// </summary>
public sealed class StorageConnection
{
    readonly string? connectionString;
    readonly Uri? blobUri;
    readonly Uri? queueUri;
    readonly Uri? tableUri;
    readonly TokenCredential? credential;

    StorageConnection(string connectionString) => this.connectionString = connectionString;

    StorageConnection(Uri blob, Uri queue, Uri table, TokenCredential credential) =>
        (blobUri, queueUri, tableUri, this.credential) = (blob, queue, table, credential);

    public string? ConnectionString => connectionString;

    public static StorageConnection FromConfiguration(IConfiguration configuration, string name = ConnectionNames.Storage)
    {
        var value = configuration[name];
        if (!string.IsNullOrWhiteSpace(value))
        {
            return new StorageConnection(value);
        }

        var section = configuration.GetSection(name);
        var account = section["accountName"];
        Uri? Service(string kind) =>
            section[$"{kind}ServiceUri"] is { Length: > 0 } uri ? new Uri(uri)
            : account is { Length: > 0 } ? new Uri($"https://{account}.{kind}.core.windows.net")
            : null;

        var blob = Service("blob");
        var queue = Service("queue");
        var table = Service("table");
        if (blob is null || queue is null || table is null)
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set '{name}' to a connection string, or '{name}__accountName' " +
                $"(or '{name}__blobServiceUri', '__queueServiceUri' and '__tableServiceUri') for a managed identity.");
        }

        return new StorageConnection(blob, queue, table, AzureCredentials.For(section["clientId"]));
    }

    public TableServiceClient CreateTableServiceClient(StorageRequestMeter? meter = null)
    {
        var options = Counted(new TableClientOptions(), meter, "table");
        return connectionString is not null ? new TableServiceClient(connectionString, options) : new TableServiceClient(tableUri, credential, options);
    }

    public QueueServiceClient CreateQueueServiceClient(StorageRequestMeter? meter = null)
    {
        // The Functions host decodes queue messages as base64 by default (host.json queues.messageEncoding).
        var options = Counted(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }, meter, "queue");
        return connectionString is not null
            ? new QueueServiceClient(connectionString, options)
            : new QueueServiceClient(queueUri, credential, options);
    }

    public BlobServiceClient CreateBlobServiceClient(StorageRequestMeter? meter = null)
    {
        var options = Counted(new BlobClientOptions(), meter, "blob");
        return connectionString is not null ? new BlobServiceClient(connectionString, options) : new BlobServiceClient(blobUri, credential, options);
    }

    static T Counted<T>(T options, StorageRequestMeter? meter, string service)
        where T : ClientOptions =>
        meter is null ? options : meter.AddTo(options, service);
}
