using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace IncidentFunctions.Http;

/// <summary>Reads a JSON request body with a hard size limit, mapping every failure to a problem naming the rule.</summary>
public static class RequestBody
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxDepth = 32;

    public static async Task<(JsonDocument? Document, Problem? Problem)> ReadJsonAsync(HttpRequest request, CancellationToken ct)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, Problem.UnsupportedMediaType(request.ContentType));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, Problem.TooLarge(MaxBytes));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), ct)) > 0)
            {
                length += read;
                if (length > MaxBytes)
                {
                    return (null, Problem.TooLarge(MaxBytes));
                }
            }

            if (length == 0)
            {
                return (null, Problem.MalformedJson("The body is empty."));
            }

            try
            {
                // JsonDocument keeps reading the memory it was given: hand it its own copy, not the pooled buffer.
                var document = JsonDocument.Parse(buffer.AsSpan(0, length).ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth });
                return (document, null);
            }
            catch (JsonException e)
            {
                return (null, Problem.MalformedJson($"Line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}"));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
