using System.Text.Json;
using System.Text.Json.Nodes;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// The settings the dev host takes from the app's host.json, with the Functions host's defaults where the file is
/// silent, so that both hosts drain queues and run Durable Functions the same way.
/// </summary>
public sealed record HostJson(QueueSettings Queues, DurableSettings Durable)
{
    /// <summary>App settings that override host.json, as in Azure: AzureFunctionsJobHost__extensions__queues__batchSize.</summary>
    public const string OverrideSection = "AzureFunctionsJobHost";

    public static HostJson Load(string path, IConfiguration? overrides = null)
    {
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
            ?? throw new InvalidDataException($"{path} is empty.");
        if (overrides?.GetSection(OverrideSection) is { } section)
        {
            foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true).Where(kv => kv.Value is not null))
            {
                Set(root, key.Split(':'), value!);
            }
        }

        var queues = root["extensions"]?["queues"];
        var durable = root["extensions"]?["durableTask"];
        var batchSize = Math.Clamp(Int(queues?["batchSize"]) ?? 16, 1, 32);
        return new HostJson(
            new QueueSettings(
                batchSize,
                Int(queues?["newBatchThreshold"]) ?? batchSize / 2,
                Time(queues?["maxPollingInterval"]) ?? TimeSpan.FromMinutes(1),
                Time(queues?["visibilityTimeout"]) ?? TimeSpan.Zero,
                Int(queues?["maxDequeueCount"]) ?? 5,
                !string.Equals((string?)queues?["messageEncoding"], "none", StringComparison.OrdinalIgnoreCase)),
            new DurableSettings(
                (string?)durable?["hubName"] ?? "TestHubName",
                Time(durable?["storageProvider"]?["maxQueuePollingInterval"]) ?? TimeSpan.FromSeconds(30),
                Int(durable?["storageProvider"]?["partitionCount"]) ?? 4,
                Int(durable?["maxConcurrentActivityFunctions"]) ?? 10 * Environment.ProcessorCount,
                Int(durable?["maxConcurrentOrchestratorFunctions"]) ?? 10 * Environment.ProcessorCount));
    }

    static void Set(JsonNode root, string[] path, string value)
    {
        var node = root;
        foreach (var segment in path[..^1])
        {
            node = node[segment] ??= new JsonObject();
        }

        node[path[^1]] = int.TryParse(value, out var number) ? JsonValue.Create(number) : JsonValue.Create(value);
    }

    static int? Int(JsonNode? node) => node is null ? null : (int)node;

    static TimeSpan? Time(JsonNode? node) => node is null ? null : TimeSpan.Parse((string)node!, System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record QueueSettings(
    int BatchSize, int NewBatchThreshold, TimeSpan MaxPollingInterval, TimeSpan VisibilityTimeout, int MaxDequeueCount, bool Base64);

public sealed record DurableSettings(
    string HubName, TimeSpan MaxQueuePollingInterval, int PartitionCount, int MaxConcurrentActivities, int MaxConcurrentOrchestrations);
