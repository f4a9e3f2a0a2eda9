using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>One request as the fake saw it, and what it answered.</summary>
public sealed record AcsAttempt(DateTimeOffset At, string? OperationId, string? Authorization, JsonElement? Body, int Status);

/// <summary>
/// A fake of Azure Communication Services Email on a loopback port. It is a fake only because ACS cannot run on this
/// machine (there is no emulator). It checks authentication as FACTS.md describes ACS doing it, with its own code
/// rather than the app's signer: the content hash, the HMAC over method, path and query, x-ms-date, host and hash, or
/// an exact bearer token. It records every attempt and answers 202 unless a test scripted other answers first.
/// </summary>
public sealed class FakeAcsServer : IAsyncDisposable
{
    public const string SendTarget = "/emails:send?api-version=2023-03-31";

    readonly WebApplication app;
    readonly byte[]? accessKey;
    readonly string? bearerToken;
    readonly ConcurrentQueue<(int Status, (string Name, string Value)[] Headers, string? Body)> script = new();
    readonly ConcurrentQueue<AcsAttempt> attempts = new();

    FakeAcsServer(WebApplication app, byte[]? accessKey, string? bearerToken)
    {
        this.app = app;
        this.accessKey = accessKey;
        this.bearerToken = bearerToken;
        app.Run(HandleAsync);
    }

    public Uri Endpoint => new(app.Urls.Single());

    public IReadOnlyList<AcsAttempt> Attempts => [.. attempts];

    /// <summary>Accepts requests signed with this access key (base64, as ACS shows it).</summary>
    public static Task<FakeAcsServer> WithAccessKeyAsync(string accessKey) => StartAsync(Convert.FromBase64String(accessKey), null);

    /// <summary>Accepts requests that carry exactly this bearer token.</summary>
    public static Task<FakeAcsServer> WithBearerTokenAsync(string token) => StartAsync(null, token);

    static async Task<FakeAcsServer> StartAsync(byte[]? accessKey, string? bearerToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = new FakeAcsServer(builder.Build(), accessKey, bearerToken);
        await server.app.StartAsync();
        return server;
    }

    /// <summary>The next authenticated request gets this answer instead of 202; calls queue up in order.</summary>
    public void Answer(int status, string? body = null, params (string Name, string Value)[] headers) =>
        script.Enqueue((status, headers, body));

    async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (request.Method != HttpMethods.Post || target != SendTarget)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var authorization = request.Headers.Authorization.ToString();

        var denied = Authenticate(request, target, body, authorization);
        var (status, headers, answer) = denied is not null
            ? (StatusCodes.Status401Unauthorized, [], Error("Denied", denied))
            : script.TryDequeue(out var scripted) ? scripted : (StatusCodes.Status202Accepted, [], null);

        JsonElement? json = null;
        if (denied is null)
        {
            using var document = JsonDocument.Parse(body);
            json = document.RootElement.Clone();
        }

        attempts.Enqueue(new AcsAttempt(DateTimeOffset.UtcNow, request.Headers["Operation-Id"].FirstOrDefault(), authorization, json, status));

        context.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        if (answer is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer);
        }
    }

    /// <summary>Null when the request is authentic, else why not.</summary>
    string? Authenticate(HttpRequest request, string target, byte[] body, string authorization)
    {
        if (bearerToken is not null)
        {
            return authorization == $"Bearer {bearerToken}" ? null : "the bearer token is missing or wrong";
        }

        var date = request.Headers["x-ms-date"].ToString();
        if (!DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt)
            || (DateTimeOffset.UtcNow - signedAt).Duration() > TimeSpan.FromMinutes(15))
        {
            return "x-ms-date is missing, not RFC 1123, or not within 15 minutes";
        }

        var contentHash = request.Headers["x-ms-content-sha256"].ToString();
        if (contentHash != Convert.ToBase64String(SHA256.HashData(body)))
        {
            return "x-ms-content-sha256 does not match the content";
        }

        var stringToSign = "POST\n" + target + "\n" + date + ";" + request.Headers.Host + ";" + contentHash;
        using var hmac = new HMACSHA256(accessKey!);
        var signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.ASCII.GetBytes(stringToSign)));
        var expected = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + signature;
        return authorization == expected ? null : "the signature does not match";
    }

    public static string Error(string code, string message) =>
        JsonSerializer.Serialize(new { error = new { code, message } });

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
