using System.Buffers.Text;
using System.Text;
using Azure;
using Azure.Data.Tables;
using IncidentFunctions.Model;

namespace IncidentFunctions.Incidents;

public enum WriteOutcome
{
    Applied,
    AlreadyApplied,
    Conflict,
}

/// <summary>
/// Incidents, the alerts counted into them, the dedup-key pointers and the status index, in Table Storage.
/// Every update of an incident carries its ETag: a lost race surfaces as <see cref="WriteOutcome.Conflict"/> or
/// <c>false</c> and the caller re-reads, never overwrites.
/// </summary>
public sealed class IncidentStore(TableServiceClient service)
{
    public const int MaxPageSize = 100;

    readonly TableClient incidents = service.GetTableClient(TableNames.Incidents);
    readonly TableClient keys = service.GetTableClient(TableNames.AlertKeys);
    readonly TableClient index = service.GetTableClient(TableNames.IncidentIndex);

    public Task<AlertKeyEntity?> FindKeyAsync(string integration, string dedupKey, CancellationToken ct) =>
        FindAsync<AlertKeyEntity>(keys, AlertKeyEntity.PartitionKeyOf(integration, dedupKey), string.Empty, ct);

    /// <summary>
    /// Points the dedup key at <paramref name="incidentId"/>: inserts when <paramref name="current"/> is null, else
    /// replaces it only if it is unchanged since read. False means another processor won the race.
    /// </summary>
    public async Task<bool> TryClaimKeyAsync(
        AlertKeyEntity? current, string integration, string dedupKey, string incidentId, string? openings, CancellationToken ct)
    {
        var claim = new AlertKeyEntity
        {
            PartitionKey = AlertKeyEntity.PartitionKeyOf(integration, dedupKey),
            RowKey = string.Empty,
            DedupKey = dedupKey,
            IncidentId = incidentId,
            Openings = openings,
        };
        return await TryAddOrReplaceAsync(keys, claim, current?.ETag, ct) is not null;
    }

    public Task<IncidentEntity?> FindAsync(string id, CancellationToken ct) => FindAsync<IncidentEntity>(incidents, id, IncidentEntity.Row, ct);

    /// <summary>
    /// Runs, once, what opening <paramref name="incident"/> runs here (Ingestion.FirstPageWarmUp), writing nothing: its
    /// key, row and claim read while none exists; its key's claim and its index rows sent as updates, and its creating
    /// transaction's rows too, all of which storage refuses because the rows they would update are missing.
    /// </summary>
    public async Task WarmUpAsync(IncidentEntity incident, AlertEntity firstAlert, NotificationClaimEntity? firstPage, CancellationToken ct)
    {
        if (await FindKeyAsync(incident.Integration, incident.DedupKey, ct) is null)
        {
            await RefusedAsync(keys.UpdateEntityAsync(
                new AlertKeyEntity { PartitionKey = AlertKeyEntity.PartitionKeyOf(incident.Integration, incident.DedupKey), DedupKey = incident.DedupKey, IncidentId = incident.Id },
                ETag.All, TableUpdateMode.Replace, ct));
        }

        await FindAsync(incident.Id, ct);
        List<TableTransactionAction> updates = [new(TableTransactionActionType.UpdateMerge, incident, ETag.All), new(TableTransactionActionType.UpdateMerge, firstAlert, ETag.All)];
        if (firstPage is not null)
        {
            await FindClaimAsync(incident.Id, firstPage.RowKey, ct);
            updates.Add(new(TableTransactionActionType.UpdateMerge, firstPage, ETag.All));
        }

        try
        {
            await incidents.SubmitTransactionAsync(updates, ct);
        }
        catch (TableTransactionFailedException)
        {
            // Refused, as it should be: nothing exists to update.
        }

        // An index row's listing is three JSON documents, each type's first serialization the slowest.
        await RefusedAsync(index.UpdateEntityAsync(IndexEntity.Of(IndexEntity.BucketOf(incident.StatusValue), incident), ETag.All, TableUpdateMode.Replace, ct));
    }

    /// <summary>Awaits a write the warm-up expects storage to refuse for want of its row (404).</summary>
    static async Task RefusedAsync(Task<Response> write)
    {
        try
        {
            await write;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>
    /// Creates the incident together with its first alert (none for a declared incident) and, when given, the claim its
    /// first page is sent under; false if the incident already exists.
    /// </summary>
    public async Task<bool> TryCreateAsync(IncidentEntity incident, AlertEntity? firstAlert, NotificationClaimEntity? firstPage, CancellationToken ct)
    {
        try
        {
            List<TableTransactionAction> actions = [new(TableTransactionActionType.Add, incident)];
            if (firstAlert is not null)
            {
                actions.Add(new(TableTransactionActionType.Add, firstAlert));
            }

            if (firstPage is not null)
            {
                actions.Add(new(TableTransactionActionType.Add, firstPage));
            }

            var response = await incidents.SubmitTransactionAsync(actions, ct);
            incident.ETag = await ETagAfterAsync(response, incident.Id, ct);
            if (firstPage is not null)
            {
                // Without it, releasing the claim after a failed send would fail too, and the claim would lapse instead.
                firstPage.ETag = response.Value[^1].Headers.ETag ?? default;
            }

            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>The most actions one entity-group transaction may hold.</summary>
    public const int MaxTransactionActions = 100;

    /// <summary>
    /// Counts alerts into an incident in one transaction: the incident (changed by the caller, with the ETag it was
    /// read with) and each alert's write-once row, at most <see cref="MaxTransactionActions"/> - 1 of them. If any alert
    /// row exists already, nothing is written and the result is <see cref="WriteOutcome.AlreadyApplied"/>: ask
    /// <see cref="ExistingAlertRowsAsync"/> which, and try again without them.
    /// </summary>
    public async Task<WriteOutcome> TryAppendAsync(IncidentEntity changed, IReadOnlyList<AlertEntity> alerts, CancellationToken ct)
    {
        try
        {
            var actions = new List<TableTransactionAction>(alerts.Count + 1) { new(TableTransactionActionType.UpdateReplace, changed, changed.ETag) };
            actions.AddRange(alerts.Select(a => new TableTransactionAction(TableTransactionActionType.Add, a)));
            var response = await incidents.SubmitTransactionAsync(actions, ct);
            changed.ETag = await ETagAfterAsync(response, changed.Id, ct);
            return WriteOutcome.Applied;
        }
        catch (TableTransactionFailedException e) when (e.Status == 412)
        {
            return WriteOutcome.Conflict;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            // An alert row exists: that alert was counted before. The caller asks which, and retries without them.
            return WriteOutcome.AlreadyApplied;
        }
    }

    /// <summary>
    /// The incident's new ETag after a transaction whose first action wrote it. The service returns it per action;
    /// should a response lack it, the incident is read back rather than left without one.
    /// </summary>
    async Task<ETag> ETagAfterAsync(Response<IReadOnlyList<Response>> transaction, string incidentId, CancellationToken ct) =>
        transaction.Value[0].Headers.ETag
        ?? (await incidents.GetEntityAsync<IncidentEntity>(incidentId, IncidentEntity.Row, select: ["PartitionKey"], cancellationToken: ct)).Value.ETag;

    /// <summary>Which of these alerts already have their row, i.e. were counted by an earlier delivery.</summary>
    public async Task<HashSet<string>> ExistingAlertRowsAsync(IReadOnlyList<AlertEntity> alerts, CancellationToken ct)
    {
        var found = await Task.WhenAll(alerts.Select(a =>
            incidents.GetEntityIfExistsAsync<AlertEntity>(a.PartitionKey, a.RowKey, select: ["AlertId"], cancellationToken: ct)));
        return alerts.Where((_, i) => found[i].HasValue).Select(a => a.RowKey).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every alert counted into the incident, oldest first (row keys sort by arrival).</summary>
    public async Task<List<AlertEntity>> AlertRowsAsync(string incidentId, CancellationToken ct)
    {
        var rows = new List<AlertEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {incidentId} and RowKey ge {"alert-"} and RowKey lt {"alert."}");
        await foreach (var row in incidents.QueryAsync<AlertEntity>(filter, cancellationToken: ct))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The first <paramref name="max"/> alerts counted into the incident, oldest first: one page, for showing a storm's incident without reading all of it.</summary>
    public async Task<List<AlertEntity>> FirstAlertRowsAsync(string incidentId, int max, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {incidentId} and RowKey ge {"alert-"} and RowKey lt {"alert."}");
        await foreach (var page in incidents.QueryAsync<AlertEntity>(filter, maxPerPage: max, cancellationToken: ct).AsPages(pageSizeHint: max).WithCancellation(ct))
        {
            return [.. page.Values.Take(max)];
        }

        return [];
    }

    public Task<NotificationClaimEntity?> FindClaimAsync(string incidentId, string notificationId, CancellationToken ct) =>
        FindAsync<NotificationClaimEntity>(incidents, incidentId, NotificationClaimEntity.RowKeyOf(notificationId), ct);

    /// <summary>
    /// Writes the claim: adds it when its ETag is empty (a first claim), else replaces it if unchanged since read.
    /// False means someone else claimed or changed it first.
    /// </summary>
    public async Task<bool> TryWriteClaimAsync(NotificationClaimEntity claim, CancellationToken ct)
    {
        if (await TryAddOrReplaceAsync(incidents, claim, claim.ETag == default ? null : claim.ETag, ct) is not { } response)
        {
            return false;
        }

        claim.ETag = response.Headers.ETag ?? default;
        return true;
    }

    static async Task<T?> FindAsync<T>(TableClient table, string partitionKey, string rowKey, CancellationToken ct)
        where T : class, ITableEntity
    {
        var found = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>
    /// Adds <paramref name="entity"/> when <paramref name="ifMatch"/> is null, else replaces it if its ETag still is
    /// <paramref name="ifMatch"/>. Null when someone else added or changed it first.
    /// </summary>
    static async Task<Response?> TryAddOrReplaceAsync(TableClient table, ITableEntity entity, ETag? ifMatch, CancellationToken ct)
    {
        try
        {
            return ifMatch is { } etag
                ? await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, ct)
                : await table.AddEntityAsync(entity, ct);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <summary>Replaces the incident if unchanged since read; false when someone else changed it first.</summary>
    public async Task<bool> TryUpdateAsync(IncidentEntity changed, CancellationToken ct)
    {
        try
        {
            var response = await incidents.UpdateEntityAsync(changed, changed.ETag, TableUpdateMode.Replace, ct);
            changed.ETag = response.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    /// <summary>
    /// Makes the status index agree with the incident: a row in its status bucket and in "all", none elsewhere.
    /// Idempotent, so a crash between writes is repaired by the next call; readers also skip rows that disagree.
    /// </summary>
    /// <paramref name="isNew"/> says the incident was just created (open, never indexed): nothing stale to remove;
    /// <paramref name="statusChanged"/> false says only what the listing shows changed, not the bucket.
    public async Task IndexAsync(IncidentEntity incident, CancellationToken ct, bool isNew = false, bool statusChanged = true)
    {
        var rowKey = IndexEntity.RowKeyOf(incident);
        var current = IndexEntity.BucketOf(incident.StatusValue);
        await Task.WhenAll(
            index.UpsertEntityAsync(IndexEntity.Of(current, incident), TableUpdateMode.Replace, ct),
            index.UpsertEntityAsync(IndexEntity.Of(IndexEntity.All, incident), TableUpdateMode.Replace, ct));
        if (!isNew && statusChanged)
        {
            foreach (var stale in Enum.GetValues<IncidentStatus>().Select(IndexEntity.BucketOf).Where(b => b != current))
            {
                await index.DeleteEntityAsync(stale, rowKey, ETag.All, ct);
            }
        }

        // Last, so that a reader who sees the new revision reads the rows it stands for.
        await index.UpsertEntityAsync(new TableEntity(IndexEntity.RevisionPartition, IndexEntity.RevisionRow), TableUpdateMode.Replace, ct);
    }

    /// <summary>
    /// The index's revision: the ETag of a row rewritten after every write of the index, so a different value means
    /// some incident's listing changed since (which one, it does not say), and the same value that none did. One point
    /// read: what the console's live lists ask before reading anything else. Null before the first incident.
    /// </summary>
    public async Task<string?> IndexRevisionAsync(CancellationToken ct)
    {
        var found = await index.GetEntityIfExistsAsync<TableEntity>(IndexEntity.RevisionPartition, IndexEntity.RevisionRow, select: ["PartitionKey"], cancellationToken: ct);
        return found.HasValue ? found.Value!.ETag.ToString() : null;
    }

    /// <summary>
    /// Newest first, from the status bucket of the index: one range scan of that bucket's page, however many incidents
    /// were ever stored, and nothing else (the index rows carry what a listing shows). A row written before they did
    /// is listed from its incident row. Rows that disagree with their bucket (a crash between index writes) are skipped.
    /// <paramref name="bucket"/> is a status name or "all".
    /// </summary>
    public async Task<ResultPage<ListedIncident>> ListAsync(string bucket, int pageSize, string? continuation, CancellationToken ct)
    {
        var query = index.QueryAsync<IndexEntity>(e => e.PartitionKey == bucket, maxPerPage: pageSize, cancellationToken: ct);
        await foreach (var page in query.AsPages(DecodeToken(continuation), pageSize).WithCancellation(ct))
        {
            return new ResultPage<ListedIncident>(await ListedAsync(bucket, page.Values, ct), EncodeToken(page.ContinuationToken));
        }

        return new ResultPage<ListedIncident>([], null);
    }

    /// <summary>
    /// Every incident of the bucket opened at or after <paramref name="since"/>, newest first: one range scan of the
    /// bucket by row key (which sorts by opening time), read to its end. For the dashboard's weeks; a listing pages.
    /// </summary>
    public async Task<List<ListedIncident>> ListOpenedSinceAsync(string bucket, DateTimeOffset since, CancellationToken ct)
    {
        var before = $"{DateTimeOffset.MaxValue.UtcTicks - since.UtcTicks + 1:D19}";
        var listed = new List<ListedIncident>();
        var query = index.QueryAsync<IndexEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {bucket} and RowKey lt {before}"), maxPerPage: 1000, cancellationToken: ct);
        await foreach (var page in query.AsPages().WithCancellation(ct))
        {
            listed.AddRange(await ListedAsync(bucket, page.Values, ct));
        }

        return listed;
    }

    /// <summary>The index rows as listed: a row written before the index carried a listing's view is read from its incident.</summary>
    async Task<List<ListedIncident>> ListedAsync(string bucket, IEnumerable<IndexEntity> rows, CancellationToken ct)
    {
        var found = await Task.WhenAll(rows.Select(async row => row.Listed() ?? (await FindAsync(row.IncidentId, ct)) switch
        {
            null => null,
            var incident => IndexEntity.Of(bucket, incident).Listed(),
        }));
        return found
            .Where(i => i is not null && (bucket == IndexEntity.All || IndexEntity.BucketOf(i.Summary.Status) == bucket))
            .Select(i => i!)
            .ToList();
    }

    /// <summary>Continuation tokens are opaque to callers; base64url keeps them safe in a query string.</summary>
    public static string? EncodeToken(string? token) =>
        token is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token));

    public static string? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new InvalidContinuationTokenException();
        }
    }
}

public sealed class InvalidContinuationTokenException() : Exception("The continuation token is not one this API issued.");
