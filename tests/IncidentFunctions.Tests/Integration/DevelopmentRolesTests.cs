using System.Net;
using System.Net.Http.Json;
using IncidentFunctions.DevHost;
using IncidentFunctions.DevHost.Local;
using IncidentFunctions.Http;
using IncidentFunctions.WebConsole;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Tests.Integration;

/// <summary>
/// A developer switching the console's roles in their browser on the dev host (/devhost/roles?as=...): the dev host's
/// sign-in middleware and route on a real Kestrel, with an endpoint that answers the roles the app would read.
/// </summary>
public sealed class DevelopmentRolesTests : IAsyncLifetime
{
    readonly CookieContainer cookies = new();
    WebApplication app = null!;
    HttpClient browser = null!;

    public async Task InitializeAsync()
    {
        var port = NodeService.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        app = builder.Build();
        var options = new DevHostOptions();
        app.UseDevelopmentPrincipal(options);
        app.MapDevelopmentRoles(options);
        app.MapGet("/who", (HttpRequest request) => ClientPrincipal.From(request)!.Roles);
        await app.StartAsync();
        browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    [Fact]
    public async Task ChoosingARoleSignsThisBrowserInWithItUntilItGoesBackToTheConfiguredRoles()
    {
        Assert.Equal(["admin"], await RolesAsync());

        using var choose = await browser.GetAsync($"{DevHostExtensions.RolesPath}?as=viewer");
        Assert.Equal(HttpStatusCode.Redirect, choose.StatusCode);
        Assert.Equal(ConsolePaths.Incidents, choose.Headers.Location?.OriginalString);
        Assert.Equal(["viewer"], await RolesAsync());

        (await browser.GetAsync($"{DevHostExtensions.RolesPath}?as=responder,commander")).Dispose();
        Assert.Equal(["responder", "commander"], await RolesAsync());

        (await browser.GetAsync($"{DevHostExtensions.RolesPath}?as=none")).Dispose();
        Assert.Empty(await RolesAsync());

        (await browser.GetAsync($"{DevHostExtensions.RolesPath}?as=")).Dispose();
        Assert.Equal(["admin"], await RolesAsync());
    }

    [Fact]
    public async Task ANameThatIsNoRoleIsRefusedAndChangesNothing()
    {
        using var refused = await browser.GetAsync($"{DevHostExtensions.RolesPath}?as=viewer,owner");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Empty(cookies.GetCookies(browser.BaseAddress!));
        Assert.Equal(["admin"], await RolesAsync());
    }

    /// <summary>The choice is the development principal's: a request that brings its own principal (a test's) keeps it.</summary>
    [Fact]
    public async Task ARequestWithItsOwnPrincipalKeepsItWhateverTheCookieSays()
    {
        (await browser.GetAsync($"{DevHostExtensions.RolesPath}?as=viewer")).Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/who");
        request.Headers.Add(ClientPrincipal.Header, ClientPrincipal.Encode("alice@example.com", roles: ["commander"]));

        using var response = await browser.SendAsync(request);

        Assert.Equal(["commander"], (await response.Content.ReadFromJsonAsync<string[]>())!);
    }

    async Task<IReadOnlyList<string>> RolesAsync() => (await browser.GetFromJsonAsync<string[]>("/who"))!;

    public async Task DisposeAsync()
    {
        browser.Dispose();
        await app.DisposeAsync();
    }
}
