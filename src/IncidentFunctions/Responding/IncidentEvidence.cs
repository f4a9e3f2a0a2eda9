using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace IncidentFunctions.Responding;

/// <summary>An evidence file to download: its bytes and the safe name to offer it under.</summary>
public sealed record EvidenceFile(Stream Content, string FileName, long Size);

/// <summary>
/// Evidence on an incident's record: a file (the request body, any content type, stored in the
/// <see cref="BlobContainers.Evidence"/> container as "{incident id}/{evidence id}" with its SHA-256) or a link. Either
/// is an evidence.added event through the <see cref="IncidentEditor"/>, saying what it is and who added it.
/// <list type="bullet">
/// <item>A file is read whole, up to the limit, before anything is stored: one over it is a 413 and leaves nothing.</item>
/// <item>Its name is the sender's and hostile: only a safe form of it is kept (<see cref="SafeFileName"/>), and it is
/// only ever offered as a download (see the function), never shown inline.</item>
/// <item>A JSON body is a link, unless the request names a file (<see cref="FileNameQuery"/>): then it is a JSON file.</item>
/// <item>The evidence id derives from the request's Idempotency-Key when it has one, so a retry stores the same blob.</item>
/// </list>
/// </summary>
public sealed class IncidentEvidence(BlobServiceClient blobs, IncidentGate gate, IncidentEditor editor, IOptions<EvidenceOptions> options)
{
    public const string FileNameQuery = "fileName";
    public const string DefaultFileName = "evidence";
    public const int MaxFileName = 100;
    public const int MaxContentType = 255;
    const string FileNameMetadata = "filename";
    const string Sha256Metadata = "sha256";

    readonly BlobContainerClient container = blobs.GetBlobContainerClient(BlobContainers.Evidence);

    public long MaxBytes => options.Value.MaxBytes;

    public async Task<RecordOutcome<RecordedEntry>> AddAsync(
        Caller caller, string id, HttpRequest request, string? idempotencyKey, ICoordinationSignals coordination, CancellationToken ct)
    {
        if ((await gate.AdmitAsync(caller, Permission.Respond, id, ct)).Refusal is { } refused)
        {
            return new(null, refused);
        }

        ChangeNote note;
        if (IsJson(request.ContentType) && !request.Query.ContainsKey(FileNameQuery))
        {
            var (link, problem) = await RecordRequests.ReadAsync(request, RecordRequests.EvidenceLink, ct);
            if (link is null)
            {
                return new(null, problem);
            }

            var data = new Dictionary<string, string>(StringComparer.Ordinal) { ["kind"] = "link", ["url"] = link.Url, ["addedBy"] = caller.ParticipantId };
            if (link.Title is { } title)
            {
                data["title"] = title;
            }

            note = new ChangeNote(TimelineEventTypes.EvidenceAdded, IncidentRecord.Summary("Evidence link", link.Title ?? link.Url), data);
        }
        else
        {
            var (bytes, problem) = await ReadFileAsync(request, ct);
            if (bytes is null)
            {
                return new(null, problem);
            }

            var evidenceId = NewId(id, caller.Key, idempotencyKey);
            var fileName = SafeFileName(request.Query[FileNameQuery].ToString());
            var contentType = ContentTypeOf(request.ContentType);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
            await container.GetBlobClient(BlobName(id, evidenceId)).UploadAsync(
                new BinaryData(bytes),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                    Metadata = new Dictionary<string, string> { [FileNameMetadata] = fileName, [Sha256Metadata] = sha256 },
                },
                ct);
            note = new ChangeNote(
                TimelineEventTypes.EvidenceAdded,
                IncidentRecord.Summary("Evidence file", $"{fileName} ({bytes.Length.ToString(CultureInfo.InvariantCulture)} bytes)"),
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["kind"] = "file",
                    ["evidence"] = evidenceId,
                    ["fileName"] = fileName,
                    ["sha256"] = sha256,
                    ["size"] = bytes.Length.ToString(CultureInfo.InvariantCulture),
                    ["contentType"] = contentType,
                    ["addedBy"] = caller.ParticipantId,
                });
        }

        var edited = await editor.EditAsync(caller, Permission.Respond, id, null, (row, _) => new Change(row.ResponseValue, [note]), coordination, ct);
        return edited.Refusal is { } notEdited ? new(null, notEdited) : new(new RecordedEntry(edited.Recorded[0]), null, edited.Incident);
    }

    public async Task<(EvidenceFile? File, Problem? Refusal)> OpenAsync(Caller caller, string id, string evidenceId, CancellationToken ct)
    {
        if ((await gate.AdmitAsync(caller, Permission.Read, id, ct)).Refusal is { } refused)
        {
            return (null, refused);
        }

        if (IsEvidenceId(evidenceId))
        {
            try
            {
                var download = await container.GetBlobClient(BlobName(id, evidenceId)).DownloadStreamingAsync(cancellationToken: ct);
                var details = download.Value.Details;
                var name = details.Metadata.TryGetValue(FileNameMetadata, out var stored) ? SafeFileName(stored) : DefaultFileName;
                return (new EvidenceFile(download.Value.Content, name, details.ContentLength), null);
            }
            catch (RequestFailedException e) when (e.Status == StatusCodes.Status404NotFound)
            {
            }
        }

        return (null, Problem.Missing("Evidence", "evidence", evidenceId));
    }

    public static string BlobName(string incidentId, string evidenceId) => $"{incidentId}/{evidenceId}";

    /// <summary>As <see cref="TaskChanges.NewId"/>: from the Idempotency-Key when there is one, else new.</summary>
    public static string NewId(string incidentId, string caller, string? idempotencyKey) =>
        idempotencyKey is null
            ? "ev-" + Guid.NewGuid().ToString("N")
            : "ev-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"evidence\n{incidentId}\n{caller}\n{idempotencyKey}")))[..32];

    static bool IsEvidenceId(string id) => id.Length is > 3 and <= 64 && id.StartsWith("ev-", StringComparison.Ordinal) && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>
    /// A file name that is safe anywhere it goes (a Content-Disposition header, a blob's metadata, a page): the last
    /// segment of whatever path was sent, letters, digits, dot, dash, underscore and space only (others become '_'),
    /// no leading dots (hidden files), at most <see cref="MaxFileName"/> characters; "evidence" when nothing is left.
    /// </summary>
    public static string SafeFileName(string? sent)
    {
        var name = (sent ?? string.Empty).Split('/', '\\').Last();
        var safe = new StringBuilder(Math.Min(name.Length, MaxFileName));
        foreach (var c in name)
        {
            if (safe.Length == MaxFileName)
            {
                break;
            }

            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ' ' ? c : '_');
        }

        var trimmed = safe.ToString().Trim().TrimStart('.').Trim();
        return trimmed.Length == 0 || trimmed.All(c => c is '_' or '.') ? DefaultFileName : trimmed;
    }

    /// <summary>The type the sender gave, when it is one (it is only recorded: downloads are always application/octet-stream).</summary>
    static string ContentTypeOf(string? sent) =>
        sent is { Length: > 0 and <= MaxContentType } && MediaTypeHeaderValue.TryParse(sent, out var media) && media.MediaType.Value is { } type && type.All(c => c is > ' ' and <= '~')
            ? type.ToLowerInvariant()
            : "application/octet-stream";

    async Task<(byte[]? Bytes, Problem? Problem)> ReadFileAsync(HttpRequest request, CancellationToken ct)
    {
        var max = MaxBytes;
        if (request.ContentLength > max)
        {
            return (null, Problem.TooLarge(max));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return (null, Problem.TooLarge(max));
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.Length == 0
            ? (null, Problem.Validation([new Validation.FieldError("body", "is empty: send the file as the request body, or a JSON {\"url\": ...} for a link")]))
            : (buffer.ToArray(), null);
    }

    static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}
