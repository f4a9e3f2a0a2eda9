using System.Security.Cryptography;
using System.Text;
using IncidentFunctions.Ingestion;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Tests.Unit;

public sealed class StandardWebhooksTests
{
    static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);
    static readonly string Secret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    static readonly string NextSecret = "whsec_" + Convert.ToBase64String(Enumerable.Range(100, 24).Select(i => (byte)i).ToArray());
    const string Id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
    const string Body = "{\"title\":\"disk full\",\"severity\":\"critical\"}";

    sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The spec's recipe, written out independently of the production code.</summary>
    static string Sign(string secret, string id, string timestamp, string body)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        using var hmac = new HMACSHA256(key);
        return "v1," + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
    }

    static HeaderDictionary Headers(string? id = Id, string? timestamp = null, string? signature = null)
    {
        timestamp ??= Now.ToUnixTimeSeconds().ToString();
        var headers = new HeaderDictionary();
        if (id is not null)
        {
            headers["webhook-id"] = id;
        }

        headers["webhook-timestamp"] = timestamp;
        headers["webhook-signature"] = signature ?? Sign(Secret, id ?? string.Empty, timestamp, Body);
        return headers;
    }

    static StandardWebhooks.Result Verify(IHeaderDictionary headers, string body = Body, DateTimeOffset? now = null, params string[] secrets) =>
        new StandardWebhooks(new FixedTime(now ?? Now)).Verify(headers, Encoding.UTF8.GetBytes(body), secrets.Length > 0 ? secrets : [Secret]);

    static void AssertRefused(StandardWebhooks.Result result, string header)
    {
        Assert.False(result.IsValid);
        Assert.Equal(header, result.Header);
        Assert.Null(result.WebhookId);
    }

    [Fact]
    public void ValidSignatureIsAcceptedWithItsIdAndTimestamp()
    {
        var result = Verify(Headers());

        Assert.True(result.IsValid);
        Assert.Equal(Id, result.WebhookId);
        Assert.Equal(Now, result.Timestamp);
    }

    [Fact]
    public void OneValidSignatureAmongSeveralIsEnough()
    {
        var timestamp = Now.ToUnixTimeSeconds().ToString();
        var signature = $"v1,{Convert.ToBase64String(new byte[32])} v2,whatever {Sign(Secret, Id, timestamp, Body)}";

        Assert.True(Verify(Headers(signature: signature)).IsValid);
    }

    [Fact]
    public void EitherRotationSecretIsAccepted()
    {
        var timestamp = Now.ToUnixTimeSeconds().ToString();

        Assert.True(Verify(Headers(signature: Sign(NextSecret, Id, timestamp, Body)), secrets: [Secret, NextSecret]).IsValid);
        Assert.True(Verify(Headers(signature: Sign(Secret, Id, timestamp, Body)), secrets: [Secret, NextSecret]).IsValid);
    }

    [Fact]
    public void TamperedBodyIsRefused() =>
        AssertRefused(Verify(Headers(), Body.Replace("critical", "info", StringComparison.Ordinal)), "webhook-signature");

    [Fact]
    public void TamperedIdIsRefused()
    {
        var headers = Headers();
        headers["webhook-id"] = "msg_other";

        AssertRefused(Verify(headers), "webhook-signature");
    }

    [Fact]
    public void WrongSecretIsRefused() => AssertRefused(Verify(Headers(), secrets: NextSecret), "webhook-signature");

    [Theory]
    [InlineData(301)]
    [InlineData(86_400)]
    public void StaleTimestampIsRefused(int ageSeconds) =>
        AssertRefused(Verify(Headers(), now: Now.AddSeconds(ageSeconds)), "webhook-timestamp");

    [Fact]
    public void FutureTimestampIsRefused() =>
        AssertRefused(Verify(Headers(), now: Now.AddSeconds(-301)), "webhook-timestamp");

    [Theory]
    [InlineData(300)]
    [InlineData(-300)]
    public void TimestampWithinToleranceIsAccepted(int skewSeconds) =>
        Assert.True(Verify(Headers(), now: Now.AddSeconds(skewSeconds)).IsValid);

    [Theory]
    [InlineData("webhook-id")]
    [InlineData("webhook-timestamp")]
    [InlineData("webhook-signature")]
    public void MissingHeaderIsRefusedNamingIt(string header)
    {
        var headers = Headers();
        headers.Remove(header);

        AssertRefused(Verify(headers), header);
    }

    [Theory]
    [InlineData("1760000000.5")]
    [InlineData("-1760000000")]
    [InlineData("2025-10-09T08:53:20Z")]
    [InlineData("99999999999999999999")]
    public void TimestampThatIsNotUnixSecondsIsRefused(string timestamp) =>
        AssertRefused(Verify(Headers(timestamp: timestamp, signature: Sign(Secret, Id, timestamp, Body))), "webhook-timestamp");

    [Theory]
    [InlineData("v1,not base64!")]
    [InlineData("v1,")]
    [InlineData("v1,AAAA")]
    [InlineData("v2,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=")]
    [InlineData("K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=")]
    public void MalformedOrUnknownSignatureIsRefused(string signature) =>
        AssertRefused(Verify(Headers(signature: signature)), "webhook-signature");

    [Fact]
    public void IdWithSpacesIsRefused() => AssertRefused(Verify(Headers(id: "msg 1")), "webhook-id");

    [Theory]
    [InlineData("whsec_")]
    [InlineData("whsec_not-base64!")]
    [InlineData("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0")]
    public void SecretThatIsNotWhsecBase64HasNoKey(string secret) => Assert.Null(StandardWebhooks.KeyOf(secret));

    [Fact]
    public void SecretNeedsAtLeast24Bytes()
    {
        Assert.Null(StandardWebhooks.KeyOf("whsec_" + Convert.ToBase64String(new byte[23])));
        Assert.Equal(24, StandardWebhooks.KeyOf("whsec_" + Convert.ToBase64String(new byte[24]))!.Length);
    }
}
