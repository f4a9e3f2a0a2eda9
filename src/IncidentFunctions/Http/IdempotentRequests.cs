using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Http;

/// <summary>
/// The <c>Idempotency-Key</c> of a POST: the first answer to a caller's key for an operation (status, headers, body) is
/// kept in the <see cref="TableNames.Requests"/> table for <see cref="KeptFor"/>, with a hash of the request body, so
/// that a client retrying after a timeout gets that answer and the request acts once. The same key with another body
/// is a 422 (a client bug, not a retry); a retry while the first is still running is a 409. A request without the
/// header runs as it is. Answers of 500 and above are not kept: they say "try again", and a retry must be able to.
/// </summary>
public sealed partial class IdempotentRequests(TableServiceClient tables, TimeProvider time, ILogger<IdempotentRequests> logger)
{
    public const string Header = "Idempotency-Key";

    /// <summary>Set on an answer that was kept from the first request with the key rather than made now.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public const int MaxKeyLength = 255;

    public static readonly TimeSpan KeptFor = TimeSpan.FromHours(24);

    /// <summary>
    /// A record still in progress after this long was left by a process that stopped mid-request, and the next retry
    /// runs the request again. Well above the 230 s App Service lets an HTTP request run, so a live request is never
    /// taken over.
    /// </summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(5);

    // A binary property holds at most 64 KiB and an entity 1 MiB: the body is kept in chunks, up to 15 of them.
    const int ChunkBytes = 64 * 1024;
    const int MaxChunks = 15;
    const string InProgress = "in-progress";
    const string Done = "done";

    readonly TableClient table = tables.GetTableClient(TableNames.Requests);

    /// <summary>
    /// Runs <paramref name="handle"/> at most once per <paramref name="caller"/>, <paramref name="operation"/> (the
    /// function and its route values, such as <c>AcknowledgeIncident/INC-...</c>) and idempotency key, and answers
    /// what it answered the first time. Call it after the caller is known to be allowed the route: a refusal is
    /// never kept.
    /// </summary>
    public async Task<IActionResult> RunAsync(
        HttpRequest request, string caller, string operation, Func<Task<IActionResult>> handle, CancellationToken ct, int maxBodyBytes = RequestBody.MaxBytes)
    {
        if (!request.Headers.TryGetValue(Header, out var values))
        {
            return await handle();
        }

        if (values.Count != 1 || !IsValidKey(values[0]))
        {
            return Problem.BadHeader(Header, $"must be one value of 1-{MaxKeyLength} visible ASCII characters").ToResult();
        }

        if (await BodyHashAsync(request, maxBodyBytes, ct) is not { } bodyHash)
        {
            return Problem.TooLarge(maxBodyBytes).ToResult();
        }

        var partition = Hash(caller);
        var row = Hash(operation + "\n" + values[0]);
        while (true)
        {
            var now = time.GetUtcNow();
            var claim = new TableEntity(partition, row)
            {
                ["Operation"] = operation,
                ["State"] = InProgress,
                ["BodyHash"] = bodyHash,
                ["StartedAt"] = now,
                ["ExpiresAt"] = now + KeptFor,
            };
            try
            {
                var added = await table.AddEntityAsync(claim, ct);
                claim.ETag = added.Headers.ETag ?? default;
                return await RunAndKeepAsync(request, claim, handle, ct);
            }
            catch (RequestFailedException e) when (e.Status == StatusCodes.Status409Conflict)
            {
            }

            var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: ct);
            if (!found.HasValue || found.Value is not { } record)
            {
                // Forgotten between our insert and our read (a failed first request): claim it again.
                continue;
            }

            var expired = record.GetDateTimeOffset("ExpiresAt") <= now;
            if (!expired && record.GetString("BodyHash") != bodyHash)
            {
                return Problem.IdempotencyKeyReused(Header).ToResult();
            }

            var running = record.GetString("State") == InProgress;
            var abandoned = running && record.GetDateTimeOffset("StartedAt") + AbandonedAfter <= now;
            if (expired || abandoned)
            {
                try
                {
                    var replaced = await table.UpdateEntityAsync(claim, record.ETag, TableUpdateMode.Replace, ct);
                    claim.ETag = replaced.Headers.ETag ?? default;
                    return await RunAndKeepAsync(request, claim, handle, ct);
                }
                catch (RequestFailedException e) when (e.Status == StatusCodes.Status412PreconditionFailed)
                {
                    // Another retry took it over first; look again.
                    continue;
                }
            }

            if (running)
            {
                return Problem.IdempotentRequestInProgress(Header).ToResult();
            }

            return KeptAnswer.From(record);
        }
    }

    /// <summary>
    /// Deletes records past <see cref="KeptFor"/>, at most <paramref name="max"/>, until <paramref name="stop"/> says
    /// so; returns how many. A record taken over since it was read (a new request with its key) has a new ETag and stays.
    /// </summary>
    public async Task<int> PurgeExpiredAsync(int max, Func<bool> stop, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"ExpiresAt lt {time.GetUtcNow()}");
        var deleted = 0;
        await foreach (var record in table.QueryAsync<TableEntity>(filter, maxPerPage: 100, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            if (deleted >= max || stop())
            {
                break;
            }

            try
            {
                await table.DeleteEntityAsync(record.PartitionKey, record.RowKey, record.ETag, ct);
                deleted++;
            }
            catch (RequestFailedException e) when (e.Status is StatusCodes.Status412PreconditionFailed or StatusCodes.Status404NotFound)
            {
            }
        }

        return deleted;
    }

    async Task<IActionResult> RunAndKeepAsync(HttpRequest request, TableEntity claim, Func<Task<IActionResult>> handle, CancellationToken ct)
    {
        KeptAnswer answer;
        try
        {
            answer = await KeptAnswer.RenderAsync(await handle(), request.HttpContext);
        }
        catch
        {
            // Nothing to keep: a retry runs the request again. Not cancelled with the request that failed.
            await ForgetAsync(claim);
            throw;
        }

        if (answer.StatusCode >= StatusCodes.Status500InternalServerError || answer.Body.Length > ChunkBytes * MaxChunks)
        {
            if (answer.StatusCode < StatusCodes.Status500InternalServerError)
            {
                LogTooLargeToKeep(logger, claim.GetString("Operation"), answer.Body.Length);
            }

            await ForgetAsync(claim);
            return answer;
        }

        answer.WriteTo(claim);
        try
        {
            await table.UpdateEntityAsync(claim, claim.ETag, TableUpdateMode.Replace, CancellationToken.None);
        }
        catch (RequestFailedException e) when (e.Status is StatusCodes.Status412PreconditionFailed or StatusCodes.Status404NotFound)
        {
            // Taken over as abandoned after all (this request ran past AbandonedAfter): the later run keeps its answer.
        }

        return answer;
    }

    async Task ForgetAsync(TableEntity claim)
    {
        try
        {
            await table.DeleteEntityAsync(claim.PartitionKey, claim.RowKey, claim.ETag, CancellationToken.None);
        }
        catch (RequestFailedException e) when (e.Status is StatusCodes.Status412PreconditionFailed or StatusCodes.Status404NotFound)
        {
        }
    }

    /// <summary>1-255 visible ASCII characters (no spaces or control characters), as the header's draft standard and Stripe allow.</summary>
    public static bool IsValidKey(string? key) =>
        key is { Length: > 0 and <= MaxKeyLength } && key.All(c => c is >= '!' and <= '~');

    /// <summary>The SHA-256 of the body (base64), read to its end and rewound for the handler; null when it is over the limit.</summary>
    static async Task<string?> BodyHashAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[16 * 1024];
        long total = 0;
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                return null;
            }

            hash.AppendData(buffer, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToBase64String(hash.GetHashAndReset());
    }

    // Keys are the hashes: a caller's name and their key never reach the table, and any characters fit a key.
    static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The answer to {Operation} ({Bytes} bytes) is too large to keep for its idempotency key; a retry runs it again")]
    static partial void LogTooLargeToKeep(ILogger logger, string operation, int bytes);

    /// <summary>An answer as bytes: made by running a result once, kept in a record, and written to any response.</summary>
    sealed class KeptAnswer(int statusCode, IReadOnlyDictionary<string, string> headers, byte[] body, bool replayed) : IActionResult
    {
        public int StatusCode => statusCode;

        public byte[] Body => body;

        /// <summary>Runs <paramref name="result"/> against a response of its own, as the host would, and keeps what it wrote.</summary>
        public static async Task<KeptAnswer> RenderAsync(IActionResult result, HttpContext original)
        {
            var context = new DefaultHttpContext { RequestServices = original.RequestServices };
            context.Request.Method = original.Request.Method;
            using var body = new MemoryStream();
            context.Response.Body = body;
            await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
            var headers = context.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            return new KeptAnswer(context.Response.StatusCode, headers, body.ToArray(), replayed: false);
        }

        public static KeptAnswer From(TableEntity record)
        {
            var chunks = record.GetInt32("BodyChunks") ?? 0;
            var body = Enumerable.Range(0, chunks).SelectMany(i => record.GetBinary($"Body{i}") ?? []).ToArray();
            var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(record.GetString("Headers") ?? "{}") ?? [];
            return new KeptAnswer(record.GetInt32("StatusCode") ?? StatusCodes.Status200OK, headers, body, replayed: true);
        }

        public void WriteTo(TableEntity record)
        {
            record["State"] = Done;
            record["StatusCode"] = statusCode;
            record["Headers"] = JsonSerializer.Serialize(headers);
            record["BodyChunks"] = body.Chunk(ChunkBytes).Count();
            var i = 0;
            foreach (var chunk in body.Chunk(ChunkBytes))
            {
                record[$"Body{i++}"] = chunk;
            }
        }

        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = statusCode;
            foreach (var (name, value) in headers)
            {
                if (!string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    response.Headers[name] = value;
                }
            }

            if (replayed)
            {
                response.Headers[ReplayedHeader] = "true";
            }

            await response.Body.WriteAsync(body, context.HttpContext.RequestAborted);
        }
    }
}
