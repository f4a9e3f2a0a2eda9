using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using IncidentFunctions.Incidents;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Links;

public enum LinkStatus
{
    Valid,

    /// <summary>No token, or not one this app could have produced (bad encoding, version or layout).</summary>
    Malformed,

    /// <summary>Well-formed but not signed for this incident, action and recipient by a current key: tampered or moved.</summary>
    BadSignature,

    /// <summary>Authentic, but past its expiry.</summary>
    Expired,

    /// <summary>The route names an action links cannot do.</summary>
    UnknownAction,
}

/// <summary>What a valid link lets its recipient do: its own action only, at <see cref="Url"/>, until it expires.</summary>
public sealed record LinkGrant(
    string IncidentId,
    LinkAction Action,
    string RecipientId,
    DateTimeOffset ExpiresAt,
    Uri Url,
    Uri IncidentUrl);

/// <summary>
/// The verdict on a link as requested. RecipientId and ExpiresAt are known once the token is authentic (Valid, Expired);
/// IncidentUrl whenever the route's incident id is well-formed; Grant only when Valid.
/// </summary>
public sealed record LinkVerification(
    LinkStatus Status,
    string IncidentId,
    string Action,
    Uri? IncidentUrl = null,
    string? RecipientId = null,
    DateTimeOffset? ExpiresAt = null,
    LinkGrant? Grant = null);

/// <summary>
/// Creates and checks the signed acknowledge/resolve links that emails carry. A token holds a version byte, the expiry
/// and the recipient id, and an HMAC-SHA256 over those and the incident id and action; the latter two come from the
/// route, so a token moved to another incident or action no longer verifies.
/// </summary>
public sealed class LinkSigner
{
    public const string TokenParameter = "token";
    public const int MaxRecipientIdLength = 128;

    const byte Version = 1;
    const int HeaderBytes = 1 + sizeof(long) + 1;
    const int MacBytes = HMACSHA256.HashSizeInBytes;

    // Far above any token this app makes (about 230 characters at most); bounds the work a junk request can cause.
    const int MaxTokenChars = 512;

    // Person ids as the policy spells them; none of these characters needs escaping anywhere a link goes.
    static readonly SearchValues<char> RecipientIdCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    readonly string baseUrl;
    readonly byte[][] keys;
    readonly TimeSpan lifetime;
    readonly TimeProvider time;

    public LinkSigner(IOptions<ResponderLinkOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        baseUrl = ResponderLinkOptions.ParseBaseUrl(settings.BaseUrl)?.AbsoluteUri.TrimEnd('/') ?? throw Invalid(nameof(settings.BaseUrl));
        var signingKey = ResponderLinkOptions.DecodeKey(settings.SigningKey) ?? throw Invalid(nameof(settings.SigningKey));
        keys = ResponderLinkOptions.DecodeKey(settings.PreviousSigningKey) is { } previous ? [signingKey, previous] : [signingKey];
        lifetime = TimeSpan.FromHours(settings.LifetimeHours);
        this.time = time;
    }

    /// <summary>The lower-case action name, which is also the route segment.</summary>
    public static string RouteSegment(LinkAction action) => action.ToString().ToLowerInvariant();

    /// <summary>The recipient's link for the action; it expires after the configured lifetime (24 h by default).</summary>
    public Uri CreateUrl(string incidentId, string recipientId, LinkAction action) =>
        CreateUrl(incidentId, recipientId, action, time.GetUtcNow() + lifetime);

    /// <summary>The recipient's link for the action, expiring at <paramref name="expiresAt"/> (whole seconds).</summary>
    public Uri CreateUrl(string incidentId, string recipientId, LinkAction action, DateTimeOffset expiresAt)
    {
        if (!IncidentIds.IsWellFormed(incidentId))
        {
            throw new ArgumentException($"'{incidentId}' is not an incident id.", nameof(incidentId));
        }

        if (!IsRecipientId(recipientId))
        {
            throw new ArgumentException($"A recipient id is 1-{MaxRecipientIdLength} of A-Z a-z 0-9 . _ -, not '{recipientId}'.", nameof(recipientId));
        }

        var expiry = expiresAt.ToUnixTimeSeconds();
        var token = new byte[HeaderBytes + recipientId.Length + MacBytes];
        token[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(token.AsSpan(1), expiry);
        token[HeaderBytes - 1] = (byte)recipientId.Length;
        Encoding.ASCII.GetBytes(recipientId, token.AsSpan(HeaderBytes));
        HMACSHA256.HashData(keys[0], Message(incidentId, recipientId, action, expiry), token.AsSpan(HeaderBytes + recipientId.Length));

        var path = Routes.ResponderLink
            .Replace("{id}", incidentId, StringComparison.Ordinal)
            .Replace("{action}", RouteSegment(action), StringComparison.Ordinal);
        return new Uri($"{baseUrl}/{Routes.Prefix}/{path}?{TokenParameter}={Base64Url.EncodeToString(token)}");
    }

    /// <summary>The incidents API; lifecycle events name it as their source.</summary>
    public Uri IncidentsUrl => new($"{baseUrl}/{Routes.Prefix}/{Routes.Incidents}");

    /// <summary>Where a responder reads the incident.</summary>
    public Uri IncidentUrl(string incidentId) =>
        new($"{baseUrl}/{Routes.Prefix}/{Routes.Incident.Replace("{id}", Uri.EscapeDataString(incidentId), StringComparison.Ordinal)}");

    /// <summary>Checks a link as requested: the route's incident id and action, and the token from its query.</summary>
    public LinkVerification Verify(string incidentId, string action, string? token)
    {
        var incidentUrl = IncidentIds.IsWellFormed(incidentId) ? IncidentUrl(incidentId) : null;
        if (!TryParseAction(action, out var linkAction))
        {
            return new(LinkStatus.UnknownAction, incidentId, action, incidentUrl);
        }

        if (!TryRead(token, out var expiry, out var recipientId, out var mac))
        {
            return new(LinkStatus.Malformed, incidentId, action, incidentUrl);
        }

        // No token is ever signed for an id that is not well-formed, so such a route is a moved or tampered link.
        if (incidentUrl is null || !IsAuthentic(Message(incidentId, recipientId, linkAction, expiry), mac))
        {
            return new(LinkStatus.BadSignature, incidentId, action, incidentUrl);
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expiry);
        if (time.GetUtcNow() >= expiresAt)
        {
            return new(LinkStatus.Expired, incidentId, action, incidentUrl, recipientId, expiresAt);
        }

        var grant = new LinkGrant(
            incidentId,
            linkAction,
            recipientId,
            expiresAt,
            CreateUrl(incidentId, recipientId, linkAction, expiresAt),
            incidentUrl);
        return new(LinkStatus.Valid, incidentId, action, incidentUrl, recipientId, expiresAt, grant);
    }

    static bool TryParseAction(string action, out LinkAction parsed)
    {
        foreach (var candidate in Enum.GetValues<LinkAction>())
        {
            if (RouteSegment(candidate).Equals(action, StringComparison.Ordinal))
            {
                parsed = candidate;
                return true;
            }
        }

        parsed = default;
        return false;
    }

    static bool TryRead(string? token, out long expiry, out string recipientId, out byte[] mac)
    {
        (expiry, recipientId, mac) = (0, string.Empty, []);
        if (token is null || token.Length is 0 or > MaxTokenChars)
        {
            return false;
        }

        // The OperationStatus overload reports bad input; TryDecodeFromChars throws FormatException on it.
        var buffer = new byte[Base64Url.GetMaxDecodedLength(token.Length)];
        if (Base64Url.DecodeFromChars(token, buffer, out var consumed, out var length) != OperationStatus.Done || consumed != token.Length)
        {
            return false;
        }

        // Only the exact spelling this app writes is accepted (no padding, whitespace or stray low bits), so every token
        // has one form and any edit of its text is refused.
        var data = buffer.AsSpan(0, length);
        if (!Base64Url.EncodeToString(data).Equals(token, StringComparison.Ordinal) ||
            data.Length < HeaderBytes + 1 + MacBytes || data[0] != Version)
        {
            return false;
        }

        var recipientLength = data[HeaderBytes - 1];
        expiry = BinaryPrimitives.ReadInt64BigEndian(data[1..]);
        if (data.Length != HeaderBytes + recipientLength + MacBytes ||
            expiry < 0 || expiry > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        recipientId = Encoding.ASCII.GetString(data.Slice(HeaderBytes, recipientLength));
        mac = data[(HeaderBytes + recipientLength)..].ToArray();
        return IsRecipientId(recipientId);
    }

    bool IsAuthentic(byte[] message, byte[] mac)
    {
        Span<byte> expected = stackalloc byte[MacBytes];
        foreach (var key in keys)
        {
            HMACSHA256.HashData(key, message, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, mac))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What the MAC covers. Every field is length-prefixed, so no two different field lists encode alike.</summary>
    static byte[] Message(string incidentId, string recipientId, LinkAction action, long expiry)
    {
        var message = new List<byte>(64) { Version };
        foreach (var field in (string[])[incidentId, recipientId, RouteSegment(action)])
        {
            message.Add(checked((byte)field.Length));
            message.AddRange(Encoding.ASCII.GetBytes(field));
        }

        Span<byte> expiryBytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(expiryBytes, expiry);
        message.AddRange(expiryBytes);
        return [.. message];
    }

    static OptionsValidationException Invalid(string setting) =>
        new(ResponderLinkOptions.Section, typeof(ResponderLinkOptions), [$"{ResponderLinkOptions.Section}:{setting}: missing or invalid."]);

    static bool IsRecipientId(string id) =>
        id.Length is > 0 and <= MaxRecipientIdLength && id.AsSpan().IndexOfAnyExcept(RecipientIdCharacters) < 0;
}
