using System.Net;
using System.Text;
using Azure.Core;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Notifications;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Integration;

/// <summary>The ACS transport, wired as the app wires it, against <see cref="FakeAcsServer"/>.</summary>
public sealed class AcsEmailSenderTests : IAsyncLifetime
{
    static readonly string AccessKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("test-access-key-0123456789abcdef"));

    FakeAcsServer acs = null!;

    public async Task InitializeAsync() => acs = await FakeAcsServer.WithAccessKeyAsync(AccessKey);

    public async Task DisposeAsync() => await acs.DisposeAsync();

    static ServiceProvider Services(Uri endpoint, string? accessKey, Action<IServiceCollection>? swap = null, params (string Key, string? Value)[] changes)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Email:Transport"] = "Acs",
            ["Email:From"] = "DoNotReply@incidents.example.com",
            ["Email:Acs:Endpoint"] = endpoint.ToString(),
            ["Email:Acs:AccessKey"] = accessKey,
            ["Email:Acs:MaxAttempts"] = "3",
            ["Email:Acs:RetryDelay"] = "00:00:00.010",
            ["Email:Acs:MaxRetryDelay"] = "00:00:05",
        };
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }

        var services = new ServiceCollection().AddLogging();
        swap?.Invoke(services);
        return services.AddEmail(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
    }

    ServiceProvider Services(params (string Key, string? Value)[] changes) => Services(acs.Endpoint, AccessKey, null, changes);

    static EmailMessage Message() => new(
        new EmailAddress("alice@example.com", "Alice Example"),
        "[P1] Checkout latency",
        "3 alerts",
        "<p>3 alerts</p>",
        Guid.NewGuid(),
        new Dictionary<string, string> { [NotificationHeaders.IncidentId] = "inc-1", [NotificationHeaders.Kind] = "page" });

    static Task Send(ServiceProvider services, EmailMessage message) =>
        services.GetRequiredService<IEmailSender>().SendAsync(message, CancellationToken.None);

    [Fact]
    public async Task ASignedRequestIsAcceptedAndCarriesTheMessageAsAcsExpectsIt()
    {
        await using var services = Services();
        var message = Message();

        await Send(services, message);

        var attempt = Assert.Single(acs.Attempts);
        Assert.Equal(202, attempt.Status);
        Assert.Equal(message.IdempotencyKey.ToString(), attempt.OperationId);
        var body = attempt.Body!.Value;
        Assert.Equal("DoNotReply@incidents.example.com", body.GetProperty("senderAddress").GetString());
        var to = Assert.Single(body.GetProperty("recipients").GetProperty("to").EnumerateArray());
        Assert.Equal("alice@example.com", to.GetProperty("address").GetString());
        Assert.Equal("Alice Example", to.GetProperty("displayName").GetString());
        var content = body.GetProperty("content");
        Assert.Equal(message.Subject, content.GetProperty("subject").GetString());
        Assert.Equal(message.PlainText, content.GetProperty("plainText").GetString());
        Assert.Equal(message.Html, content.GetProperty("html").GetString());
        Assert.Equal("inc-1", body.GetProperty("headers").GetProperty(NotificationHeaders.IncidentId).GetString());
    }

    [Fact]
    public async Task ABodyChangedAfterSigningFailsTheFakesCheck()
    {
        await using var services = Services(acs.Endpoint, AccessKey, s =>
            s.AddHttpClient(AcsEmailSender.HttpClientName).AddHttpMessageHandler(() => new TamperingHandler()));

        var error = await Assert.ThrowsAsync<EmailRejectedException>(() => Send(services, Message()));

        Assert.Contains("x-ms-content-sha256 does not match", error.Message);
        Assert.Equal(401, Assert.Single(acs.Attempts).Status);
    }

    [Fact]
    public async Task AnotherKeyFailsTheFakesCheckAndIsNeverShownInTheError()
    {
        var otherKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("another-key-0123456789abcdef0123"));
        await using var services = Services(acs.Endpoint, otherKey);

        var error = await Assert.ThrowsAsync<EmailRejectedException>(() => Send(services, Message()));

        Assert.Contains("the signature does not match", error.Message);
        Assert.DoesNotContain(otherKey, error.ToString());
    }

    [Fact]
    public async Task TooManyRequestsWaitsAsToldThenSucceedsWithTheSameOperationId()
    {
        acs.Answer(429, FakeAcsServer.Error("TooManyRequests", "Slow down"), ("Retry-After", "1"));
        await using var services = Services();
        var message = Message();

        await Send(services, message);

        var attempts = acs.Attempts;
        Assert.Equal([429, 202], attempts.Select(a => a.Status));
        Assert.All(attempts, a => Assert.Equal(message.IdempotencyKey.ToString(), a.OperationId));

        // The backoff of its own would be 10 ms; only Retry-After explains a second's wait.
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {attempts[1].At - attempts[0].At}");
    }

    [Fact]
    public async Task RetryAfterMsIsReadBeforeRetryAfter()
    {
        // Retry-After alone (30 s) is beyond MaxRetryDelay (5 s) and would end the send.
        acs.Answer(429, null, ("retry-after-ms", "50"), ("Retry-After", "30"));
        await using var services = Services();

        await Send(services, Message());

        Assert.Equal([429, 202], acs.Attempts.Select(a => a.Status));
    }

    [Fact]
    public async Task AWaitLongerThanTheCapFailsAtOnceForTheCallersRetryPolicy()
    {
        acs.Answer(429, null, ("Retry-After", "3600"));
        await using var services = Services();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Send(services, Message()));

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Single(acs.Attempts);
    }

    [Fact]
    public async Task ServerErrorsAreRetried()
    {
        acs.Answer(503);
        acs.Answer(500);
        await using var services = Services();

        await Send(services, Message());

        Assert.Equal([503, 500, 202], acs.Attempts.Select(a => a.Status));
        Assert.Single(acs.Attempts.Select(a => a.OperationId).Distinct());
    }

    [Fact]
    public async Task ABadRequestIsRejectedWithAcsMessageAndNotRetried()
    {
        acs.Answer(400, FakeAcsServer.Error("InvalidRecipient", "The recipient address is not valid."));
        await using var services = Services();

        var error = await Assert.ThrowsAsync<EmailRejectedException>(() => Send(services, Message()));

        Assert.Contains("InvalidRecipient: The recipient address is not valid.", error.Message);
        Assert.Single(acs.Attempts);
    }

    [Fact]
    public async Task ExhaustedRetriesThrowSomethingRetryable()
    {
        for (var i = 0; i < 3; i++)
        {
            acs.Answer(503);
        }

        await using var services = Services();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Send(services, Message()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(3, acs.Attempts.Count);
    }

    [Fact]
    public async Task AnUnreachableEndpointIsRetriedThenThrows()
    {
        await using var services = Services(new Uri($"http://127.0.0.1:{NodeService.FreePort()}"), AccessKey);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Send(services, Message()));

        Assert.Contains("after 3 attempts", error.Message);
    }

    [Fact]
    public async Task WithoutAnAccessKeyAMicrosoftEntraTokenIsSentAndReused()
    {
        await using var tokenAcs = await FakeAcsServer.WithBearerTokenAsync("entra-token");
        var credential = new FakeCredential("entra-token");
        await using var services = Services(tokenAcs.Endpoint, null, s =>
            s.AddKeyedSingleton<TokenCredential>(EmailServices.AcsCredentialKey, credential));

        await Send(services, Message());
        await Send(services, Message());

        Assert.All(tokenAcs.Attempts, a => Assert.Equal(("Bearer entra-token", 202), (a.Authorization, a.Status)));
        Assert.Equal(2, tokenAcs.Attempts.Count);
        var scopes = Assert.Single(credential.Requests);
        Assert.Equal(["https://communication.azure.com/.default"], scopes);
    }

    /// <summary>Changes the body after the sender has signed it, as a man in the middle would.</summary>
    sealed class TamperingHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = await request.Content!.ReadAsStringAsync(ct);
            var tampered = new StringContent(body.Replace("alice@example.com", "mallory@example.com"), Encoding.UTF8, "application/json");
            request.Content = tampered;
            return await base.SendAsync(request, ct);
        }
    }

    sealed class FakeCredential(string token) : TokenCredential
    {
        readonly List<string[]> requests = [];

        public IReadOnlyList<string[]> Requests
        {
            get
            {
                lock (requests)
                {
                    return [.. requests];
                }
            }
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (requests)
            {
                requests.Add(requestContext.Scopes);
            }

            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
