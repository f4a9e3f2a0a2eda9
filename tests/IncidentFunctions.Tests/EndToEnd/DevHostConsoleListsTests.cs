using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.EndToEnd;

/// <summary>
/// The console's incidents list, declare page and dashboard on the dev host, as pages: the list's filters and its
/// live part (204 until something changes), a restricted incident absent for an outsider, the declare page refused to
/// a viewer, and the dashboard with its tables.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed partial class DevHostConsoleListsTests(DevHostFixture fixture)
{
    static string As(AppRole role, string name = "console@example.com", string? email = null) =>
        ClientPrincipal.Encode(name, roles: [AppRoles.ValueOf(role)], email: email);

    async Task<(HttpStatusCode Status, string Html)> GetAsync(string path, string principal)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(ClientPrincipal.Header, principal);
        using var response = await fixture.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    async Task<Incident> OpenAsync(string title)
    {
        var key = TestAlerts.NewKey("console-list");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, title))).EnsureSuccessStatusCode();
        return await Eventually.Get(() => fixture.FindIncidentAsync(key, "open"), $"the open incident '{title}'");
    }

    [Fact]
    public async Task TheListShowsAnOpenIncidentAndItsFiltersKeepOrDropIt()
    {
        var title = $"Console list {Guid.NewGuid():N}";
        var incident = await OpenAsync(title);
        var responder = As(AppRole.Responder);
        var stage = JsonName(incident.Response.Stage);

        async Task<bool> Listed(string query)
        {
            var (status, html) = await GetAsync(Routes.Console + query, responder);
            Assert.Equal(HttpStatusCode.OK, status);
            return html.Contains(title, StringComparison.Ordinal);
        }

        Assert.True(await Listed(string.Empty), "the default list (open or acknowledged)");
        Assert.True(await Listed($"?status=open&stage={stage}&priority={incident.Priority}&service=checkout"));
        Assert.True(await Listed("?status=all"));
        Assert.False(await Listed("?status=acknowledged"), "an open incident under acknowledged");
        Assert.False(await Listed("?stage=closed"), "an incident in another stage");
        Assert.False(await Listed("?service=no-such-service"), "an incident of another service");
        Assert.False(await Listed("?mine=true"), "someone else's incident under mine");
    }

    [Fact]
    public async Task ARestrictedIncidentIsAbsentFromTheListForAResponderWhoIsNotInvolved()
    {
        var admin = As(AppRole.Admin, "root@example.com");
        var title = $"Restricted console {Guid.NewGuid():N}";
        using var declare = new HttpRequestMessage(HttpMethod.Post, Routes.Incidents)
        {
            Content = JsonContent.Create(new { title, severity = "critical", service = "checkout", visibility = "restricted", page = false }),
        };
        declare.Headers.Add(ClientPrincipal.Header, admin);
        using var declared = await fixture.Http.SendAsync(declare);
        Assert.True(declared.StatusCode == HttpStatusCode.Created, await declared.Content.ReadAsStringAsync());

        var outsider = As(AppRole.Responder, "Dana", fixture.Policy.Email(TestPolicy.Outsider));
        foreach (var query in new[] { string.Empty, "?status=all", "?status=acknowledged" })
        {
            var (status, html) = await GetAsync(Routes.Console + query, outsider);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.DoesNotContain(title, html, StringComparison.Ordinal);
        }

        Assert.Contains(title, (await GetAsync(Routes.Console, admin)).Html, StringComparison.Ordinal);
        Assert.Contains(title, (await GetAsync(Routes.Console + "?mine=true", admin)).Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLivePartAnswers204UntilANewAlertOpensAnIncidentThenTheNewRows()
    {
        var responder = As(AppRole.Responder);
        await OpenAsync($"Console live before {Guid.NewGuid():N}");

        // Other tests' incidents escalate meanwhile: the page and its poll are read again until nothing changed between them.
        var poll = await Eventually.Get(async () =>
        {
            var (_, page) = await GetAsync(Routes.Console, responder);
            var url = WebUtility.HtmlDecode(PollUrl().Match(page).Groups["url"].Value);
            using var request = new HttpRequestMessage(HttpMethod.Get, url.TrimStart('/')[(Routes.Prefix.Length + 1)..]);
            request.Headers.Add(ClientPrincipal.Header, responder);
            using var response = await fixture.Http.SendAsync(request);
            return response.StatusCode == HttpStatusCode.NoContent ? url : null;
        }, "a poll answered 204, nothing having changed since the page");
        Assert.Contains("?v=", poll, StringComparison.Ordinal);

        var title = $"Console live after {Guid.NewGuid():N}";
        var key = TestAlerts.NewKey("console-live");
        (await fixture.PostAlertAsync(DevHostPipelineTests.Alert(key, title))).EnsureSuccessStatusCode();

        var rows = await Eventually.Get(async () =>
        {
            var (status, html) = await GetAsync(poll.TrimStart('/')[(Routes.Prefix.Length + 1)..], responder);
            return status == HttpStatusCode.OK && html.Contains(title, StringComparison.Ordinal) ? html : null;
        }, "the poll answering the new incident's row");
        Assert.StartsWith("<section id=\"incident-list\"", rows, StringComparison.Ordinal);
        Assert.DoesNotContain("<html", rows, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDeclarePageIsRefusedToAViewerAndGivenToAResponder()
    {
        var (viewerStatus, viewerHtml) = await GetAsync(Routes.ConsoleDeclare, As(AppRole.Viewer));
        Assert.Equal(HttpStatusCode.Forbidden, viewerStatus);
        Assert.DoesNotContain("hx-post", viewerHtml, StringComparison.Ordinal);

        var (status, html) = await GetAsync(Routes.ConsoleDeclare, As(AppRole.Responder));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"hx-post=\"/{Routes.Prefix}/{Routes.Incidents}\"", html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"checkout\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDashboardAnswersItsChartsAndTheirTablesForEachPeriod()
    {
        await OpenAsync($"Console dashboard {Guid.NewGuid():N}");
        foreach (var days in new[] { 30, 90 })
        {
            var (status, html) = await GetAsync($"{Routes.ConsoleDashboard}?days={days}", As(AppRole.Viewer));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains($"The last {days} days, by week", html, StringComparison.Ordinal);
            Assert.Equal(5, Regex.Matches(html, "<figure class=\"chart\"").Count);
            Assert.Contains("<caption>Open incidents by priority</caption>", html, StringComparison.Ordinal);
            Assert.Contains("<caption>Incidents, time to acknowledge and time to resolve, per week</caption>", html, StringComparison.Ordinal);
            Assert.Contains(WebConsole.ConsoleAssets.Embedded.Url(WebConsole.ConsoleAssets.DashboardScript), html, StringComparison.Ordinal);
        }
    }

    static string JsonName<TEnum>(TEnum value)
        where TEnum : struct, Enum => WebConsole.IncidentListFilter.Name(value);

    [GeneratedRegex("id=\"incident-list\"[^>]*hx-get=\"(?<url>[^\"]+)\"")]
    private static partial Regex PollUrl();
}
