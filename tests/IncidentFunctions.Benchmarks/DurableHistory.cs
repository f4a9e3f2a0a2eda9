using Azure.Data.Tables;
using IncidentFunctions.DevHost.Functions;
using IncidentFunctions.DevHost.Local;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// What the run's orchestrations did, counted from the task hub's History table with the benchmark's own client (which
/// the dev host does not count) once the host has stopped. It explains the Durable provider's storage requests: each
/// episode (an OrchestratorStarted row) is a control-queue message, a history read, a history batch and an instance
/// update; each timer and each activity result is one more episode.
/// </summary>
public static class DurableHistory
{
    /// <summary>The history event types counted, and what a reader calls them.</summary>
    static readonly (string EventType, string Name)[] Counted =
    [
        ("OrchestratorStarted", "episodes"),
        ("TaskScheduled", "activities"),
        ("TimerCreated", "timers"),
        ("EventRaised", "events raised"),
    ];

    /// <summary>Each counted event type's rows, by its name.</summary>
    public static async Task<IReadOnlyList<(string Name, long Count)>> CountAsync(string connectionString, CancellationToken ct)
    {
        var hub = HostJson.Load(RepositoryPaths.Find().HostJson).Durable.HubName;
        var history = new TableClient(connectionString, hub + "History");
        var counts = Counted.ToDictionary(c => c.EventType, _ => 0L, StringComparer.Ordinal);
        var filter = string.Join(" or ", Counted.Select(c => $"EventType eq '{c.EventType}'"));
        await foreach (var row in history.QueryAsync<TableEntity>(filter, select: ["EventType"], cancellationToken: ct))
        {
            counts[row.GetString("EventType")]++;
        }

        return Counted.Select(c => (c.Name, counts[c.EventType])).ToList();
    }
}
