using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
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
        var (raw, problem) = await ReadAsync(request, ct);
        return raw is null ? (null, problem) : Parse(raw);
    }

    /// <summary>
    /// The raw bytes of a JSON request (type, size and emptiness checked, not yet parsed), for callers that must see
    /// them as sent, such as a signature check, before <see cref="Parse"/>.
    /// </summary>
    public static async Task<(byte[]? Raw, Problem? Problem)> ReadAsync(HttpRequest request, CancellationToken ct, int maxBytes = MaxBytes)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, Problem.UnsupportedMediaType(request.ContentType));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, Problem.TooLarge(maxBytes));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), ct)) > 0)
            {
                length += read;
                if (length > maxBytes)
                {
                    return (null, Problem.TooLarge(maxBytes));
                }
            }

            // The caller (and the JsonDocument parsed from it) keeps these bytes: its own copy, not the pooled buffer.
            return length == 0
                ? (null, Problem.MalformedJson("The body is empty."))
                : (buffer.AsSpan(0, length).ToArray(), null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses bytes from <see cref="ReadAsync"/>; the document reads <paramref name="raw"/> in place, so it must not change.</summary>
    public static (JsonDocument? Document, Problem? Problem) Parse(byte[] raw)
    {
        // JsonDocument checks a string's text only when the string is read, so a body with a bad byte inside a string,
        // or an escaped lone surrogate ("\ud800"), parses and then throws from GetString() in whatever reads it: a 500.
        // Check the whole body once, here, instead: the bytes, then every escaped string and property name.
        if (!Utf8.IsValid(raw))
        {
            return (null, Problem.MalformedJson($"Byte {FirstInvalidUtf8(raw) + 1}: the body is not valid UTF-8."));
        }

        try
        {
            if (FirstUnreadableString(raw) is { } at)
            {
                return (null, Problem.MalformedJson($"Byte {at + 1}: a string escapes a lone UTF-16 surrogate, which is not text."));
            }

            return (JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = MaxDepth }), null);
        }
        catch (JsonException e)
        {
            return (null, Problem.MalformedJson($"Line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}"));
        }
    }

    /// <summary>Where (a byte offset) the first escaped string or property name without text (a lone surrogate) starts; null if none.</summary>
    static long? FirstUnreadableString(byte[] raw)
    {
        var reader = new Utf8JsonReader(raw, new JsonReaderOptions { MaxDepth = MaxDepth });
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    return reader.TokenStartIndex;
                }
            }
        }

        return null;
    }

    static int FirstInvalidUtf8(ReadOnlySpan<byte> raw)
    {
        var offset = 0;
        while (offset < raw.Length && Rune.DecodeFromUtf8(raw[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset;
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
