using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Ingestion;

/// <summary>
/// Verifies the HMAC signature Grafana alerting (12+) can put on its webhooks: the lowercase hex of HMAC-SHA256 with the
/// shared secret over the body, or over "{timestamp}:{body}" when Grafana is configured with a timestamp header. The
/// header names are Grafana's defaults unless the integration names others (Grafana lets both be changed).
/// </summary>
public sealed class HmacSignatures(TimeProvider time)
{
    public const string DefaultHeader = "X-Grafana-Alerting-Signature";
    public const string GrafanaTimestampHeader = "X-Grafana-Alerting-Timestamp";
    public static readonly TimeSpan Tolerance = StandardWebhooks.Tolerance;

    /// <summary>Null when the body is signed with one of the integration's secrets; otherwise the header at fault and the rule.</summary>
    public (string Header, string Rule)? Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, IntegrationSettings settings)
    {
        var header = string.IsNullOrEmpty(settings.HmacHeader) ? DefaultHeader : settings.HmacHeader;
        // The body is signed as it is, without a copy, unless a timestamp goes in front of it.
        var content = body;
        if (!string.IsNullOrEmpty(settings.HmacTimestampHeader))
        {
            var stamp = StandardWebhooks.Single(headers, settings.HmacTimestampHeader);
            if (string.IsNullOrEmpty(stamp))
            {
                return (settings.HmacTimestampHeader, "is required");
            }

            if (SignedTimestamp.Check(stamp, time.GetUtcNow(), Tolerance).Rule is { } stale)
            {
                return (settings.HmacTimestampHeader, stale);
            }

            content = (byte[])[.. Encoding.ASCII.GetBytes(stamp + ":"), .. body];
        }

        var presentedText = StandardWebhooks.Single(headers, header);
        if (string.IsNullOrEmpty(presentedText))
        {
            return (header, "is required");
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(presentedText);
        }
        catch (FormatException)
        {
            return (header, "must be the hex of an HMAC-SHA256");
        }

        var match = false;
        foreach (var secret in settings.HmacSecrets)
        {
            match |= CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), content), presented);
        }

        return match ? null : (header, "matches none of the integration's HMAC secrets");
    }
}
