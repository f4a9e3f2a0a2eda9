using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Http;
using IncidentFunctions.Incidents;

namespace IncidentFunctions.Timeline;

/// <summary>
/// The append-only timeline: PartitionKey = incident id, RowKey = "{UTC ticks:D19}-{event id}", so one range scan
/// reads an incident's history in time order. Events are only ever added; a duplicate add is a no-op.
/// </summary>
public sealed class TimelineStore(TableServiceClient service)
{
    readonly TableClient table = service.GetTableClient(TableNames.Timeline);

    public static string RowKeyOf(TimelineEvent e) => $"{e.At.UtcTicks:D19}-{e.Id}";

    /// <summary>Adds the event; true if it was new, false if that event was already recorded.</summary>
    public async Task<bool> AppendAsync(string incidentId, TimelineEvent e, CancellationToken ct)
    {
        var entity = new TableEntity(incidentId, RowKeyOf(e))
        {
            ["EventId"] = e.Id,
            ["At"] = e.At,
            ["Type"] = e.Type,
            ["Actor"] = e.Actor,
            ["Channel"] = e.Channel,
            ["Summary"] = e.Summary,
            ["Data"] = e.Data is null ? null : JsonSerializer.Serialize(e.Data, JsonDefaults.Options),
        };
        try
        {
            await table.AddEntityAsync(entity, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Oldest first, paged.</summary>
    public async Task<ResultPage<TimelineEvent>> ReadAsync(string incidentId, int pageSize, string? continuation, CancellationToken ct)
    {
        var query = table.QueryAsync<TableEntity>(e => e.PartitionKey == incidentId, maxPerPage: pageSize, cancellationToken: ct);
        await foreach (var page in query.AsPages(IncidentStore.DecodeToken(continuation), pageSize).WithCancellation(ct))
        {
            return new ResultPage<TimelineEvent>(page.Values.Select(ToEvent).ToList(), IncidentStore.EncodeToken(page.ContinuationToken));
        }

        return new ResultPage<TimelineEvent>([], null);
    }

    static TimelineEvent ToEvent(TableEntity e) => new(
        e.GetString("EventId"),
        e.GetDateTimeOffset("At") ?? default,
        e.GetString("Type"),
        e.GetString("Actor"),
        e.GetString("Channel"),
        e.GetString("Summary"),
        e.GetString("Data") is { } data ? JsonSerializer.Deserialize<Dictionary<string, string>>(data, JsonDefaults.Options) : null);
}
