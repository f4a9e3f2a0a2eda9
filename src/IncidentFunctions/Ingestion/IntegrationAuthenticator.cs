using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Ingestion;

/// <summary>Checks the secret a sender presents, in constant time, against every secret of the integration.</summary>
public sealed class IntegrationAuthenticator(IOptionsMonitor<IntegrationOptions> options)
{
    /// <summary>The header a sender may put its secret in, instead of 'Authorization: Bearer'.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The query parameter a sender that cannot set headers puts its secret in.</summary>
    public const string KeyParameter = "key";

    public enum Result
    {
        Ok,
        UnknownIntegration,
        BadSecret,

        /// <summary>The integration signs its requests: the caller must verify the signature over the body.</summary>
        SignatureRequired,
    }

    public Result Authenticate(HttpRequest request, string integration)
    {
        if (!options.CurrentValue.Items.TryGetValue(integration, out var settings))
        {
            return Result.UnknownIntegration;
        }

        if (settings.WebhookSecrets.Count > 0 || settings.HmacSecrets.Count > 0)
        {
            return Result.SignatureRequired;
        }

        var presented = PresentedSecret(request);
        if (presented is null)
        {
            return Result.BadSecret;
        }

        // Hashing first makes the comparison constant-time regardless of the lengths involved.
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var secret in settings.Secrets)
        {
            match |= CryptographicOperations.FixedTimeEquals(presentedHash, SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        }

        return match ? Result.Ok : Result.BadSecret;
    }

    /// <summary>
    /// The pagerduty-format integration whose secrets include <paramref name="routingKey"/>, compared in constant time
    /// with every such secret; null when none does.
    /// </summary>
    public string? FindByRoutingKey(string routingKey)
    {
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(routingKey));
        string? found = null;
        foreach (var (name, settings) in options.CurrentValue.Items)
        {
            if (!string.Equals(settings.Format, AlertFormats.PagerDuty, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var secret in settings.Secrets)
            {
                if (CryptographicOperations.FixedTimeEquals(presentedHash, SHA256.HashData(Encoding.UTF8.GetBytes(secret))))
                {
                    found ??= name;
                }
            }
        }

        return found;
    }

    static string? PresentedSecret(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        if (request.Headers.TryGetValue(ApiKeyHeader, out var apiKey) && apiKey.Count > 0)
        {
            return apiKey.ToString();
        }

        return request.Query.TryGetValue(KeyParameter, out var key) && key.Count > 0 ? key.ToString() : null;
    }
}
