using System.Net;
using System.Text.Json;
using IncidentFunctions.Access;
using IncidentFunctions.Http;
using IncidentFunctions.Model;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.WebConsole;
using Microsoft.Playwright;
using static IncidentFunctions.Tests.Browser.ConsoleBrowser;
using static Microsoft.Playwright.Assertions;

namespace IncidentFunctions.Tests.Browser;

/// <summary>
/// The console's guards in a real browser on the dev host: a viewer is offered nothing that changes an incident and
/// is refused when their browser tries anyway; a restricted incident does not exist for a responder who is not
/// involved, on any page or poll, while its participant and commander see it; and axe-core finds nothing serious on the
/// incident page (at a desktop and a phone's width), the declare page or the dashboard. The incident behind the
/// accessibility check reads like a real one, because its pictures go into the README.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class ConsoleGuardBrowserTests(DevHostFixture fixture, ChromiumFixture chromium)
{
    const string Viewer = "viewer@example.com";

    [Fact]
    public async Task AViewerIsOfferedNoFormOnAnIncidentAndTheirBrowsersOwnChangesAreRefused()
    {
        var incident = await OpenIncidentAsync(fixture, "Orders API returning 502s to mobile clients");
        await using var browser = await SignInAsync(chromium, fixture, Viewer, ViewerRoles);

        var page = await IncidentConsolePage.OpenAsync(browser.Page, incident.Id);

        await Expect(page.Heading).ToHaveTextAsync(incident.Title);
        await Expect(page.Status).ToContainTextAsync("Open");
        await Expect(page.AnythingThatChanges).ToHaveCountAsync(0);
        await Expect(page.DeclareLink).ToHaveCountAsync(0);

        // What a viewer's browser could still send from the console's own origin, as its forms would (the cross-site
        // guard lets it through): the API refuses it for the role, saying which permission it needs.
        foreach (var (route, body) in new (string, object?)[]
        {
            (Routes.IncidentAcknowledge, null),
            (Routes.IncidentNotes, new { body = "Restarted the orders pods" }),
        })
        {
            var answer = await page.SendAsync(HttpMethod.Post, ConsolePaths.Api(route, ("id", incident.Id)), body);
            Assert.Equal(403, answer.Status);
            Assert.Equal(Problem.ContentType, answer.ContentType);
            Assert.Equal("urn:incidentfunctions:problem:forbidden", answer.Problem.GetProperty("type").GetString());
            Assert.True(answer.Problem.GetProperty("errors").TryGetProperty("permission", out _), answer.Problem.ToString());
        }

        Assert.All(browser.TakeProblems(), problem => Assert.Contains("status of 403", problem, StringComparison.Ordinal));
        Assert.Equal(IncidentStatus.Open, (await fixture.FindIncidentAsync(i => i.Id == incident.Id))!.Status);
        Assert.DoesNotContain(await fixture.TimelineAsync(incident.Id), e => e.Actor == Viewer);
        browser.AssertNoProblems();
    }

    /// <summary>
    /// bob declares the incident and leads it, carol writes on it (so she takes part), then bob restricts it: dana, a
    /// responder who is neither, saw it a moment before and now finds no trace of it, not even a 403.
    /// </summary>
    [Fact]
    public async Task ARestrictedIncidentIsAbsentForAResponderNotInvolvedWhileItsParticipantAndCommanderSeeIt()
    {
        var bob = Person(fixture, "bob", AppRole.Responder);
        var declared = await ConsoleBrowser.SendAsync<Incident>(fixture, HttpMethod.Post, Routes.Incidents, bob, HttpStatusCode.Created, new
        {
            title = "Suspected credential stuffing against customer logins",
            severity = "high",
            service = "checkout",
            summary = "Failed sign-ins from a few hundred addresses went from 20 to 4,000 a minute at 14:10 UTC.",
            page = false,
        });
        var id = declared.Id;
        Assert.Equal("bob", declared.Response.Commander);
        await ConsoleBrowser.SendAsync<JsonElement>(fixture, HttpMethod.Post, $"incidents/{id}/notes", Person(fixture, "carol", AppRole.Responder), HttpStatusCode.Created,
            new { body = "Rate limiting the addresses at the edge; no account takeover confirmed yet." });

        await using var dana = await SignInAsPersonAsync(chromium, fixture, TestPolicy.Outsider, AppRole.Responder);
        var list = await IncidentsListPage.OpenAsync(dana.Page);
        await Expect(list.Row(id)).ToHaveCountAsync(1);

        var restricted = await ConsoleBrowser.SendAsync<Incident>(fixture, HttpMethod.Patch, $"incidents/{id}", bob, HttpStatusCode.OK, new { visibility = "restricted" });
        Assert.Equal(Visibility.Restricted, restricted.Response.Visibility);

        // carol, who took part, and bob, who leads it, still have it: the list marks it restricted.
        await using var carol = await SignInAsPersonAsync(chromium, fixture, "carol", AppRole.Responder);
        await Expect((await IncidentsListPage.OpenAsync(carol.Page)).Row(id)).ToContainTextAsync("restricted");
        var page = await IncidentConsolePage.OpenAsync(carol.Page, id);
        await Expect(page.Heading).ToHaveTextAsync(declared.Title);
        await Expect(page.Participants).ToContainTextAsync("Carol");
        var polls = new[] { await page.PollOfAsync(IncidentConsolePage.LiveRegion), await page.PollOfAsync(IncidentConsolePage.LiveTimeline) };
        await using var commander = await SignInAsPersonAsync(chromium, fixture, "bob", AppRole.Responder);
        await Expect((await IncidentConsolePage.OpenAsync(commander.Page, id)).Heading).ToHaveTextAsync(declared.Title);

        // dana: not in her list nor in its counts, and its page, its polls and its routes are all "not found".
        list = await IncidentsListPage.OpenAsync(dana.Page);
        await Expect(list.Row(id)).ToHaveCountAsync(0);
        var (counted, rows) = await list.CountedAndShownAsync();
        Assert.Equal(rows, counted);
        var hidden = await dana.Page.GotoAsync(ConsolePaths.Incident(id));
        Assert.Equal(404, hidden!.Status);
        await Expect(dana.Page.Locator("body")).Not.ToContainTextAsync(declared.Title);
        await IncidentsListPage.OpenAsync(dana.Page);
        foreach (var poll in polls)
        {
            Assert.Equal(404, (await IncidentConsolePage.SendAsync(dana.Page, HttpMethod.Get, poll)).Status);
        }

        var note = await IncidentConsolePage.SendAsync(dana.Page, HttpMethod.Post, ConsolePaths.Api(Routes.IncidentNotes, ("id", id)), new { body = "Is this ours?" });
        Assert.Equal(404, note.Status);
        Assert.Equal("urn:incidentfunctions:problem:not-found", note.Problem.GetProperty("type").GetString());
        Assert.All(dana.TakeProblems(), problem => Assert.Contains("status of 404", problem, StringComparison.Ordinal));
        var timeline = await ConsoleBrowser.SendAsync<ResultPage<TimelineEvent>>(fixture, HttpMethod.Get, $"incidents/{id}/timeline?limit=100", bob, HttpStatusCode.OK);
        Assert.Contains(timeline.Items, e => e.Type == TimelineEventTypes.NoteAdded);
        Assert.DoesNotContain(timeline.Items, e => e.Summary.Contains("Is this ours?", StringComparison.Ordinal));
        foreach (var session in new[] { dana, carol, commander })
        {
            session.AssertNoProblems();
        }
    }

    /// <summary>
    /// A P1 as a real one runs: Alertmanager opens it, alice acknowledges and takes command, moves it to identified,
    /// writes a note, gives bob a task and tells the stakeholders. Its page (with every form a commander gets), the
    /// declare page and the dashboard are checked with axe-core, the incident page also at a phone's width, and are
    /// the pictures in docs/screenshots when CONSOLE_SCREENSHOTS=1.
    /// </summary>
    [Fact]
    public async Task AxeFindsNoSeriousOrCriticalViolationsOnTheIncidentDeclareAndDashboardPagesAtDesktopOrPhoneWidth()
    {
        var incident = await OpenRealisticIncidentAsync();
        await using var browser = await SignInAsPersonAsync(chromium, fixture, "alice", AppRole.Commander);

        var page = await IncidentConsolePage.OpenAsync(browser.Page, incident.Id);
        await Expect(page.Status).ToHaveTextAsync("Acknowledged, acknowledged by Alice");
        await Expect(page.Event(TimelineEventTypes.NoteAdded)).ToContainTextAsync("payments-gateway 3.14");
        await Expect(page.Region("Tasks")).ToContainTextAsync("Roll back payments-gateway");
        await Expect(page.AnythingThatChanges.First).ToBeVisibleAsync();
        await AssertAccessibleAsync(browser.Page, "the incident page");
        await AssertFitsAPhoneAsync(browser.Page, "the incident page");
        await AssertAccessibleAsync(browser.Page, "the incident page at a phone's width");
        await Screenshots.TakeAsync(browser.Page, "incident");

        await browser.Page.SetViewportSizeAsync(BrowserSession.Desktop.Width, BrowserSession.Desktop.Height);
        var declare = await DeclareConsolePage.OpenAsync(browser.Page);
        await Expect(declare.Heading).ToHaveTextAsync("Declare an incident");
        await AssertAccessibleAsync(browser.Page, "the declare page");
        await Screenshots.TakeAsync(browser.Page, "declare");
        await AssertFitsAPhoneAsync(browser.Page, "the declare page");

        await browser.Page.SetViewportSizeAsync(BrowserSession.Desktop.Width, BrowserSession.Desktop.Height);
        var dashboard = await DashboardConsolePage.OpenAsync(browser.Page);
        await Expect(dashboard.Heading).ToHaveTextAsync("Dashboard");
        await Expect(dashboard.DrawnCharts).ToHaveCountAsync(await dashboard.Charts.CountAsync());
        await AssertAccessibleAsync(browser.Page, "the dashboard");
        await Screenshots.TakeAsync(browser.Page, "dashboard");
        await AssertFitsAPhoneAsync(browser.Page, "the dashboard, drawn at a desktop's width first");
        browser.AssertNoProblems();
    }

    /// <summary>The incident behind the pictures: what a real P1 looks like some minutes in.</summary>
    async Task<Incident> OpenRealisticIncidentAsync()
    {
        var fingerprint = Guid.NewGuid().ToString("N")[..16];
        (await fixture.PostAlertAsync(PaymentsAlert(fingerprint), integration: DevHostFixture.AlertmanagerIntegration)).EnsureSuccessStatusCode();
        var opened = await Eventually.Get(() => fixture.FindIncidentAsync(fingerprint, "open"), "the payments incident");
        var (id, alice, now) = (opened.Id, Person(fixture, "alice", AppRole.Commander), DateTimeOffset.UtcNow);

        async Task Send(string route, object? body, HttpStatusCode expected = HttpStatusCode.OK) =>
            await ConsoleBrowser.SendAsync<JsonElement>(fixture, HttpMethod.Post, $"incidents/{id}/{route}", alice, expected, body);

        await Send("acknowledge", null);
        await Send("roles", new { role = IncidentResponse.CommanderRole, person = "alice" });
        await Send("stage", new { stage = "identified", reason = "The declines started with the payments-gateway 3.14 rollout." });
        await Send("notes", new { body = "Declines began at 14:02 UTC, two minutes after payments-gateway 3.14 reached eu-west-1. Rolling back." }, HttpStatusCode.Created);
        await Send("tasks", new { title = "Roll back payments-gateway to 3.13 in eu-west-1", assignee = new { person = "bob" }, priority = "urgent", dueAt = now.AddMinutes(20) }, HttpStatusCode.Created);
        await Send("updates", new
        {
            audience = "stakeholders",
            body = "Some customers cannot pay by card at checkout. We have found the cause, a faulty release, and are rolling it back.",
            nextUpdateAt = now.AddMinutes(30),
        }, HttpStatusCode.Created);
        return opened;
    }

    static string PaymentsAlert(string fingerprint) => AlertmanagerWebhook(
        fingerprint,
        new Dictionary<string, string>
        {
            ["alertname"] = "PaymentAuthorisationFailures",
            ["service"] = "checkout",
            ["severity"] = "critical",
            ["region"] = "eu-west-1",
            ["team"] = "payments",
        },
        new Dictionary<string, string>
        {
            ["summary"] = "Card payment authorisations failing for 31% of checkouts",
            ["description"] = "payment_authorisation_failures_ratio has been above 0.05 for 5 minutes (now 0.31).",
        },
        generatorUrl: "https://prometheus.example.com/graph?g0.expr=payment_authorisation_failures_ratio",
        startsAt: DateTimeOffset.UtcNow.AddMinutes(-6));
}
