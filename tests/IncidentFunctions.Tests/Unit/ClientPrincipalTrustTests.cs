using System.Text.Json;
using IncidentFunctions.Functions;
using IncidentFunctions.Http;
using IncidentFunctions.Policy;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static IncidentFunctions.Tests.Unit.LinkTestKit;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// X-MS-CLIENT-PRINCIPAL proves a sign-in only where App Service Authentication sets it (and strips the caller's copy).
/// The app believes it only when told sign-in is on, and in Azure refuses to start until told either way.
/// </summary>
public sealed class ClientPrincipalTrustTests
{
    const string Setting = "Authentication__EasyAuthEnabled";

    /// <summary>What the whole app needs to start outside Azure; the storage is never reached by these tests.</summary>
    internal static readonly Dictionary<string, string?> AppSettings = new()
    {
        [ConnectionNames.Storage] = "UseDevelopmentStorage=true",
        ["Policy__Json"] = new TestPolicy().Json,
        ["Links__BaseUrl"] = BaseUrl,
        ["Links__SigningKey"] = KeyA,
        ["Email__Transport"] = "Smtp",
        ["Email__From"] = "incidents@example.com",
        ["Email__Smtp__Host"] = "127.0.0.1",
        ["Email__Smtp__Security"] = "None",
    };

    static ServiceProvider Services(params (string Key, string? Value)[] changes) =>
        StartupSettings.Services((services, configuration) => services.AddIncidentServices(configuration), AppSettings, changes);

    /// <summary>
    /// Every route that acts as the signed-in user, called as a caller claiming to be mallory. An id that is not an
    /// incident id lets a signed-in call end at once (404, or 400 for the listing's bad filter) without touching storage.
    /// </summary>
    static async Task<Dictionary<string, (int Status, string Type)>> CallEveryRouteAs(ServiceProvider services, string? principal)
    {
        // The hosts load it on start; a believed caller is looked up among its people.
        await services.GetRequiredService<PolicyProvider>().LoadAsync(CancellationToken.None);
        var incidents = ActivatorUtilities.CreateInstance<IncidentApi>(services);
        var responder = ActivatorUtilities.CreateInstance<ResponderApi>(services);
        var calls = new Dictionary<string, Func<HttpRequest, Task<IActionResult>>>
        {
            [nameof(IncidentApi.ListIncidents)] = r =>
            {
                r.QueryString = new QueryString("?status=forged");
                return incidents.ListIncidents(r, CancellationToken.None);
            },
            [nameof(IncidentApi.GetIncident)] = r => incidents.GetIncident(r, "not-an-id", CancellationToken.None),
            [nameof(IncidentApi.GetTimeline)] = r => incidents.GetTimeline(r, "not-an-id", CancellationToken.None),
            [nameof(ResponderApi.AcknowledgeIncident)] = r => responder.AcknowledgeIncident(r, "not-an-id", null!, CancellationToken.None),
            [nameof(ResponderApi.ResolveIncident)] = r => responder.ResolveIncident(r, "not-an-id", null!, CancellationToken.None),
        };

        var answers = new Dictionary<string, (int, string)>();
        foreach (var (route, call) in calls)
        {
            var request = new DefaultHttpContext().Request;
            if (principal is not null)
            {
                request.Headers[ClientPrincipal.Header] = principal;
            }

            var page = await Execute(await call(request));
            answers[route] = (page.StatusCode, JsonDocument.Parse(page.Body).RootElement.GetProperty("type").GetString()!);
        }

        return answers;
    }

    const string Unauthenticated = "urn:incidentfunctions:problem:unauthenticated";

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    public async Task AForgedPrincipalIsUnauthenticatedUnlessSignInIsKnownToBeOn(string? setting)
    {
        await using var services = Services((Setting, setting));

        var answers = await CallEveryRouteAs(services, ClientPrincipal.Encode("mallory@example.com"));

        Assert.All(answers, a => Assert.Equal((401, Unauthenticated), a.Value));
    }

    [Fact]
    public async Task WhenSignInIsOnThePrincipalIsBelieved()
    {
        await using var services = Services((Setting, "true"));

        var answers = await CallEveryRouteAs(services, ClientPrincipal.Encode("alice@example.com"));

        Assert.Equal((400, "urn:incidentfunctions:problem:validation"), answers[nameof(IncidentApi.ListIncidents)]);
        Assert.All(answers.Where(a => a.Key != nameof(IncidentApi.ListIncidents)), a => Assert.Equal((404, "urn:incidentfunctions:problem:not-found"), a.Value));
    }

    [Fact]
    public async Task WhenSignInIsOnAMissingPrincipalIsStillUnauthenticated()
    {
        await using var services = Services((Setting, "true"));

        var answers = await CallEveryRouteAs(services, principal: null);

        Assert.All(answers, a => Assert.Equal((401, Unauthenticated), a.Value));
    }

    /// <summary>
    /// A developer calling `func start` with a principal learns why it did not count; the log says so too, without the
    /// header's value (it names a person, and nobody vouches for it).
    /// </summary>
    [Fact]
    public async Task AnIgnoredPrincipalIsExplainedAndNeverLogged()
    {
        var logs = new RecordingLoggerProvider();
        var forged = ClientPrincipal.Encode("mallory@example.com");
        await using var services = StartupSettings.Services(
            (services, configuration) => services.AddIncidentServices(configuration).AddSingleton<ILoggerProvider>(logs), AppSettings);
        var api = ActivatorUtilities.CreateInstance<IncidentApi>(services);
        var request = new DefaultHttpContext().Request;
        request.Headers[ClientPrincipal.Header] = forged;
        var anonymous = new DefaultHttpContext().Request;

        var ignored = JsonDocument.Parse((await Execute(await api.GetIncident(request, "not-an-id", CancellationToken.None))).Body).RootElement;
        var missing = JsonDocument.Parse((await Execute(await api.GetIncident(anonymous, "not-an-id", CancellationToken.None))).Body).RootElement;

        Assert.Contains(Setting, ignored.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Setting, missing.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var warning = Assert.Single(logs.Messages, m => m.Level == LogLevel.Warning);
        Assert.Contains(ClientPrincipal.Header, warning.Text, StringComparison.Ordinal);
        Assert.Contains(Setting, warning.Text, StringComparison.Ordinal);
        Assert.All(logs.Messages, m =>
        {
            Assert.DoesNotContain(forged, m.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("mallory", m.Text, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Theory]
    [InlineData("WEBSITE_INSTANCE_ID", "4f1c2b9e53a44f0e9d3c2a7b8e1f4c55a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6")]
    [InlineData("WEBSITE_SITE_NAME", "func-incidents-abc123")]
    public void InAzureTheAppRefusesToStartUntilToldWhetherSignInIsOn(string platformVariable, string value)
    {
        using var services = Services((platformVariable, value));

        var failure = StartupSettings.Failure(services);

        Assert.Contains("Authentication:EasyAuthEnabled", failure, StringComparison.Ordinal);
        Assert.Contains(Setting, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void InAzureEitherAnswerStartsTheApp(string setting, bool believed)
    {
        using var services = Services(("WEBSITE_INSTANCE_ID", "4f1c2b9e53a44f0e"), ("WEBSITE_SITE_NAME", "func-incidents-abc123"), (Setting, setting));

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(believed, services.GetRequiredService<IOptions<AuthenticationOptions>>().Value.EasyAuthEnabled);
    }

    [Fact]
    public void OutsideAzureTheAppStartsWithoutTheSettingAndBelievesNoPrincipal()
    {
        using var services = Services();

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Null(services.GetRequiredService<IOptions<AuthenticationOptions>>().Value.EasyAuthEnabled);
    }
}
