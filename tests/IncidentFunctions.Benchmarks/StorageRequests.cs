using System.Globalization;
using IncidentFunctions.DevHost;
using IncidentFunctions.DevHost.Functions;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// The storage requests a dev host counted, as it printed them when it stopped (<see cref="Banner.PrintStorageRequests"/>):
/// by kind, "{client} {resource} {method}", where the client ends in the storage service and starts with who made the
/// requests when that is not the app's own code ("durable table", "trigger queue"; see the dev host's StorageRequestMeter).
/// </summary>
public sealed record StorageRequests(IReadOnlyDictionary<string, long> ByKind)
{
    /// <summary>The host's totals, or null when its output has none (it did not stop gracefully).</summary>
    public static StorageRequests? Parse(string? output)
    {
        var line = output?.Split('\n').FirstOrDefault(l => l.StartsWith(Banner.StorageRequestsPrefix, StringComparison.Ordinal));
        return line is null
            ? null
            : new StorageRequests(line[Banner.StorageRequestsPrefix.Length..]
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(pair => pair.Split('='))
                .ToDictionary(kv => kv[0], kv => long.Parse(kv[1], CultureInfo.InvariantCulture), StringComparer.Ordinal));
    }

    /// <summary>The Durable Task provider's requests (its history, instances, control and work-item queues, leases).</summary>
    public IReadOnlyDictionary<string, long> Durable => Where(IsDurable);

    /// <summary>Every other request: the app's own clients' and the queue trigger's.</summary>
    public IReadOnlyDictionary<string, long> App => Where(kind => !IsDurable(kind));

    /// <summary>Requests to one storage service ("table", "queue" or "blob"), whoever made them.</summary>
    public long OfService(string service) => ByKind.Where(k => ServiceOf(k.Key) == service).Sum(k => k.Value);

    public long Total => ByKind.Values.Sum();

    /// <summary>The kind's words are the client's, then the resource, then the method; the client's last is the service.</summary>
    static string ServiceOf(string kind) => kind.Split(' ')[^3];

    static bool IsDurable(string kind) => kind.StartsWith(DurableFunctions.StorageClient + " ", StringComparison.Ordinal);

    Dictionary<string, long> Where(Func<string, bool> kind) =>
        ByKind.Where(k => kind(k.Key)).ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
}
