using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.WebConsole;
using Microsoft.Playwright;
using static IncidentFunctions.Tests.Browser.ConsoleBrowser;
using static Microsoft.Playwright.Assertions;

namespace IncidentFunctions.Tests.Browser;

/// <summary>
/// The console and the email links' pages in a real browser (Debian's Chromium) on the dev host: their scripts run
/// under the CSP, values from alerts stay text, axe-core finds nothing serious, and another site's page cannot change
/// anything. Serial with the dev host's other tests, one Chromium for all; every test fails on a console error, a
/// script error or a dialog.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed partial class ConsoleBrowserTests(DevHostFixture fixture, ChromiumFixture chromium)
{
    const string Viewer = "viewer@example.com";

    [Fact]
    public async Task AViewerSeesTheIncidentsListWithHtmxAndTheConsoleScriptLoadedUnderTheCsp()
    {
        var incident = await OpenIncidentAsync("Payments error rate above 5%");
        await using var browser = await SignInAsync(Viewer, ViewerRoles);

        var list = await IncidentsListPage.OpenAsync(browser.Page);

        await Expect(list.Heading).ToHaveTextAsync("Incidents");
        await Expect(list.Row(incident.Id)).ToContainTextAsync("Payments error rate above 5%");
        Assert.Equal("2.0.11", await browser.Page.EvaluateAsync<string>("() => window.htmx && window.htmx.version"));
        var scripts = await browser.Page.EvaluateAsync<JsonElement>(
            "() => performance.getEntriesByType('resource').filter(e => e.initiatorType === 'script').map(e => ({ name: e.name, status: e.responseStatus }))");
        Assert.Equal(2, scripts.GetArrayLength());
        Assert.All(scripts.EnumerateArray(), s => Assert.Equal(200, s.GetProperty("status").GetInt32()));
        Assert.Contains(scripts.EnumerateArray(), s => s.GetProperty("name").GetString()!.Contains(ConsoleAssets.Embedded.Url(ConsoleAssets.Script), StringComparison.Ordinal));
        await Screenshots.TakeAsync(browser.Page, "incidents");

        // On a phone each row is a card: the page still fits, and the badge is as wide as its text, not the card.
        await AssertFitsAPhoneAsync(browser.Page, "the incidents list");
        var badge = await list.PriorityBadge(incident.Id).BoundingBoxAsync();
        Assert.InRange(badge!.Width, 1, BrowserSession.Phone.Width / 4);
        browser.AssertNoProblems();
    }

    /// <summary>
    /// An alert's title and labels are markup and script, and its link is javascript: (dropped at intake): the list, the
    /// incident page (header, alert, labels, timeline, and what its polls swap in), the dashboard, the email and the
    /// email link's page all show the text, run nothing and gain no element. (The declare page shows only the policy's
    /// names, which no alert reaches.)
    /// </summary>
    [Fact]
    public async Task AnAlertsMarkupAndScriptStayInertTextOnEveryConsolePageTheEmailAndTheLinkPage()
    {
        var fingerprint = Guid.NewGuid().ToString("N")[..16];
        (await fixture.PostAlertAsync(HostileAlertmanagerAlert(fingerprint), integration: DevHostFixture.AlertmanagerIntegration)).EnsureSuccessStatusCode();
        var incident = await Eventually.Get(() => fixture.FindIncidentAsync(fingerprint, "open"), "the hostile alert's incident");
        Assert.Equal(HostileTitle, incident.Title);
        var email = (await Eventually.Get(() => fixture.EmailsAsync(incident.Id)!, e => e!.Count >= 1, "the page email")).First();
        await using var browser = await SignInAsync(Viewer, ViewerRoles);

        var list = await IncidentsListPage.OpenAsync(browser.Page);
        await Expect(list.Row(incident.Id)).ToContainTextAsync(HostileTitle);
        await AssertInertAsync(browser);

        var page = await IncidentConsolePage.OpenAsync(browser.Page, incident.Id);
        await Expect(page.Heading).ToHaveTextAsync(HostileTitle);
        await Expect(page.Alerts.GetByRole(AriaRole.Heading)).ToHaveTextAsync(HostileTitle);
        await Expect(page.Labels).ToContainTextAsync("team=<b>checkout</b><script>alert(3)</script>");
        await Expect(page.Labels).ToContainTextAsync("<img src=x onerror=alert(4)>=label name");
        await Expect(page.Event(TimelineEventTypes.AlertReceived)).ToContainTextAsync(HostileTitle);
        await Expect(page.ScriptLinks).ToHaveCountAsync(0);
        await AssertInertAsync(browser);

        // What the page's polls swap in stays text too: a responder starts investigating and posts an update in markup,
        // promising the next in seconds; the header and the timeline refresh, and then the dashboard lists it overdue.
        const string Update = """<img src=x onerror="window.pwned=3;alert(6)">Next update <b>soon</b>""";
        var responder = ClientPrincipal.Encode("responder@example.com");
        await SendAsync<JsonElement>(fixture, HttpMethod.Post, $"incidents/{incident.Id}/stage", responder, HttpStatusCode.OK, new { stage = "investigating" });
        await SendAsync<JsonElement>(fixture, HttpMethod.Post, $"incidents/{incident.Id}/updates", responder, HttpStatusCode.Created,
            new { audience = "internal", body = Update, nextUpdateAt = DateTimeOffset.UtcNow.AddSeconds(3) });
        await Expect(page.Stage).ToHaveTextAsync("Investigating", new() { Timeout = 15_000 });
        await Expect(page.Event(TimelineEventTypes.UpdatePosted)).ToContainTextAsync(Update, new() { Timeout = 15_000 });
        await AssertInertAsync(browser);

        var dashboard = await Eventually.Get(
            async () => await (await DashboardConsolePage.OpenAsync(browser.Page)).Overdue(incident.Id).CountAsync() == 1 ? new DashboardConsolePage(browser.Page) : null,
            "the promised update overdue on the dashboard");
        await Expect(dashboard.Overdue(incident.Id)).ToContainTextAsync(HostileTitle);
        await AssertInertAsync(browser);

        // The email as a mail program without a CSP would show it: its own page, nothing but the email's HTML.
        Assert.DoesNotContain("javascript:", email.Html, StringComparison.OrdinalIgnoreCase);
        var inbox = await browser.NewPageAsync();
        await inbox.SetContentAsync(email.Html!);
        await Expect(inbox.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(HostileTitle);
        await AssertInertAsync(browser, inbox);

        var link = await LinkConfirmationPage.OpenAsync(browser.Page, AcknowledgeLink(email, incident.Id));
        await Expect(link.Fact("Title")).ToHaveTextAsync(HostileTitle);
        await AssertInertAsync(browser);
        browser.AssertNoProblems();

        using var resolve = await fixture.Http.SendAsync(DevHostFixture.Responder(HttpMethod.Post, $"incidents/{incident.Id}/resolve"));
        resolve.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task AxeFindsNoSeriousOrCriticalViolationsOnTheListOrTheLinkConfirmationPage()
    {
        var incident = await OpenIncidentAsync("Checkout p99 latency above 2s");
        var email = (await Eventually.Get(() => fixture.EmailsAsync(incident.Id)!, e => e!.Count >= 1, "the page email")).First();
        await using var browser = await SignInAsync(Viewer, ViewerRoles);

        await IncidentsListPage.OpenAsync(browser.Page);
        await AssertAccessibleAsync(browser.Page, "the incidents list");

        var link = await LinkConfirmationPage.OpenAsync(browser.Page, AcknowledgeLink(email, incident.Id));
        await Expect(link.ActButton).ToHaveTextAsync($"Acknowledge {incident.Id}");
        await AssertAccessibleAsync(browser.Page, "the link confirmation page");
        await Screenshots.TakeAsync(browser.Page, "link-confirmation");
        browser.AssertNoProblems();
    }

    /// <summary>
    /// In Azure the sign-in is a cookie the browser sends with any request, so a page on another site could make a
    /// signed-in responder's browser acknowledge. The same request from the console's own origin works, which shows
    /// that it is the other site that is refused, not the request.
    /// </summary>
    [Fact]
    public async Task AChangePostedFromAnotherSitesPageIsRefusedButTheSameFromTheConsoleIsNot()
    {
        var incident = await OpenIncidentAsync("Search latency above 1s");
        var acknowledge = new Uri(fixture.Host.BaseAddress, $"incidents/{incident.Id}/acknowledge");
        await using var browser = await SignInAsync("responder@example.com", [AppRoles.ValueOf(AppRole.Responder)]);
        const string Elsewhere = "http://elsewhere.example/";
        await browser.Page.RouteAsync(Elsewhere, route => route.FulfillAsync(new()
        {
            ContentType = "text/html",
            Body = $"""<!doctype html><title>Elsewhere</title><form method="post" action="{acknowledge.AbsoluteUri}"><button>Win a prize</button></form>""",
        }));
        await browser.Page.GotoAsync(Elsewhere);

        var refused = await browser.Page.RunAndWaitForResponseAsync(
            () => browser.Page.GetByRole(AriaRole.Button).ClickAsync(), r => r.Url == acknowledge.AbsoluteUri);

        Assert.Equal(403, refused.Status);
        Assert.Contains("Sec-Fetch-Site", await refused.TextAsync(), StringComparison.Ordinal);
        // Chromium logs the refusal as a failed load; nothing else may have gone wrong on that page.
        Assert.All(browser.TakeProblems(), problem => Assert.Contains("status of 403", problem, StringComparison.Ordinal));
        Assert.Equal(IncidentStatus.Open, (await fixture.FindIncidentAsync(i => i.Id == incident.Id, "all"))!.Status);

        await IncidentsListPage.OpenAsync(browser.Page);
        var status = await browser.Page.EvaluateAsync<int>(
            "url => fetch(url, { method: 'POST', headers: { 'Idempotency-Key': crypto.randomUUID() } }).then(r => r.status)", acknowledge.AbsolutePath);
        Assert.Equal(200, status);
        Assert.Equal(IncidentStatus.Acknowledged, (await fixture.FindIncidentAsync(i => i.Id == incident.Id, "all"))!.Status);
        browser.AssertNoProblems();
    }

    Task<BrowserSession> SignInAsync(string name, IEnumerable<string> roles) => ConsoleBrowser.SignInAsync(chromium, fixture, name, roles);

    Task<Incident> OpenIncidentAsync(string title) => ConsoleBrowser.OpenIncidentAsync(fixture, title);
}
