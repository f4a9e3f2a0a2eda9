using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Model;

namespace IncidentFunctions.Responding;

/// <summary>One task of an incident: table <see cref="TableNames.Tasks"/>, PK = incident id, RK = task id.</summary>
public sealed class TaskEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>The task as the API shows it (JSON of <see cref="IncidentTask"/>).</summary>
    public string Task { get; set; } = "{}";

    /// <summary>Copied out of <see cref="Task"/> so that reminders can read the open tasks' due times without parsing every row.</summary>
    public string Status { get; set; } = string.Empty;

    public DateTimeOffset? DueAt { get; set; }

    [IgnoreDataMember]
    public IncidentTask Value => JsonSerializer.Deserialize<IncidentTask>(Task, JsonDefaults.Options)!;

    public static TaskEntity Of(string incidentId, IncidentTask task) => new()
    {
        PartitionKey = incidentId,
        RowKey = task.Id,
        Task = JsonSerializer.Serialize(task, JsonDefaults.Options),
        Status = JsonNamingPolicy.CamelCase.ConvertName(task.Status.ToString()),
        DueAt = task.DueAt,
    };
}

/// <summary>An incident's tasks: added once by id, changed with their ETag, read a partition at a time.</summary>
public sealed class TaskStore(TableServiceClient service)
{
    /// <summary>More than any response needs; a request that would pass it is refused rather than stored.</summary>
    public const int MaxTasksPerIncident = 500;

    readonly TableClient table = service.GetTableClient(TableNames.Tasks);

    /// <summary>Adds the task; false when a task with its id exists already (a retry, a playbook applied again).</summary>
    public async Task<bool> TryAddAsync(string incidentId, IncidentTask task, CancellationToken ct)
    {
        try
        {
            await table.AddEntityAsync(TaskEntity.Of(incidentId, task), ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<TaskEntity?> FindAsync(string incidentId, string taskId, CancellationToken ct)
    {
        var found = await table.GetEntityIfExistsAsync<TaskEntity>(incidentId, taskId, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>Replaces the task if unchanged since read (its ETag); false when someone changed it first.</summary>
    public async Task<bool> TryReplaceAsync(string incidentId, IncidentTask task, ETag etag, CancellationToken ct)
    {
        try
        {
            await table.UpdateEntityAsync(TaskEntity.Of(incidentId, task), etag, TableUpdateMode.Replace, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Every task of the incident, in id order.</summary>
    public async Task<IReadOnlyList<TaskEntity>> ListAsync(string incidentId, CancellationToken ct)
    {
        var tasks = new List<TaskEntity>();
        await foreach (var task in table.QueryAsync<TaskEntity>(e => e.PartitionKey == incidentId, cancellationToken: ct))
        {
            tasks.Add(task);
        }

        return tasks;
    }
}
