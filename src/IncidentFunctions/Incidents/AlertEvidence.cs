using Azure.Storage.Blobs;
using IncidentFunctions.Model;

namespace IncidentFunctions.Incidents;

/// <summary>
/// Keeps what each sender sent for an alert, as evidence for review and compliance: on the alert's own row in the
/// incidents table when it is short, which costs no extra write, else in a blob the row names. Short enough means that a
/// transaction of a hundred alert rows, each with its description, stays well under Table Storage's 4 MiB.
/// </summary>
public sealed class AlertEvidence(BlobServiceClient blobs)
{
    public const int MaxInlineChars = 4 * 1024;

    readonly BlobContainerClient container = blobs.GetBlobContainerClient(BlobContainers.AlertEvidence);

    public static bool IsInline(Alert alert) => alert.Raw is null || alert.Raw.Length <= MaxInlineChars;

    /// <summary>Stable per alert, so a redelivered alert overwrites its evidence with the same bytes.</summary>
    public static string BlobNameOf(Alert alert) => $"{alert.Integration}/{alert.ReceivedAt:yyyy/MM/dd}/{alert.Id}.json";

    /// <summary>Writes the blob for an alert whose raw JSON does not fit on its row; nothing otherwise.</summary>
    public async Task StoreAsync(Alert alert, CancellationToken ct)
    {
        if (!IsInline(alert))
        {
            await container.GetBlobClient(BlobNameOf(alert)).UploadAsync(BinaryData.FromString(alert.Raw!), overwrite: true, ct);
        }
    }

    /// <summary>The raw JSON kept for an alert row, from the row or its blob.</summary>
    public async Task<string?> ReadAsync(AlertEntity row, CancellationToken ct) =>
        row.RawBlob is null ? row.Raw : (await container.GetBlobClient(row.RawBlob).DownloadContentAsync(ct)).Value.Content.ToString();
}
