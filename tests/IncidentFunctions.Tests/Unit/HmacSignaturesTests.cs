using System.Security.Cryptography;
using System.Text;
using IncidentFunctions.Ingestion;
using Microsoft.AspNetCore.Http;
using IntegrationSettings = IncidentFunctions.Ingestion.IntegrationSettings;

namespace IncidentFunctions.Tests.Unit;

public sealed class HmacSignaturesTests
{
    static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);
    const string Secret = "grafana-hmac-secret-0123";
    const string NextSecret = "grafana-hmac-rotated-4567";
    const string Body = """{"receiver":"incidents","status":"firing","alerts":[]}""";

    sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Grafana's recipe, written out independently of the production code: hex HMAC-SHA256 of the signed text.</summary>
    static string Sign(string secret, string signed) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(signed)));

    static IntegrationSettings Settings(bool timestamped, params string[] secrets) => new()
    {
        Format = AlertFormats.Grafana,
        HmacSecrets = secrets.Length > 0 ? [.. secrets] : [Secret],
        HmacTimestampHeader = timestamped ? HmacSignatures.GrafanaTimestampHeader : null,
    };

    static (string Header, string Rule)? Verify(HeaderDictionary headers, IntegrationSettings settings, string body = Body) =>
        new HmacSignatures(new FixedTime(Now)).Verify(headers, Encoding.UTF8.GetBytes(body), settings);

    static HeaderDictionary Headers(string? signature, string? timestamp = null)
    {
        var headers = new HeaderDictionary();
        if (signature is not null)
        {
            headers[HmacSignatures.DefaultHeader] = signature;
        }

        if (timestamp is not null)
        {
            headers[HmacSignatures.GrafanaTimestampHeader] = timestamp;
        }

        return headers;
    }

    [Fact]
    public void ABodySignedWithTheSecretIsAccepted()
    {
        Assert.Null(Verify(Headers(Sign(Secret, Body)), Settings(timestamped: false)));
    }

    [Fact]
    public void WithATimestampHeaderTheTimestampIsSignedWithTheBody()
    {
        var stamp = Now.AddSeconds(-20).ToUnixTimeSeconds().ToString();

        Assert.Null(Verify(Headers(Sign(Secret, $"{stamp}:{Body}"), stamp), Settings(timestamped: true)));
        Assert.Equal(HmacSignatures.DefaultHeader, Verify(Headers(Sign(Secret, Body), stamp), Settings(timestamped: true))?.Header);
    }

    [Fact]
    public void EitherSecretOfARotationIsAcceptedAndUppercaseHexToo()
    {
        var settings = Settings(timestamped: false, Secret, NextSecret);

        Assert.Null(Verify(Headers(Sign(NextSecret, Body)), settings));
        Assert.Null(Verify(Headers(Sign(Secret, Body).ToUpperInvariant()), settings));
    }

    [Theory]
    [InlineData("missing signature", HmacSignatures.DefaultHeader)]
    [InlineData("not hex", HmacSignatures.DefaultHeader)]
    [InlineData("wrong secret", HmacSignatures.DefaultHeader)]
    [InlineData("tampered body", HmacSignatures.DefaultHeader)]
    [InlineData("missing timestamp", HmacSignatures.GrafanaTimestampHeader)]
    [InlineData("stale timestamp", HmacSignatures.GrafanaTimestampHeader)]
    [InlineData("future timestamp", HmacSignatures.GrafanaTimestampHeader)]
    [InlineData("timestamp not a number", HmacSignatures.GrafanaTimestampHeader)]
    public void ARefusalNamesTheHeaderAtFault(string fault, string header)
    {
        var stamp = fault switch
        {
            "missing timestamp" => null,
            "stale timestamp" => Now.AddMinutes(-6).ToUnixTimeSeconds().ToString(),
            "future timestamp" => Now.AddMinutes(6).ToUnixTimeSeconds().ToString(),
            "timestamp not a number" => "2026-11-26T03:00:00Z",
            _ => Now.ToUnixTimeSeconds().ToString(),
        };
        var signature = fault switch
        {
            "missing signature" => null,
            "not hex" => "sha256=zz",
            "wrong secret" => Sign("someone-elses-secret-0000", $"{stamp}:{Body}"),
            _ => Sign(Secret, $"{stamp}:{Body}"),
        };
        var body = fault == "tampered body" ? Body.Replace("firing", "resolved", StringComparison.Ordinal) : Body;

        var refused = Verify(Headers(signature, stamp), Settings(timestamped: true), body);

        Assert.Equal(header, refused?.Header);
    }
}
