using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace IncidentFunctions.Storage;

/// <summary>
/// Counts the storage requests the app's own clients make, by service and HTTP method, as the metric
/// <c>incidentfunctions.storage.requests</c> (visible to OpenTelemetry and dotnet-counters). Round trips per alert are
/// what limit throughput on a storage account, so this is the number to watch when tuning.
/// </summary>
public sealed class StorageRequestMeter : IDisposable
{
    public const string MeterName = "IncidentFunctions.Storage";

    readonly Meter meter = new(MeterName);
    readonly Counter<long> requests;
    readonly ConcurrentDictionary<string, long> totals = new(StringComparer.Ordinal);

    public StorageRequestMeter() => requests = meter.CreateCounter<long>("incidentfunctions.storage.requests", "{request}");

    /// <summary>Requests made so far by this process, keyed "{service} {method}".</summary>
    public IReadOnlyDictionary<string, long> Totals => totals;

    /// <summary>The pipeline policy that counts one client's requests.</summary>
    public HttpPipelinePolicy For(string service) => new CountingPolicy(this, service);

    void Count(string service, string method)
    {
        totals.AddOrUpdate($"{service} {method}", 1, (_, n) => n + 1);
        requests.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("method", method));
    }

    public void Dispose() => meter.Dispose();

    sealed class CountingPolicy(StorageRequestMeter meter, string service) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            meter.Count(service, message.Request.Method.Method);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            meter.Count(service, message.Request.Method.Method);
            return ProcessNextAsync(message, pipeline);
        }
    }
}
