using System.Text.Json;
using System.Text.RegularExpressions;
using IncidentFunctions.Http;
using IncidentFunctions.WebConsole;
using Microsoft.Playwright;

namespace IncidentFunctions.Tests.Browser;

/// <summary>
/// The console's pages as a browser test sees them: where each lives and how to find its parts, so a test reads as
/// what a person does. A page that is added later (the incident page, declare, the dashboard) gets one of these.
/// </summary>
public abstract class ConsolePageObject(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Heading => Page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    /// <summary>The value (<c>dd</c>) after the term among <paramref name="terms"/> whose whole text is <paramref name="name"/>.</summary>
    protected static ILocator Definition(ILocator terms, string name) =>
        terms.Filter(new() { HasTextRegex = new($"^{name}$") }).Locator("xpath=following-sibling::dd[1]");

    /// <summary>
    /// Goes to <paramref name="path"/> and checks the status, so a refusal page never passes for the page itself. Not
    /// named OpenAsync: a page object's own OpenAsync(page, id) would then call itself instead of this, forever.
    /// </summary>
    protected static async Task GotoAsync(IPage page, string path, int status = 200)
    {
        var response = await page.GotoAsync(path);
        Assert.NotNull(response);
        Assert.Equal(status, response.Status);
    }
}

/// <summary>The console's front page: the open incidents the viewer may see.</summary>
public sealed class IncidentsListPage(IPage page) : ConsolePageObject(page)
{
    public static async Task<IncidentsListPage> OpenAsync(IPage page)
    {
        await GotoAsync(page, ConsolePaths.Incidents);
        return new IncidentsListPage(page);
    }

    /// <summary>The incident's row, found by its id (the title may be anything an alert said).</summary>
    public ILocator Row(string incidentId) => Page.GetByRole(AriaRole.Row).Filter(new() { HasText = incidentId });

    /// <summary>The incident's priority badge (P1 ...) in its row, which is a card on a phone.</summary>
    public ILocator PriorityBadge(string incidentId) =>
        Page.Locator("#incident-list tbody tr").Filter(new() { HasText = incidentId }).Locator("td .badge").First;

    /// <summary>
    /// The open and acknowledged counts added up, and the rows shown, read at one moment (the live list may be replaced
    /// between two reads): unfiltered, both cover the same incidents, so a hidden incident counted shows as a difference.
    /// </summary>
    public async Task<(int Counted, int Shown)> CountedAndShownAsync()
    {
        var figures = await Page.EvaluateAsync<int[]>(
            """
            () => {
              const list = document.getElementById('incident-list');
              const counted = [...list.querySelectorAll('ul.counts li a strong')].reduce((sum, count) => sum + Number(count.textContent), 0);
              return [counted, list.querySelectorAll('tbody tr').length];
            }
            """);
        return (figures[0], figures[1]);
    }
}

/// <summary>The page an emailed acknowledge or resolve link opens: the incident, and one button that acts.</summary>
public sealed class LinkConfirmationPage(IPage page) : ConsolePageObject(page)
{
    public static async Task<LinkConfirmationPage> OpenAsync(IPage page, Uri link)
    {
        await GotoAsync(page, link.AbsoluteUri);
        return new LinkConfirmationPage(page);
    }

    /// <summary>A fact about the incident (Title, Priority, Status ...) by its name in the page's list.</summary>
    public ILocator Fact(string name) => Definition(Page.Locator("dt"), name);

    public ILocator ActButton => Page.GetByRole(AriaRole.Button);
}

/// <summary>The leadership dashboard: open incidents now, the weeks of the period, and the updates overdue now.</summary>
public sealed class DashboardConsolePage(IPage page) : ConsolePageObject(page)
{
    public const string OverdueCaption = "Incidents that breached their update cadence";

    public static async Task<DashboardConsolePage> OpenAsync(IPage page)
    {
        await GotoAsync(page, ConsolePaths.Dashboard);
        return new DashboardConsolePage(page);
    }

    /// <summary>The charts' figures, each drawn by dashboard.js into its canvas.</summary>
    public ILocator Charts => Page.Locator("figure[data-chart]");

    /// <summary>The canvases uPlot drew: as many as <see cref="Charts"/> once the page's script has run.</summary>
    public ILocator DrawnCharts => Page.Locator("figure[data-chart] canvas");

    /// <summary>The incident's row among the overdue updates (none while its updates are on time).</summary>
    public ILocator Overdue(string incidentId) =>
        Page.GetByRole(AriaRole.Table, new() { Name = OverdueCaption }).GetByRole(AriaRole.Row).Filter(new() { HasText = incidentId });
}

/// <summary>
/// An incident's console page: its live region (header, actions, panels; polled and swapped whole when the incident
/// changes), the composers, and the live timeline.
/// </summary>
public sealed class IncidentConsolePage(IPage page) : ConsolePageObject(page)
{
    public static async Task<IncidentConsolePage> OpenAsync(IPage page, string incidentId)
    {
        await GotoAsync(page, ConsolePaths.Incident(incidentId));
        return new IncidentConsolePage(page);
    }

    /// <summary>The incident's id, from the address the page is at (the declare page brings the browser here).</summary>
    public string IncidentId => new Uri(Page.Url).Segments[^1];

    public ILocator Live => Page.Locator("section#incident-live");

    /// <summary>A fact in the header (Priority, Status, Stage, Commander ...) by its name.</summary>
    public ILocator Fact(string name) => Definition(Live.Locator("dl.incident-header > dt"), name);

    public ILocator Status => Fact("Status");

    public ILocator Stage => Fact("Stage");

    /// <summary>The polled header region and the timeline's live list, by their ids.</summary>
    public const string LiveRegion = "incident-live";
    public const string LiveTimeline = "timeline-live";




    /// <summary>Everything on the page that could change something: a form, a control, or an element htmx would send a change from.</summary>
    public ILocator AnythingThatChanges => Page.Locator("form, button, input, select, textarea, [hx-post], [hx-put], [hx-patch], [hx-delete]");

    public ILocator DeclareLink => Page.Locator($"a[href='{ConsolePaths.Declare}']");

    /// <summary>A section of the page by its heading (Tasks, Roles, Participants, Alerts, Timeline, ...).</summary>
    public ILocator Region(string heading) => Page.GetByRole(AriaRole.Region, new() { Name = heading, Exact = true });

    public ILocator Participants => Region("Participants");

    public ILocator Alerts => Region("Alerts").Locator("article.alert");

    public ILocator Labels => Region("Alerts").GetByRole(AriaRole.List, new() { Name = "Labels" });

    /// <summary>The timeline's events of one type (note.added, update.posted ...), live or settled.</summary>
    public ILocator Event(string type) => Region("Timeline").Locator("li.event").Filter(new() { Has = Page.Locator(".event-type", new() { HasTextString = type }) });

    /// <summary>Links whose target would run script.</summary>
    public ILocator ScriptLinks => Page.Locator("a[href^='javascript:' i], a[href^='data:' i]");

    /// <summary>The address a live part polls (its hx-get), as the browser requests it.</summary>
    public async Task<string> PollOfAsync(string elementId) =>
        await Page.Locator($"#{elementId}").GetAttributeAsync("hx-get") ?? throw new InvalidOperationException($"#{elementId} does not poll");

    public Task<Answer> SendAsync(HttpMethod method, string path, object? body = null) => SendAsync(Page, method, path, body);

    /// <summary>
    /// A request from the page's own origin, as a form of the console (or a person at the browser's console) sends it:
    /// same-origin, signed in, with an Idempotency-Key and a JSON body.
    /// </summary>
    public static async Task<Answer> SendAsync(IPage page, HttpMethod method, string path, object? body = null)
    {
        var answer = await page.EvaluateAsync<JsonElement>(
            """
            async ({ method, path, body }) => {
              const headers = { 'Idempotency-Key': crypto.randomUUID() };
              if (body !== null) { headers['Content-Type'] = 'application/json'; }
              const response = await fetch(path, { method, headers, body: body === null ? undefined : body });
              return { status: response.status, type: response.headers.get('Content-Type'), text: await response.text() };
            }
            """,
            new { method = method.Method, path, body = body is null ? null : JsonSerializer.Serialize(body) });
        var text = answer.GetProperty("text").GetString()!;
        var type = answer.GetProperty("type").GetString()?.Split(';')[0];
        return new Answer(answer.GetProperty("status").GetInt32(), type, type == Http.Problem.ContentType ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    public sealed record Answer(int Status, string? ContentType, JsonElement Problem);

    /// <summary>The events that arrived since the page was loaded (the live list the timeline's poll replaces).</summary>
    public ILocator LiveEvents(string type) =>
        Page.Locator("#timeline-live > li.event").Filter(new() { Has = Page.Locator(".event-type", new() { HasTextRegex = new($"^{type}$") }) });

    public ILocator AcknowledgeButton => Live.GetByRole(AriaRole.Button, new() { Name = "Acknowledge", Exact = true });

    /// <summary>
    /// Acknowledges with the keyboard alone, as someone who cannot use a pointer does: Tab from the top of the page (the
    /// first stop must be the skip link) until the Acknowledge button has the focus, shown by a visible outline, and
    /// Enter. Fails if the button is not reached within <paramref name="maxStops"/> stops.
    /// </summary>
    public async Task AcknowledgeWithKeyboardAsync(int maxStops = 40)
    {
        await Page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await Page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()"));
        for (var stop = 0; stop < maxStops; stop++)
        {
            await Page.Keyboard.PressAsync("Tab");
            if (await AcknowledgeButton.EvaluateAsync<bool>("button => button === document.activeElement"))
            {
                Assert.NotEqual("none", await AcknowledgeButton.EvaluateAsync<string>("button => getComputedStyle(button).outlineStyle"));
                await Page.Keyboard.PressAsync("Enter");
                return;
            }
        }

        Assert.Fail($"Tab did not reach the Acknowledge button in {maxStops} stops");
    }

    /// <summary>An action or composer that opens from its summary ("Change severity", "Hand off a role", "Status update").</summary>
    public ILocator Panel(string summary) =>
        Page.Locator("details").Filter(new() { Has = Page.Locator("summary", new() { HasTextRegex = new($"^{summary}") }) });

    /// <summary>Opens the panel (once: a second click would close it) and gives its first form.</summary>
    public async Task<ILocator> OpenPanelAsync(string summary)
    {
        var panel = Panel(summary);
        if (await panel.GetAttributeAsync("open") is null)
        {
            await panel.Locator("summary").ClickAsync();
        }

        return panel.Locator("form").First;
    }

    /// <summary>The refusal a form shows (a problem+json's title and detail, as text).</summary>
    public static ILocator Problem(ILocator form) => form.Locator("[data-problem]");

    /// <summary>Hands <paramref name="role"/> (its id) to <paramref name="person"/> (their name) from the hand-off form.</summary>
    public async Task HandOffAsync(string role, string person, string note)
    {
        var form = await OpenPanelAsync("Hand off a role");
        await form.GetByLabel("Role").SelectOptionAsync(role);
        await form.GetByLabel("To").SelectOptionAsync(new SelectOptionValue { Label = person });
        await form.GetByLabel("Note for them").FillAsync(note);
        await form.GetByRole(AriaRole.Button, new() { Name = "Hand off" }).ClickAsync();
    }

    /// <summary>Posts a status update for <paramref name="audience"/> ("Internal" or "Stakeholders") from the composer.</summary>
    public async Task<ILocator> PostUpdateAsync(string audience, string body)
    {
        var form = await OpenPanelAsync("Status update");
        await form.GetByRole(AriaRole.Radio, new() { Name = audience }).CheckAsync();
        await form.GetByLabel("Update", new() { Exact = true }).FillAsync(body);
        await form.GetByRole(AriaRole.Button, new() { Name = "Post update" }).ClickAsync();
        return form;
    }
}

/// <summary>The declare page: the form behind POST /api/incidents, which on a 201 takes the browser to the new incident.</summary>
public sealed class DeclareConsolePage(IPage page) : ConsolePageObject(page)
{
    public static async Task<DeclareConsolePage> OpenAsync(IPage page)
    {
        await GotoAsync(page, ConsolePaths.Declare);
        return new DeclareConsolePage(page);
    }

    public ILocator Form => Page.Locator("form.declare");

    public ILocator Problem => Form.Locator("[data-problem]");

    /// <summary>
    /// Fills the form as a person would (the service by its name, the declarer commanding, nobody paged unless
    /// <paramref name="pageOnCall"/>), declares, and follows the browser to the new incident's page.
    /// </summary>
    public async Task<IncidentConsolePage> DeclareAsync(string title, string severity, string service, string summary, bool pageOnCall = false)
    {
        await Form.GetByLabel("Title").FillAsync(title);
        await Form.GetByLabel("Severity").SelectOptionAsync(severity);
        await Form.GetByLabel("Service", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = service });
        await Form.GetByLabel("Summary").FillAsync(summary);
        await Form.GetByLabel("Page the service's on-call now").SetCheckedAsync(pageOnCall);
        await Form.GetByRole(AriaRole.Button, new() { Name = "Declare" }).ClickAsync();
        await Page.WaitForURLAsync(new Regex("/incidents/[^/?]+$"));
        return new IncidentConsolePage(Page);
    }
}
