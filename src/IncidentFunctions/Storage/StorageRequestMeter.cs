using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;

namespace IncidentFunctions.Storage;

/// <summary>
/// Counts the storage requests of every client it is added to, by kind: "{client} {resource} {method}", e.g.
/// <c>table Incidents GET</c>, <c>trigger queue alerts DELETE</c> or <c>durable table IncidentFunctionsHistory POST</c>.
/// The client is the caller's label, ending in the storage service ("table", "queue", "blob"), with who makes the
/// requests in front when it is not the app's own code ("durable" for the Durable Task provider, "trigger" for the queue
/// trigger); the resource is the table, queue or blob container (see <see cref="ResourceOf"/>). Round trips per alert
/// and per incident are what limit throughput on a storage account, and which table or queue they go to says what to
/// change, so this is the number to watch when tuning. Also published as the metric
/// <c>incidentfunctions.storage.requests</c> (visible to OpenTelemetry and dotnet-counters).
/// </summary>
public sealed partial class StorageRequestMeter : IDisposable
{
    public const string MeterName = "IncidentFunctions.Storage";

    readonly Meter meter = new(MeterName);
    readonly Counter<long> requests;
    readonly ConcurrentDictionary<(string Client, string Resource, string Method), long> totals = new();

    public StorageRequestMeter() => requests = meter.CreateCounter<long>("incidentfunctions.storage.requests", "{request}");

    /// <summary>Requests made so far by this process, keyed "{client} {resource} {method}".</summary>
    public IReadOnlyDictionary<string, long> Totals =>
        totals.ToDictionary(t => $"{t.Key.Client} {t.Key.Resource} {t.Key.Method}", t => t.Value, StringComparer.Ordinal);

    /// <summary>
    /// Makes the clients built with <paramref name="options"/> count their requests under <paramref name="client"/> (see
    /// the class summary). Per retry: a retried request is another round trip.
    /// </summary>
    public T AddTo<T>(T options, string client)
        where T : ClientOptions
    {
        options.AddPolicy(new CountingPolicy(this, client), HttpPipelinePosition.PerRetry);
        return options;
    }

    /// <summary>Requests so far of one client and method, over all its resources.</summary>
    public long Total(string client, string method) =>
        totals.Where(t => t.Key.Client == client && t.Key.Method == method).Sum(t => t.Value);

    /// <summary>
    /// The table, queue or blob container a request goes to, as one kind: a table's entity keys
    /// (<c>Incidents(PartitionKey='…',RowKey='…')</c>) are dropped, an entity-group transaction (<c>$batch</c>, whose
    /// table is only in its body) is "batch", the Durable provider's partitioned control queues
    /// (<c>…-control-00</c> to <c>-15</c>) are one kind "…-control-NN", and a request to the service itself (listing
    /// queues, say) is "account".
    /// </summary>
    public static string ResourceOf(Uri uri)
    {
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);

        // Azure names the account in the host (account.table.core.windows.net); Azurite, and any endpoint given as an IP
        // address, in the path's first segment.
        var first = uri.IsLoopback || uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 ? 1 : 0;
        if (segments.Length <= first)
        {
            return "account";
        }

        var name = Uri.UnescapeDataString(segments[first]);
        var keys = name.IndexOf('(', StringComparison.Ordinal);
        name = keys >= 0 ? name[..keys] : name;
        return name == "$batch" ? "batch" : ControlQueuePartition().Replace(name, "-control-NN");
    }

    void Count(string client, Request request)
    {
        var resource = ResourceOf(request.Uri.ToUri());
        var method = request.Method.Method;
        totals.AddOrUpdate((client, resource, method), 1, (_, n) => n + 1);
        requests.Add(
            1,
            new KeyValuePair<string, object?>("service", client),
            new KeyValuePair<string, object?>("resource", resource),
            new KeyValuePair<string, object?>("method", method));
    }

    public void Dispose() => meter.Dispose();

    [GeneratedRegex(@"-control-\d+$")]
    private static partial Regex ControlQueuePartition();

    sealed class CountingPolicy(StorageRequestMeter meter, string client) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            meter.Count(client, message.Request);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            meter.Count(client, message.Request);
            return ProcessNextAsync(message, pipeline);
        }
    }
}
