using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;

namespace IncidentFunctions.Notifications;

/// <summary>
/// Authenticates one attempt of a request to Azure Communication Services. It runs before every attempt, retries
/// included, because an HMAC signature covers x-ms-date and ACS refuses a stale one.
/// </summary>
internal abstract class AcsAuthentication
{
    public abstract ValueTask AuthenticateAsync(HttpRequestMessage request, byte[] body, CancellationToken ct);
}

/// <summary>The resource's access key, for where a managed identity is not available.</summary>
internal sealed class AcsAccessKeyAuthentication(string accessKey, TimeProvider time) : AcsAuthentication
{
    readonly byte[] key = Convert.FromBase64String(accessKey);

    public override ValueTask AuthenticateAsync(HttpRequestMessage request, byte[] body, CancellationToken ct)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var date = time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        var contentHash = Convert.ToBase64String(SHA256.HashData(body));

        // Uri.Authority carries the port only when it is not the scheme's default, which is what ACS signs as host.
        var stringToSign = $"{request.Method.Method}\n{uri.PathAndQuery}\n{date};{uri.Authority};{contentHash}";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(stringToSign)));

        request.Headers.Add("x-ms-date", date);
        request.Headers.Add("x-ms-content-sha256", contentHash);
        request.Headers.TryAddWithoutValidation(
            "Authorization", $"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}");
        return ValueTask.CompletedTask;
    }
}

/// <summary>A Microsoft Entra token: a managed identity in Azure, the developer's own sign-in elsewhere.</summary>
internal sealed class AcsTokenAuthentication(TokenCredential credential, TimeProvider time) : AcsAuthentication
{
    public const string Scope = "https://communication.azure.com/.default";
    static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    // Not every credential caches its tokens (DefaultAzureCredential's Azure CLI step starts a process per call), so
    // the token is kept here until shortly before it expires. Two sends racing to refresh it is harmless.
    volatile CachedToken? cached;

    public override async ValueTask AuthenticateAsync(HttpRequestMessage request, byte[] body, CancellationToken ct)
    {
        var token = cached;
        if (token is null || time.GetUtcNow() >= token.RefreshAt)
        {
            var fresh = await credential.GetTokenAsync(new TokenRequestContext([Scope]), ct);
            token = new CachedToken(fresh.Token, fresh.RefreshOn ?? fresh.ExpiresOn - RefreshMargin);
            cached = token;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
    }

    sealed record CachedToken(string Value, DateTimeOffset RefreshAt);
}
