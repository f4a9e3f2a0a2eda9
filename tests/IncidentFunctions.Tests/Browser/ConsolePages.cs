using System.Text.RegularExpressions;
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

    /// <summary>Opens <paramref name="path"/> and checks the status, so a refusal page never passes for the page itself.</summary>
    protected static async Task OpenAsync(IPage page, string path, int status = 200)
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
        await OpenAsync(page, ConsolePaths.Incidents);
        return new IncidentsListPage(page);
    }

    /// <summary>The incident's row, found by its id (the title may be anything an alert said).</summary>
    public ILocator Row(string incidentId) => Page.GetByRole(AriaRole.Row).Filter(new() { HasText = incidentId });
}

/// <summary>The page an emailed acknowledge or resolve link opens: the incident, and one button that acts.</summary>
public sealed class LinkConfirmationPage(IPage page) : ConsolePageObject(page)
{
    public static async Task<LinkConfirmationPage> OpenAsync(IPage page, Uri link)
    {
        await OpenAsync(page, link.AbsoluteUri);
        return new LinkConfirmationPage(page);
    }

    /// <summary>A fact about the incident (Title, Priority, Status ...) by its name in the page's list.</summary>
    public ILocator Fact(string name) => Page.Locator("dt").Filter(new() { HasTextRegex = new($"^{name}$") }).Locator("xpath=following-sibling::dd[1]");

    public ILocator ActButton => Page.GetByRole(AriaRole.Button);
}

/// <summary>
/// An incident's console page: its live region (header, actions, panels; polled and swapped whole when the incident
/// changes), the composers, and the live timeline.
/// </summary>
public sealed class IncidentConsolePage(IPage page) : ConsolePageObject(page)
{
    public static async Task<IncidentConsolePage> OpenAsync(IPage page, string incidentId)
    {
        // Named: this method's own signature would otherwise be the closer match, and call itself.
        await ConsolePageObject.OpenAsync(page, ConsolePaths.Incident(incidentId));
        return new IncidentConsolePage(page);
    }

    /// <summary>The incident's id, from the address the page is at (the declare page brings the browser here).</summary>
    public string IncidentId => new Uri(Page.Url).Segments[^1];

    public ILocator Live => Page.Locator("section#incident-live");

    /// <summary>A fact in the header (Priority, Status, Stage, Commander ...) by its name.</summary>
    public ILocator Fact(string name) =>
        Live.Locator("dl.incident-header > dt").Filter(new() { HasTextRegex = new($"^{name}$") }).Locator("xpath=following-sibling::dd[1]");

    public ILocator Status => Fact("Status");

    /// <summary>The events that arrived since the page was loaded (the live list the timeline's poll replaces).</summary>
    public ILocator LiveEvents(string type) =>
        Page.Locator("#timeline-live > li.event").Filter(new() { Has = Page.Locator(".event-type", new() { HasTextRegex = new($"^{type}$") }) });

    public ILocator AcknowledgeButton => Live.GetByRole(AriaRole.Button, new() { Name = "Acknowledge", Exact = true });

    public Task AcknowledgeAsync() => AcknowledgeButton.ClickAsync();

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
        await OpenAsync(page, ConsolePaths.Declare);
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
