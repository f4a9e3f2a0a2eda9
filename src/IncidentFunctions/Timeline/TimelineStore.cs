using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Incidents;
using IncidentFunctions.Model;

namespace IncidentFunctions.Timeline;

/// <summary>
/// The append-only timeline: PartitionKey = incident id, RowKey = "{UTC ticks:D19}-{event id}", so one range scan
/// reads an incident's history in time order. Events are only ever added; a duplicate add is a no-op.
/// <para>
/// Beside the events, each partition has one head row (<see cref="HeadRowKeyOf"/>, after every event key) that every
/// add rewrites in the same transaction: its ETag changes exactly when an event is added, so "anything new since?" is
/// one point read (<see cref="ReadHeadAsync"/>) instead of a query of the partition. It costs no request: an add is one
/// transaction either way. Every read of events leaves it out. Its key names the incident, though the partition already
/// does, because Azurite looks a point read up by its row key first and then checks the partition among every row with
/// that key: a key shared by every incident's head made the read as slow as the table is large (24 ms at the median
/// with 10,000 incidents stored, against 1 ms for a key of its own).
/// </para>
/// </summary>
public sealed class TimelineStore(TableServiceClient service)
{
    /// <summary>Where the head rows' keys start: '~' sorts after the digits every event key starts with.</summary>
    const string HeadKeys = "~";

    /// <summary>The incident's head row's key.</summary>
    public static string HeadRowKeyOf(string incidentId) => $"{HeadKeys}head-{incidentId}";

    /// <summary>What <see cref="ReadHeadAsync"/> answers for a timeline that has had no event added since heads began.</summary>
    public const string NoHead = "none";

    /// <summary>Events per transaction: the table's limit, less the head row.</summary>
    const int EventsPerTransaction = IncidentStore.MaxTransactionActions - 1;

    readonly TableClient table = service.GetTableClient(TableNames.Timeline);

    public static string RowKeyOf(TimelineEvent e) => $"{e.At.UtcTicks:D19}-{e.Id}";

    /// <summary>Adds the event; true if it was new, false if that event was already recorded (and the head is left as it was).</summary>
    public async Task<bool> AppendAsync(string incidentId, TimelineEvent e, CancellationToken ct)
    {
        try
        {
            await table.SubmitTransactionAsync([Add(incidentId, e), Head(incidentId)], ct);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>
    /// A value that changes whenever an event is added to the incident's timeline (the head row's ETag); read it
    /// before reading the events, and an unchanged value later means none was added since.
    /// </summary>
    /// <summary>
    /// Runs, once, what recording an opening and its page runs here (Ingestion.FirstPageWarmUp), writing nothing: a read
    /// of an event that does not exist, and the events sent as updates, which storage refuses whole for want of rows.
    /// </summary>
    public async Task WarmUpAsync(string incidentId, IReadOnlyList<TimelineEvent> events, CancellationToken ct)
    {
        if (events.Count == 0)
        {
            return;
        }

        await ContainsAsync(incidentId, events[0], ct);
        try
        {
            await table.SubmitTransactionAsync([.. events.Select(e => new TableTransactionAction(TableTransactionActionType.UpdateMerge, ToEntity(incidentId, e), ETag.All))], ct);
        }
        catch (TableTransactionFailedException)
        {
            // Refused, as it should be: nothing exists to update.
        }
    }

    public async Task<string> ReadHeadAsync(string incidentId, CancellationToken ct)
    {
        var head = await table.GetEntityIfExistsAsync<TableEntity>(incidentId, HeadRowKeyOf(incidentId), select: ["PartitionKey"], cancellationToken: ct);
        return head.HasValue ? head.Value!.ETag.ToString() : NoHead;
    }

    /// <summary>Whether this exact event (same id and time) is recorded; activities use it to skip work done before a retry.</summary>
    public async Task<bool> ContainsAsync(string incidentId, TimelineEvent e, CancellationToken ct) =>
        (await table.GetEntityIfExistsAsync<TableEntity>(incidentId, RowKeyOf(e), select: ["EventId"], cancellationToken: ct)).HasValue;

    /// <summary>Whether the incident's timeline has an event with this id (one partition read, filtered by the store).</summary>
    public async Task<bool> HasEventAsync(string incidentId, string eventId, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {incidentId} and EventId eq {eventId}");
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["EventId"], cancellationToken: ct))
        {
            return true;
        }

        return false;
    }

    /// <summary>
    /// Adds events of one incident in as few transactions as the table allows. Where a transaction meets an event that
    /// is already recorded (a redelivery), its events are added one by one so the new ones still land.
    /// </summary>
    public async Task AppendManyAsync(string incidentId, IReadOnlyList<TimelineEvent> events, CancellationToken ct)
    {
        foreach (var chunk in events.Chunk(EventsPerTransaction))
        {
            if (chunk.Length == 1)
            {
                await AppendAsync(incidentId, chunk[0], ct);
                continue;
            }

            try
            {
                await table.SubmitTransactionAsync([.. chunk.Select(e => Add(incidentId, e)), Head(incidentId)], ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                foreach (var e in chunk)
                {
                    await AppendAsync(incidentId, e, ct);
                }
            }
        }
    }

    /// <summary>
    /// The events one change of the incident recorded: they share its time and their ids start <c>r{revision}-</c>, so
    /// they are one short range of row keys.
    /// </summary>
    public async Task<IReadOnlyList<TimelineEvent>> ReadChangeAsync(string incidentId, DateTimeOffset at, long revision, CancellationToken ct)
    {
        var from = $"{at.UtcTicks:D19}-r{revision.ToString(System.Globalization.CultureInfo.InvariantCulture)}-";
        var to = from + "~";
        var events = new List<TimelineEvent>();
        await foreach (var entity in table.QueryAsync<TableEntity>(
            e => e.PartitionKey == incidentId && e.RowKey.CompareTo(from) >= 0 && e.RowKey.CompareTo(to) < 0, cancellationToken: ct))
        {
            events.Add(ToEvent(entity));
        }

        return events;
    }

    /// <summary>Oldest first, paged.</summary>
    public async Task<ResultPage<TimelineEvent>> ReadAsync(string incidentId, int pageSize, string? continuation, CancellationToken ct)
    {
        var query = table.QueryAsync<TableEntity>(EventsOf(incidentId), maxPerPage: pageSize, cancellationToken: ct);
        await foreach (var page in query.AsPages(IncidentStore.DecodeToken(continuation), pageSize).WithCancellation(ct))
        {
            return new ResultPage<TimelineEvent>(page.Values.Select(ToEvent).ToList(), IncidentStore.EncodeToken(page.ContinuationToken));
        }

        return new ResultPage<TimelineEvent>([], null);
    }

    /// <summary>
    /// The whole timeline, oldest first, each event with when the store recorded it. For the console's incident page,
    /// which shows the newest events and needs every one's stored time for its live cursor (see WebConsole's TimelineCursor).
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadStoredAsync(string incidentId, CancellationToken ct)
    {
        var events = new List<StoredEvent>();
        await foreach (var entity in table.QueryAsync<TableEntity>(EventsOf(incidentId), maxPerPage: 1000, cancellationToken: ct))
        {
            events.Add(ToStored(entity));
        }

        return events;
    }

    /// <summary>
    /// The events the store recorded after <paramref name="after"/> (its own Timestamp, set when the row was written,
    /// whatever time the event carries), oldest key first: one query of the incident's partition.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadStoredAfterAsync(string incidentId, DateTimeOffset after, CancellationToken ct)
    {
        var events = new List<StoredEvent>();
        await foreach (var entity in table.QueryAsync<TableEntity>(StoredAfter(incidentId, after), maxPerPage: 1000, cancellationToken: ct))
        {
            events.Add(ToStored(entity));
        }

        return events;
    }

    static string StoredAfter(string incidentId, DateTimeOffset after) =>
        after == DateTimeOffset.MinValue
            ? EventsOf(incidentId)
            : TableClient.CreateQueryFilter($"PartitionKey eq {incidentId} and RowKey lt {HeadKeys} and Timestamp gt {after}");

    /// <summary>The incident's events, without its head row.</summary>
    static string EventsOf(string incidentId) => TableClient.CreateQueryFilter($"PartitionKey eq {incidentId} and RowKey lt {HeadKeys}");

    static TableTransactionAction Add(string incidentId, TimelineEvent e) => new(TableTransactionActionType.Add, ToEntity(incidentId, e));

    /// <summary>The head row, rewritten whole (a new ETag) by the transaction that adds events.</summary>
    static TableTransactionAction Head(string incidentId) => new(TableTransactionActionType.UpsertReplace, new TableEntity(incidentId, HeadRowKeyOf(incidentId)));

    static StoredEvent ToStored(TableEntity entity) => new(ToEvent(entity), entity.RowKey, entity.Timestamp ?? DateTimeOffset.MinValue);

    static TableEntity ToEntity(string incidentId, TimelineEvent e) => new(incidentId, RowKeyOf(e))
    {
        ["EventId"] = e.Id,
        ["At"] = e.At,
        ["Type"] = e.Type,
        ["Actor"] = e.Actor,
        ["Channel"] = e.Channel,
        ["Summary"] = e.Summary,
        ["Data"] = e.Data is null ? null : JsonSerializer.Serialize(e.Data, JsonDefaults.Options),
        ["OccurredAt"] = e.OccurredAt,
    };

    static TimelineEvent ToEvent(TableEntity e) => new(
        e.GetString("EventId"),
        e.GetDateTimeOffset("At") ?? default,
        e.GetString("Type"),
        e.GetString("Actor"),
        e.GetString("Channel"),
        e.GetString("Summary"),
        e.GetString("Data") is { } data ? JsonSerializer.Deserialize<Dictionary<string, string>>(data, JsonDefaults.Options) : null,
        e.GetDateTimeOffset("OccurredAt"));
}

/// <summary>
/// A timeline event as the store holds it: its row key (its place in time order) and when the store wrote it, which is
/// the order events became readable in, unlike <see cref="TimelineEvent.At"/> (a writer may record an event late with
/// the time it happened).
/// </summary>
public sealed record StoredEvent(TimelineEvent Event, string RowKey, DateTimeOffset StoredAt);
