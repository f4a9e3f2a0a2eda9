using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// Verifies Standard Webhooks v1 signatures: HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}" with any of
/// the integration's "whsec_" secrets, sent as space-separated "v1,&lt;base64&gt;" entries in webhook-signature.
/// </summary>
public sealed class StandardWebhooks(TimeProvider time)
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";
    public const int MinSecretBytes = 24;
    public const int MaxIdLength = 256;
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    /// <summary>Either the verified id and timestamp, or the header at fault and the rule it broke.</summary>
    public sealed record Result(string? WebhookId, DateTimeOffset Timestamp, string? Header, string? Rule)
    {
        public bool IsValid => Header is null;

        internal static Result Refused(string header, string rule) => new(null, default, header, rule);
    }

    /// <summary>The HMAC key of a "whsec_" secret, or null when the value is not one of at least <see cref="MinSecretBytes"/> bytes.</summary>
    public static byte[]? KeyOf(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
            return key.Length >= MinSecretBytes ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public Result Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, IReadOnlyList<string> secrets)
    {
        var id = Single(headers, IdHeader);
        if (string.IsNullOrEmpty(id))
        {
            return Result.Refused(IdHeader, "is required");
        }

        if (id.Length > MaxIdLength || id.Any(c => c is < '!' or > '~'))
        {
            return Result.Refused(IdHeader, $"must be 1-{MaxIdLength} printable ASCII characters without spaces");
        }

        var timestampText = Single(headers, TimestampHeader);
        if (string.IsNullOrEmpty(timestampText))
        {
            return Result.Refused(TimestampHeader, "is required");
        }

        var (timestamp, stale) = SignedTimestamp.Check(timestampText, time.GetUtcNow(), Tolerance);
        if (stale is not null)
        {
            return Result.Refused(TimestampHeader, stale);
        }

        var signatures = Single(headers, SignatureHeader);
        if (string.IsNullOrEmpty(signatures))
        {
            return Result.Refused(SignatureHeader, "is required");
        }

        var presented = new List<byte[]>();
        var malformed = false;
        foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Other versions are for other schemes; a receiver that does not know them ignores them.
            if (!entry.StartsWith("v1,", StringComparison.Ordinal))
            {
                continue;
            }

            var value = entry["v1,".Length..];
            var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(value.Length)];
            if (Convert.TryFromBase64String(value, decoded, out var length) && length == HMACSHA256.HashSizeInBytes)
            {
                presented.Add(decoded[..length]);
            }
            else
            {
                malformed = true;
            }
        }

        if (presented.Count == 0)
        {
            return Result.Refused(SignatureHeader, malformed ? "has a malformed v1 entry (v1,<base64 of 32 bytes>)" : "has no v1 signature");
        }

        var content = new byte[Encoding.UTF8.GetByteCount(id) + Encoding.ASCII.GetByteCount(timestampText) + 2 + body.Length];
        var written = Encoding.UTF8.GetBytes(id, content);
        content[written++] = (byte)'.';
        written += Encoding.ASCII.GetBytes(timestampText, content.AsSpan(written));
        content[written++] = (byte)'.';
        body.CopyTo(content.AsSpan(written));

        var match = false;
        foreach (var secret in secrets)
        {
            if (KeyOf(secret) is not { } key)
            {
                continue;
            }

            var expected = HMACSHA256.HashData(key, content);
            foreach (var signature in presented)
            {
                match |= CryptographicOperations.FixedTimeEquals(expected, signature);
            }
        }

        return match
            ? new Result(id, timestamp, null, null)
            : Result.Refused(SignatureHeader, "matches none of the integration's webhook secrets");
    }

    internal static string? Single(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;
}

/// <summary>The freshness rule of signed webhooks: whole Unix seconds, within a tolerance of our clock either way.</summary>
public static class SignedTimestamp
{
    /// <summary>The timestamp, or the rule <paramref name="text"/> breaks.</summary>
    public static (DateTimeOffset At, string? Rule) Check(string text, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ||
            seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return (default, "must be whole seconds since the Unix epoch");
        }

        var at = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var skew = now - at;
        return skew > tolerance ? (at, $"is more than {tolerance.TotalSeconds:0} seconds old")
            : -skew > tolerance ? (at, $"is more than {tolerance.TotalSeconds:0} seconds in the future")
            : (at, null);
    }
}
