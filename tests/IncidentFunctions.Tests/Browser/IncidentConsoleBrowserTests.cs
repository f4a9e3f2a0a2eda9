using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using IncidentFunctions.Access;
using IncidentFunctions.Model;
using IncidentFunctions.Notifications;
using IncidentFunctions.TestTools;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static IncidentFunctions.Tests.Browser.ConsoleBrowser;
using static Microsoft.Playwright.Assertions;

namespace IncidentFunctions.Tests.Browser;

/// <summary>
/// The incident and declare pages in Chromium on the dev host, each test a whole path a person walks: acknowledging
/// from the page, an emailed acknowledgement showing on a page left open, declaring and handing off command until a
/// stakeholder update lands in MailDev, and typing into the polled region while the incident changes underneath.
/// Nothing is reloaded: a change must reach the open page through its polls.
/// </summary>
[Collection(DevHostCollection.Name)]
public sealed class IncidentConsoleBrowserTests(DevHostFixture fixture, ChromiumFixture chromium, ITestOutputHelper output)
{
    const string Responder = "responder@example.com";

    /// <summary>The live region and the timeline poll every 5 s: a change made elsewhere shows within two polls and a margin.</summary>
    static readonly LocatorAssertionsToContainTextOptions WithinPolls = new() { Timeout = 15_000 };

    static readonly string[] ResponderRoles = [AppRoles.ValueOf(AppRole.Responder)];

    [Fact]
    public async Task AResponderAcknowledgesFromTheIncidentPageByKeyboardAndItsHeaderAndTimelineShowItWithoutAReload()
    {
        var incident = await OpenIncidentAsync(fixture, "Orders queue depth above 10k");
        await using var browser = await SignInAsync(chromium, fixture, Responder, ResponderRoles);
        var page = await IncidentConsolePage.OpenAsync(browser.Page, incident.Id);
        await Expect(page.Status).ToContainTextAsync("Open");
        await RememberThisLoadAsync(page);

        await page.AcknowledgeWithKeyboardAsync();

        await Expect(page.Status).ToContainTextAsync($"Acknowledged, acknowledged by {Responder}");
        await Expect(page.AcknowledgeButton).ToHaveCountAsync(0);
        await Expect(page.LiveEvents(TimelineEventTypes.IncidentAcknowledged)).ToContainTextAsync($"{Responder} via {Channels.Api}");
        Assert.True(await IsTheSameLoadAsync(page), "the page was reloaded");
        Assert.Equal(IncidentStatus.Acknowledged, (await fixture.FindIncidentAsync(i => i.Id == incident.Id))!.Status);
        browser.AssertNoProblems();
    }

    /// <summary>
    /// alice reads the page email on another device (a signed-out browser: the link's page needs no sign-in) and
    /// acknowledges through its confirmation page; the incident page a colleague left open shows it by its own poll.
    /// </summary>
    [Fact]
    public async Task AnAcknowledgementByTheEmailedLinkShowsOnAnOpenIncidentPageWithinSecondsWithoutAReload()
    {
        var incident = await OpenIncidentAsync(fixture, "Inventory sync stalled");
        var email = await Eventually.Get(
            async () => (await fixture.EmailsAsync(incident.Id)).FirstOrDefault(e => e.IsTo(fixture.Policy.Email("alice"))),
            "alice's page email");
        await using var colleague = await SignInAsync(chromium, fixture, "viewer@example.com", ViewerRoles);
        var page = await IncidentConsolePage.OpenAsync(colleague.Page, incident.Id);
        await Expect(page.Status).ToContainTextAsync("Open");
        await RememberThisLoadAsync(page);

        await using var phone = await BrowserSession.OpenAsync(chromium, fixture.Host.BaseAddress, name: null, viewport: BrowserSession.Phone);
        var link = await LinkConfirmationPage.OpenAsync(phone.Page, AcknowledgeLink(email!, incident.Id));
        var acted = await phone.Page.RunAndWaitForResponseAsync(() => link.ActButton.ClickAsync(), r => r.Request.Method == "POST");
        Assert.True(acted.Ok, $"the link's POST answered {acted.Status}");
        var clock = Stopwatch.StartNew();

        await Expect(page.Status).ToContainTextAsync("Acknowledged", WithinPolls);
        output.WriteLine($"the open page showed the acknowledgement {clock.Elapsed.TotalSeconds:0.0} s after the link's POST");
        await Expect(page.LiveEvents(TimelineEventTypes.IncidentAcknowledged)).ToContainTextAsync($"via {Channels.EmailLink}", WithinPolls);
        Assert.True(await IsTheSameLoadAsync(page), "the page was reloaded");
        colleague.AssertNoProblems();
        phone.AssertNoProblems();
    }

    /// <summary>
    /// alice (a responder the policy knows) declares on the declare page and lands on the new incident as its commander;
    /// she hands command to bob, after which the commander's forms are gone from her page; bob, commanding it with the
    /// responder app role alone, posts a stakeholder update from the composer, and MailDev receives it at the policy's
    /// stakeholder list.
    /// </summary>
    [Fact]
    public async Task ADeclaredIncidentsCommandIsHandedOffAndTheNewCommandersStakeholderUpdateReachesTheStakeholders()
    {
        var title = "Card payments declined " + Guid.NewGuid().ToString("N")[..6];
        const string Body = "Card payments fail for a third of customers; next update within the hour.";
        await using var alice = await SignInAsPersonAsync("alice");

        var declare = await DeclareConsolePage.OpenAsync(alice.Page);
        var page = await declare.DeclareAsync(title, severity: "high", service: "Checkout", summary: "Declines spiked after the 14:00 deploy");

        await Expect(page.Heading).ToHaveTextAsync(title);
        await Expect(page.Fact("Commander")).ToHaveTextAsync("Alice");
        var id = page.IncidentId;
        await page.HandOffAsync("commander", "Bob", "Going off shift: the rollback is yours");
        await Expect(page.Fact("Commander")).ToHaveTextAsync("Bob");
        await Expect(page.Panel("Hand off a role")).ToHaveCountAsync(0);
        alice.AssertNoProblems();

        await using var bob = await SignInAsPersonAsync("bob");
        var bobs = await IncidentConsolePage.OpenAsync(bob.Page, id);
        await Expect(bobs.Panel("Hand off a role")).ToHaveCountAsync(1);
        var composer = await bobs.PostUpdateAsync("Stakeholders", Body);
        await Expect(bobs.LiveEvents(TimelineEventTypes.UpdatePosted)).ToContainTextAsync(Body);
        await Expect(composer.GetByLabel("Update", new() { Exact = true })).ToHaveValueAsync(string.Empty);
        await Expect(IncidentConsolePage.Problem(composer)).ToBeEmptyAsync();

        var update = await Eventually.Get(
            async () => (await fixture.EmailsAsync(id)).SingleOrDefault(e => e.Header(NotificationHeaders.Kind) == "statusupdate"),
            "the stakeholder update in MailDev");
        Assert.True(update!.IsTo(DevHostFixture.Stakeholders), "the update went to " + string.Join(", ", update.To.Select(t => t.Address)));
        Assert.Contains(Body, update.Text, StringComparison.Ordinal);
        await Eventually.Get(
            async () => (await fixture.EmailsAsync(id)).FirstOrDefault(e => e.Header(NotificationHeaders.Kind) == "roleassigned" && e.IsTo(fixture.Policy.Email("bob"))),
            "bob's email handing him command");
        bob.AssertNoProblems();
    }

    /// <summary>
    /// A commander is half-way through a severity change in the polled region when someone acknowledges the incident
    /// elsewhere: the header shows it and the form keeps the choice, the reason and the focus. Sending it then is
    /// refused (412: it was decided before the acknowledgement), and the refusal stays through the refresh and the next
    /// change's swap; the next try, judged against what the page shows, goes through.
    /// </summary>
    [Fact]
    public async Task WhatACommanderTypesInTheLiveRegionAndARefusalSurviveChangesMadeElsewhere()
    {
        const string Reason = "Only the EU region is affected; half typed when someone else acted";
        var incident = await OpenIncidentAsync(fixture, "EU checkout error rate above 2%");
        await using var browser = await SignInAsync(chromium, fixture, "commander@example.com", [AppRoles.ValueOf(AppRole.Commander)]);
        var page = await IncidentConsolePage.OpenAsync(browser.Page, incident.Id);
        var form = await page.OpenPanelAsync("Change severity");
        var severity = form.GetByLabel("Severity");
        var reason = form.GetByLabel("Reason");
        await severity.SelectOptionAsync("info");
        await reason.FillAsync(Reason);

        await ActElsewhereAsync($"incidents/{incident.Id}/acknowledge", body: null);
        await Expect(page.Status).ToContainTextAsync("Acknowledged", WithinPolls);

        await Expect(page.Panel("Change severity")).ToHaveAttributeAsync("open", string.Empty);
        await Expect(severity).ToHaveValueAsync("info");
        await Expect(reason).ToHaveValueAsync(Reason);
        await Expect(reason).ToBeFocusedAsync();

        var send = form.GetByRole(AriaRole.Button, new() { Name = "Change severity" });
        var refused = await browser.Page.RunAndWaitForResponseAsync(() => send.ClickAsync(), IsSeverityChange);
        Assert.Equal(412, refused.Status);
        var problem = IncidentConsolePage.Problem(form);
        await Expect(problem).ToContainTextAsync("Someone changed this incident since the page showed it");
        await ActElsewhereAsync($"incidents/{incident.Id}/stage", new { stage = "identified" });
        await Expect(page.Fact("Stage")).ToHaveTextAsync("Identified", new() { Timeout = 15_000 });
        await Expect(problem).ToContainTextAsync("Someone changed this incident since the page showed it");
        await Expect(reason).ToHaveValueAsync(Reason);
        await Expect(severity).ToHaveValueAsync("info");

        var accepted = await browser.Page.RunAndWaitForResponseAsync(() => send.ClickAsync(), IsSeverityChange);
        Assert.Equal(200, accepted.Status);
        await Expect(page.Fact("Priority")).ToContainTextAsync("Info");
        await Expect(problem).ToBeEmptyAsync();
        await Expect(reason).ToHaveValueAsync(string.Empty);
        Assert.Equal(Severity.Info, (await fixture.FindIncidentAsync(i => i.Id == incident.Id))!.Severity);
        // Chromium and htmx log the 412 as errors; nothing else may have gone wrong.
        Assert.All(browser.TakeProblems(), p => Assert.Contains(" 412", p, StringComparison.Ordinal));
    }

    static bool IsSeverityChange(IResponse response) => response.Request.Method == "POST" && response.Url.EndsWith("/severity", StringComparison.Ordinal);

    /// <summary>A change to the incident through the API, as another responder's client would make it.</summary>
    async Task ActElsewhereAsync(string path, object? body)
    {
        using var request = DevHostFixture.Responder(HttpMethod.Post, path);
        request.Content = body is null ? null : JsonContent.Create(body);
        using var response = await fixture.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A responder the policy knows by their email, signed in under their name.</summary>
    Task<BrowserSession> SignInAsPersonAsync(string person) =>
        BrowserSession.OpenAsync(chromium, fixture.Host.BaseAddress, char.ToUpperInvariant(person[0]) + person[1..], ResponderRoles, email: fixture.Policy.Email(person));

    // A mark on the page's window: it is there until the page is loaded again.
    /// <summary>
    /// What an open page shows stays true between its renders: the duration keeps counting on the browser's clock, a
    /// pin made elsewhere marks the entry already on the page, and while its polls are refused (the sign-in ended) the
    /// page says since when it is out of date, until a poll succeeds again. The incident is declared without paging, so
    /// nothing but the pin changes it and re-renders the header.
    /// </summary>
    [Fact]
    public async Task AnOpenPageKeepsItsDurationAndPinsCurrentAndSaysWhenItStoppedUpdating()
    {
        using var declare = DevHostFixture.Responder(HttpMethod.Post, Routes.Incidents);
        declare.Content = JsonContent.Create(new { title = "Card authorisations slow in eu-west-1", severity = "high", service = "checkout", page = false });
        using var declared = await fixture.Http.SendAsync(declare);
        Assert.True(declared.IsSuccessStatusCode, await declared.Content.ReadAsStringAsync());
        var incident = (await declared.Content.ReadFromJsonAsync<Incident>(JsonDefaults.Options))!;
        await using var browser = await SignInAsync(chromium, fixture, Responder, ResponderRoles);
        await browser.Page.Clock.InstallAsync();
        var page = await IncidentConsolePage.OpenAsync(browser.Page, incident.Id);
        var duration = page.Fact("Duration").Locator("[data-running-ms]");
        await Expect(duration).ToHaveTextAsync(new Regex(@"^\d+ s$"));

        var declaredEvent = await page.Event(TimelineEventTypes.IncidentDeclared).GetAttributeAsync("data-event");
        using (var pin = DevHostFixture.Responder(HttpMethod.Put, $"incidents/{incident.Id}/pins/{Uri.EscapeDataString(declaredEvent!)}"))
        using (var pinned = await fixture.Http.SendAsync(pin))
        {
            Assert.True(pinned.IsSuccessStatusCode, await pinned.Content.ReadAsStringAsync());
        }

        await Expect(page.Event(TimelineEventTypes.IncidentDeclared).Locator(".badge.pin")).ToHaveTextAsync("Pinned", new() { Timeout = 15_000 });

        await browser.Page.RouteAsync(new Regex(@"/console/incidents/[^/?]+/live\?"), route => route.FulfillAsync(new()
        {
            Status = 401,
            ContentType = "application/problem+json",
            Body = """{"title":"Sign-in required","status":401}""",
        }));
        var stale = browser.Page.Locator("#console-stale");
        await Expect(stale).ToContainTextAsync("Your sign-in has ended", new() { Timeout = 15_000 });
        await browser.Page.UnrouteAllAsync();
        await Expect(stale).ToHaveCountAsync(0, new() { Timeout = 15_000 });

        // The refused polls are console errors (a failed load, htmx's responseError); nothing else went wrong.
        Assert.All(browser.TakeProblems(), problem => Assert.Contains("401", problem, StringComparison.Ordinal));

        // Two hours on the browser's clock (the page's timers due meanwhile run once): the header counts them itself.
        await browser.Page.Clock.FastForwardAsync("02:00:00");
        await Expect(duration).ToHaveTextAsync(new Regex(@"^2 h 0 min$"));
        browser.AssertNoProblems();
    }

    static Task RememberThisLoadAsync(IncidentConsolePage page) => page.Page.EvaluateAsync("() => { window.sameLoad = true; }");

    static Task<bool> IsTheSameLoadAsync(IncidentConsolePage page) => page.Page.EvaluateAsync<bool>("() => window.sameLoad === true");
}
