using System.Text.Json;
using System.Text.Json.Nodes;

namespace IncidentFunctions.DevHost.Functions;

/// <summary>
/// The settings the dev host takes from the app's host.json, with the Functions host's defaults where the file is
/// silent, so that both hosts drain queues and run Durable Functions the same way.
/// </summary>
public sealed record HostJson(QueueSettings Queues, DurableSettings Durable)
{
    public static HostJson Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
            ?? throw new InvalidDataException($"{path} is empty.");
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

    static int? Int(JsonNode? node) => node is null ? null : (int)node;

    static TimeSpan? Time(JsonNode? node) => node is null ? null : TimeSpan.Parse((string)node!, System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record QueueSettings(
    int BatchSize, int NewBatchThreshold, TimeSpan MaxPollingInterval, TimeSpan VisibilityTimeout, int MaxDequeueCount, bool Base64);

public sealed record DurableSettings(
    string HubName, TimeSpan MaxQueuePollingInterval, int PartitionCount, int MaxConcurrentActivities, int MaxConcurrentOrchestrations);
